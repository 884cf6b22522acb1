package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event files when an fsync fails or a reading thread is interrupted: nothing published without its bytes synced, no store left broken. */
class EventFilesFailureTest {
    @TempDir
    Path dir;

    /**
     * On an interval, a sync whose fsync of the event files fails publishes nothing; its retry must fsync those
     * files again before the WAL (before the fix, the failed call had already forgotten them, so the retry synced
     * only the WAL and published groups whose bytes no fsync had covered).
     */
    @Test
    void anIntervalSyncRetriedAfterAFailedFsyncOfTheEventFilesFsyncsThemAgain() {
        StoreOptions interval = TestLog.fastOptions().withSyncIntervalMillis(SyncMode.MAX_INTERVAL_MILLIS);
        try (BinlogStore store = BinlogStore.open(dir, interval)) {
            new TestLog(store).rotate(name(1)).append(100, 200);
            EventFiles files = store.context().rocks().eventFiles;
            files.failNextForce(new IOException("Input/output error (injected)"));
            assertThrows(StoreException.class, () -> store.appender().syncNow());
            assertEquals(Optional.empty(), store.committedEnd(), "published although its event file was not fsynced");
            long forcedBefore = files.forced();
            store.appender().syncNow();
            assertEquals(Optional.of(new BinlogPosition(name(1), 304)), store.committedEnd());
            assertTrue(files.forced() > forcedBefore, "the retry published the group without fsyncing its event file");
        }
    }
}
