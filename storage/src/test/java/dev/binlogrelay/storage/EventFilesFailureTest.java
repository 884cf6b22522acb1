package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
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

    /**
     * A FileChannel is closed by an interrupt of any thread using it. A reader interrupted in a {@code pread} (a run
     * crossing a mapped region's end, or just behind the tail) closed the one channel the writer shares, and every
     * later append failed until the relay restarted ("cannot write the events ... to events").
     */
    @Test
    void anInterruptedReaderLeavesTheEventFileUsableByTheWriterAndOtherReaders() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withCacheBytes(0))) {
            TestLog log = new TestLog(store).rotate(name(1)).append(100, 200);
            EventFiles files = store.context().rocks().eventFiles;
            StoreException[] seen = new StoreException[1];
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt(); // e.g. a worker stopped by shutdownNow while it reads
                try {
                    files.read(1, name(1), 4, ByteBuffer.allocate(100));
                } catch (StoreException e) {
                    seen[0] = e;
                }
            });
            reader.start();
            reader.join(10_000);
            log.append(300); // failed with "cannot write the events ... : null" (a ClosedChannelException) before
            assertTrue(seen[0] != null && seen[0].getMessage().contains("interrupted"),
                    "the interrupted reader is told it was interrupted, not that the file was purged: " + seen[0]);
            assertEquals(Optional.of(new BinlogPosition(name(1), 604)), store.committedEnd());
            ByteBuffer back = ByteBuffer.allocate(300);
            files.read(1, name(1), 304, back);
            assertEquals(log.written.get(2).bytes()[4], back.get(4));
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertEquals(3, TestLog.drain(c).size());
            }
        }
    }
}
