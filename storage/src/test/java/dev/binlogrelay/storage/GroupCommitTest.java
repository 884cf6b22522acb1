package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several groups in one atomic batch, and group commit on a sync interval. */
class GroupCommitTest {
    @TempDir
    Path dir;

    @Test
    void aBurstOfGroupsAcrossARotateIsOneBatchVisibleAtOnce() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults().withWriteBufferBytes(4L << 20))) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100);
            List<EventToStore> g1 = log.build(new MariaGtidRef(0, 1, 1), 50, 60);
            log.rotate(name(1), 214);
            List<EventToStore> g2 = log.build(null, 40);
            log.rotate(name(2), 4);
            List<EventToStore> g3 = log.build(new MariaGtidRef(0, 1, 2), 30, 20);
            int[] seenInHook = {-1};
            try (BinlogCursor c = store.openCursor(name(1), 104)) {
                store.appender().afterWriteBeforePublish(() -> seenInHook[0] = c.next() == null ? 0 : 1);
                store.writer().appendGroups(List.of(
                        new BinlogWriter.Group(name(1), g1, StateUpdate.ofMeta(Map.of("k", "1"))),
                        new BinlogWriter.Group(name(1), g2, StateUpdate.ofMeta(Map.of("k", "2"))),
                        new BinlogWriter.Group(name(2), g3, StateUpdate.ofMeta(Map.of("k", "3")))));
                assertEquals(0, seenInHook[0], "a reader saw part of the burst before it was published");
                assertEquals(Optional.of(new BinlogPosition(name(2), 54)), store.committedEnd());
                assertEquals(Optional.of("3"), store.state().meta("k"));
                assertEquals(Optional.of(new BinlogPosition(name(2), 4)), store.findMariaGtid(0, 2));
                assertEquals(Optional.of(new BinlogPosition(name(1), 104)), store.findMariaGtid(0, 1));
                assertEquals(2, store.files().size());
                assertEquals(5, TestLog.drain(c).size(), "the reader gets the burst's events of both files");
            }
        }
        // one batch, durable: all of it comes back
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of(new BinlogPosition(name(2), 54)), store.committedEnd());
            // the batch wrote file 1's record and meta "k" once, as its last group left them
            assertEquals(254, store.file(name(1)).orElseThrow().size());
            assertEquals(Optional.of("3"), store.state().meta("k"));
        }
    }

    @Test
    void anInvalidGroupInABurstWritesNothing() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100);
            List<EventToStore> good = log.build(null, 10);
            log.rotate(name(1), 999);
            List<EventToStore> gap = log.build(null, 10);
            assertThrows(StoreException.class, () -> store.writer().appendGroups(List.of(
                    new BinlogWriter.Group(name(1), good, StateUpdate.NONE), new BinlogWriter.Group(name(1), gap, StateUpdate.NONE))));
            assertEquals(Optional.of(new BinlogPosition(name(1), 104)), store.committedEnd());
        }
    }

    @Test
    void onAnIntervalAGroupIsVisibleOnlyAfterTheSyncThatCoversIt() throws Exception {
        StoreOptions interval = TestLog.fastOptions().withSyncIntervalMillis(400);
        assertTrue(interval.syncOnInterval());
        try (BinlogStore store = BinlogStore.open(dir, interval)) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).appendWithGtid(null, Map.of("pos", "0-1-1"), 100);
            long written = System.nanoTime();
            // written, not durable yet: neither the events nor their metadata are visible
            assertEquals(Optional.empty(), store.committedEnd());
            assertEquals(Optional.empty(), store.state().meta("pos"));
            assertTrue(store.awaitCommitBeyond(new BinlogPosition(name(1), 4), 10, TimeUnit.SECONDS));
            long tookMillis = (System.nanoTime() - written) / 1_000_000;
            assertTrue(tookMillis >= 300, "published after " + tookMillis + " ms, before the 400 ms interval");
            assertEquals(Optional.of(new BinlogPosition(name(1), 104)), store.committedEnd());
            assertEquals(Optional.of("0-1-1"), store.state().meta("pos"));

            // the writer continues from what it wrote, published or not
            log.appendWithGtid(null, Map.of("pos", "0-1-2"), 10);
            log.appendWithGtid(null, Map.of("pos", "0-1-3"), 20);
            assertEquals(Optional.of("0-1-1"), store.state().meta("pos"), "metadata ran ahead of the visible events");
            try (BinlogCursor c = store.openCursor(name(1), 104)) {
                assertNull(c.next());
                store.syncNow();
                assertSameEvent(log.written.get(1), c.next());
                assertSameEvent(log.written.get(2), c.next());
                assertNull(c.next());
            }
            assertEquals(Optional.of("0-1-3"), store.state().meta("pos"));
            assertEquals(Optional.of(new BinlogPosition(name(1), 134)), store.committedEnd());
            log.append(5);
        }
        // a clean close syncs what was written: it comes back
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of(new BinlogPosition(name(1), 139)), store.committedEnd());
        }
    }

    /**
     * Group commit ({@code every_transaction} in the relay): an append returns once its bytes are written, while
     * the syncer's fsync is still running; the group becomes visible (events and metadata) only once it has run.
     */
    @Test
    void withGroupCommitAnAppendReturnsBeforeItsSyncAndIsVisibleAfterIt() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withSync(SyncMode.GROUP_COMMIT))) {
            TestLog log = new TestLog(store);
            CountDownLatch release = new CountDownLatch(1);
            store.context().rocks().eventFiles.beforeForce(() -> await(release));
            log.rotate(name(1)).appendWithGtid(null, Map.of("pos", "0-1-1"), 100);
            log.appendWithGtid(null, Map.of("pos", "0-1-2"), 10, 20);
            assertEquals(Optional.empty(), store.committedEnd(), "visible before its fsync");
            assertEquals(Optional.empty(), store.state().meta("pos"));
            release.countDown();
            assertTrue(store.awaitCommitBeyond(new BinlogPosition(name(1), 104), 10, TimeUnit.SECONDS));
            assertEquals(Optional.of(new BinlogPosition(name(1), 134)), store.committedEnd());
            assertEquals(Optional.of("0-1-2"), store.state().meta("pos"));
            for (int i = 0; i < 50; i++) {
                log.append(10, 20);
            }
            store.syncNow();
            assertEquals(Optional.of(new BinlogPosition(name(1), 134 + 50 * 30)), store.committedEnd());
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                TestLog.assertSameEvents(log.written, TestLog.drain(c));
            }
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of(new BinlogPosition(name(1), 134 + 50 * 30)), store.committedEnd());
        }
    }

    /**
     * With the syncer, RocksDB gets a batch (its index) only after the event files' fsync: a power loss can take
     * back bytes not yet synced, and an index pointing at them would make the store refuse to open. Here the fsync
     * fails: nothing of the batch is in RocksDB, nothing is visible and the writer is refused; the next sync (which
     * writes the bytes again first) writes and publishes it.
     */
    @Test
    void theSyncerWritesTheIndexOnlyAfterTheEventFilesAreDurable() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withSyncIntervalMillis(10_000))) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).appendWithGtid(null, Map.of("pos", "0-1-1"), 100, 200);
            RocksHandles rocks = store.context().rocks();
            assertEquals(0, entries(rocks, rocks.events), "indexed before the sync");
            rocks.eventFiles.failNextForce(new java.io.IOException("Input/output error"));
            StoreException e = assertThrows(StoreException.class, store::syncNow);
            assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
            assertEquals(0, entries(rocks, rocks.events), "indexed although its bytes' fsync failed");
            assertEquals(0, entries(rocks, rocks.files), "the file recorded although its bytes' fsync failed");
            assertEquals(Optional.empty(), store.committedEnd());
            assertEquals(Optional.empty(), store.state().meta("pos"));
            assertThrows(StoreException.class, () -> log.append(10), "a write while the syncs fail");
            store.syncNow();
            assertEquals(1, entries(rocks, rocks.events));
            assertEquals(Optional.of(new BinlogPosition(name(1), 304)), store.committedEnd());
            assertEquals(Optional.of("0-1-1"), store.state().meta("pos"));
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                TestLog.assertSameEvents(log.written.subList(0, 2), TestLog.drain(c));
            }
        }
    }

    /**
     * The batches waiting for a sync hold their events: once they hold {@link WalSyncer#MAX_QUEUED_BYTES} the writer
     * waits for the sync (which starts at once, whatever the interval) rather than holding more.
     */
    @Test
    void theBatchesWaitingForASyncAreBounded() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withSyncIntervalMillis(10_000))) {
            TestLog log = new TestLog(store);
            log.rotate(name(1));
            CountDownLatch release = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean forcing = new java.util.concurrent.atomic.AtomicBoolean();
            store.context().rocks().eventFiles.beforeForce(() -> {
                forcing.set(true);
                await(release);
            });
            int event = 4 << 20;
            int groups = (int) (WalSyncer.MAX_QUEUED_BYTES / event) + 2;
            Thread writer = new Thread(() -> {
                for (int i = 0; i < groups; i++) {
                    log.append(event);
                }
            }, "test-writer");
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(forcing.get() && writer.getState() == Thread.State.TIMED_WAITING) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(forcing.get(), "no sync started before the 10 s interval");
            assertEquals(Thread.State.TIMED_WAITING, writer.getState(), "the writer did not wait for room");
            assertEquals((int) (WalSyncer.MAX_QUEUED_BYTES / event), store.appender().syncer().queued());
            release.countDown();
            writer.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(writer.isAlive());
            store.syncNow();
            assertEquals(Optional.of(new BinlogPosition(name(1), 4 + (long) groups * event)), store.committedEnd());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the fsync");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int entries(RocksHandles rocks, org.rocksdb.ColumnFamilyHandle cf) {
        int n = 0;
        try (org.rocksdb.RocksIterator it = rocks.db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    @Test
    void theFreeSpaceGuardRefusesAWriteAndRecordsTheError() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withMinFreeBytes(Long.MAX_VALUE / 2))) {
            TestLog log = new TestLog(store);
            StoreException e = assertThrows(StoreException.class, () -> log.rotate(name(1)).append(100));
            assertTrue(e.getMessage().contains("disk full") && e.getMessage().contains("storage.min_free_space"), e.getMessage());
            assertEquals(Optional.of(e.getMessage()), store.storageError());
            assertFalse(store.storageWritable(), "still not enough room");
            assertEquals(Optional.empty(), store.committedEnd());
            assertEquals(1, store.stats().storageErrorCount());
        }
    }

    @Test
    void intervalNeedsDurableGroups() {
        // an interval is a way of syncing every group: one sealed mode, so "interval without sync" cannot be built
        assertEquals(new SyncMode.Interval(10), StoreOptions.defaults().withSyncEachGroup(false).withSyncIntervalMillis(10).sync());
        assertTrue(StoreOptions.defaults().withSyncEachGroup(false).withSyncIntervalMillis(10).syncEachGroup());
        assertThrows(IllegalArgumentException.class, () -> new SyncMode.Interval(0));
        assertThrows(IllegalArgumentException.class, () -> new SyncMode.Interval(SyncMode.MAX_INTERVAL_MILLIS + 1));
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.defaults().withSyncIntervalMillis(-1));
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.defaults().withSyncIntervalMillis(60_000));
    }
}
