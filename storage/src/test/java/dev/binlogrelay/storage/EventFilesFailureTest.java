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

    /**
     * Closing the store fsyncs the event files before RocksDB syncs the WAL of the unpublished groups. A channel an
     * interrupted reader closed (the segment cache's loaders are stopped with shutdownNow just before) could not be
     * opened again once the close had begun, so that fsync failed ("cannot sync the event files on close") and the
     * WAL was synced anyway.
     */
    @Test
    void closingAStoreFsyncsAnEventFileAnInterruptedReaderClosed() throws Exception {
        StoreOptions interval = TestLog.fastOptions().withSyncIntervalMillis(SyncMode.MAX_INTERVAL_MILLIS);
        EventFiles files;
        long forcedBefore;
        try (BinlogStore store = BinlogStore.open(dir, interval)) {
            new TestLog(store).rotate(name(1)).append(100, 200); // written, not synced
            files = store.context().rocks().eventFiles;
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    files.read(1, name(1), 4, ByteBuffer.allocate(100));
                } catch (StoreException expected) {
                    // interrupted: the shared channel is closed
                }
            });
            reader.start();
            reader.join(10_000);
            forcedBefore = files.forced();
        }
        assertTrue(files.forced() > forcedBefore, "the close did not fsync the event file of the unsynced groups");
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of(new BinlogPosition(name(1), 304)), store.committedEnd());
        }
    }

    /**
     * Finding of review4: a purged event file read behind the tail stayed mapped (its disk blocks allocated, shown as
     * "(deleted)" in /proc/self/maps) until a garbage collection happened to free the mappings. A purge that deletes
     * a mapped file now asks for one; the mapping goes (its cleaner runs on its own thread: a bounded wait).
     */
    @Test
    void aPurgedEventFileThatWasReadIsNoLongerMapped() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(Path.of("/proc/self/maps")));
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withCacheBytes(0))) {
            TestLog log = new TestLog(store).rotate(name(1)).append(3000, 3000, 3000);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertEquals(3, TestLog.drain(c).size());
            }
            log.rotate(name(2)).append(100);
            store.purgeFilesBefore(name(2));
            String purged = EventFiles.dirOf(dir).resolve("0000000001").toString();
            String maps = java.nio.file.Files.readString(Path.of("/proc/self/maps"));
            for (long deadline = System.nanoTime() + 10_000_000_000L; maps.contains(purged) && System.nanoTime() < deadline; ) {
                Thread.onSpinWait();
                maps = java.nio.file.Files.readString(Path.of("/proc/self/maps"));
            }
            assertTrue(!maps.contains(purged), "the purged event file is still mapped: " + maps.lines()
                    .filter(l -> l.contains(purged)).findFirst().orElse(""));
        }
    }
}
