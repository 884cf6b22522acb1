package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads behind the hot tail (hot cache off here): whole segments from RocksDB, loaded once and shared. */
class SegmentReadTest {
    @TempDir
    Path dir;

    private static StoreOptions noHotCache() {
        return TestLog.fastOptions().withCacheBytes(0);
    }

    /** Three files of about 4 MB each: several 1 MiB windows per file. */
    private static TestLog threeFiles(BinlogStore store) {
        TestLog log = new TestLog(store);
        for (int f = 1; f <= 3; f++) {
            log.rotate(name(f));
            for (int g = 0; g < 1200; g++) {
                log.append(2000 + g % 700, 1000);
            }
        }
        return log;
    }

    private static Set<List<Object>> windows(List<StoredEvent> events) {
        Set<List<Object>> w = new HashSet<>();
        for (StoredEvent e : events) {
            w.add(List.of(e.file(), SegmentCache.window(e.position())));
        }
        return w;
    }

    @Test
    void sequentialReadLoadsEachWindowOnceAndWalksItWithoutTheLock() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = threeFiles(store);
            int windows = windows(log.written).size();
            assertTrue(windows >= 9, "several windows per file: " + windows);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                for (StoredEvent expected : log.written) {
                    assertSameEvent(expected, c.next());
                }
                assertNull(c.next());
                assertEquals(windows, store.context().segments().loads(), "one RocksDB read per window");
                assertEquals(log.written.size() - windows, ((StoreCursor) c).lockFreeReads(),
                        "every event but the first of each window came from the segment in hand");
            }
            assertEquals(log.written.size(), store.stats().cacheStats().missCount(), "all counted as reads from RocksDB");
        }
    }

    @Test
    void theNextWindowIsReadAheadWhileTheReaderIsStillInThisOne() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = threeFiles(store);
            StoredEvent lastOfFile1 = log.written.stream().filter(e -> e.file().equals(name(1))).reduce((a, b) -> b).orElseThrow();
            long lastWindow = SegmentCache.window(lastOfFile1.position());
            StoredEvent firstOfLastWindow = log.written.stream()
                    .filter(e -> e.file().equals(name(1)) && SegmentCache.window(e.position()) == lastWindow)
                    .findFirst().orElseThrow();
            try (BinlogCursor c = store.openCursor(name(1), firstOfLastWindow.position())) {
                assertSameEvent(firstOfLastWindow, c.next());
                // the reader stays in file 1's last window; file 2's first window is loaded in the background
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!store.context().segments().isCached(2, 0)) {
                    assertTrue(System.nanoTime() < deadline, "file 2's first window was not read ahead");
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
                assertEquals(1, store.context().segments().prefetches());
                for (StoredEvent e : log.written.subList(log.written.indexOf(firstOfLastWindow) + 1, log.written.size())) {
                    assertSameEvent(e, c.next());
                }
            }
        }
    }

    @Test
    void readingWithoutWaitingLoadsColdWindowsInTheBackground() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache().withSegmentCacheBytes(1L << 20))) {
            TestLog log = threeFiles(store);
            // and a window holding a 3 MB event: too large to cache, so read by the cursor itself after its wait
            log.rotate(name(4)).append(3_000_000, 500).append(800, 900);
            int waits = 0;
            int i = 0;
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                while (i < log.written.size()) {
                    StoredEvent e = c.nextWithoutWaiting();
                    if (e == null) {
                        java.util.concurrent.CompletableFuture<?> read = c.pendingRead();
                        assertNotNull(read, "null before the end only while a read is pending, at " + log.written.get(i));
                        read.get(30, java.util.concurrent.TimeUnit.SECONDS);
                        waits++;
                        continue;
                    }
                    assertSameEvent(log.written.get(i++), e);
                }
                assertNull(c.nextWithoutWaiting());
                assertNull(c.pendingRead(), "at the committed end: nothing pending");
            }
            int windows = windows(log.written).size();
            assertTrue(waits >= 1 && waits <= windows, waits + " background reads for " + windows + " windows");
        }
    }

    @Test
    void readersOfTheSameStretchShareSegments() throws Exception {
        readersShare(noHotCache(), true);
    }

    @Test
    void readersShareSegmentsEvenWhenTheBinlogIsManyTimesTheSegmentCache() throws Exception {
        // about 12 MB of binlog through a 3 MiB segment cache: oldest-loaded-first eviction keeps what the
        // readers just behind the first one still need (a frequency-based policy refused new segments here)
        // With room for only three windows. A read-ahead that ran after the readers had loaded its window
        // themselves used to load it again and evict a window still needed (seen in a loaded full run: 5 extra
        // loads); it is skipped now. Timing can still cost a reload: at most 2 are allowed, not a load per reader
        // (8x), which is what the frequency-based policy cost.
        readersShare(noHotCache().withSegmentCacheBytes(3L << 20), false);
    }

    private void readersShare(StoreOptions options, boolean exact) throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, options)) {
            TestLog log = threeFiles(store);
            List<BinlogCursor> cursors = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                cursors.add(store.openCursor(name(1), 4));
            }
            // interleaved, as readers on different connections are
            List<List<StoredEvent>> got = new ArrayList<>();
            cursors.forEach(c -> got.add(new ArrayList<>()));
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int i = 0; i < cursors.size(); i++) {
                    StoredEvent e = cursors.get(i).next();
                    if (e != null) {
                        got.get(i).add(e);
                        progress = true;
                    }
                }
            }
            for (List<StoredEvent> events : got) {
                assertEquals(log.written.size(), events.size());
                for (int i = 0; i < events.size(); i++) {
                    assertSameEvent(log.written.get(i), events.get(i));
                }
            }
            // the newest file's last window is still growing: private to each reader, never cached
            StoredEvent last = log.written.get(log.written.size() - 1);
            int complete = windows(log.written).size() - 1;
            String what = "complete windows loaded once for all readers; the open window once per reader (last event at "
                    + last.position() + ")";
            if (exact) {
                assertEquals(complete + cursors.size(), store.context().segments().loads(), what);
            } else {
                long loads = store.context().segments().loads();
                assertTrue(loads >= complete + cursors.size() && loads <= complete + cursors.size() + 2,
                        what + ": " + loads + " loads for " + complete + " complete windows and " + cursors.size() + " readers");
            }
            for (BinlogCursor c : cursors) {
                c.close();
            }
        }
    }

    @Test
    void readerAtTheGrowingWindowSeesNewGroupsAndFilesAsTheyCommit() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(10, 20, 30);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertSameEvent(log.written.get(0), c.next());
                assertSameEvent(log.written.get(1), c.next());
                log.append(40).append(2_000_000); // the second goes to a blob file and closes the window
                log.rotate(name(2)).append(50);
                for (int i = 2; i < 6; i++) {
                    assertSameEvent(log.written.get(i), c.next());
                }
                assertNull(c.next());
                log.append(60);
                assertSameEvent(log.written.get(6), c.next());
                assertNull(c.next());
            }
        }
    }

    @Test
    void windowWithAHugeEventIsServedButNotKept() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache().withSegmentCacheBytes(8L << 20))) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100, 5_000_000, 100); // more than 4 windows: not kept
            log.rotate(name(2)).append(100);
            for (int reader = 1; reader <= 2; reader++) {
                try (BinlogCursor c = store.openCursor(name(1), 4)) {
                    assertEquals(List.of(100, 5_000_000, 100), drain(c).stream().limit(3).map(e -> e.bytes().length).toList());
                }
            }
            assertTrue(store.context().segments().weightedSize() < 1_000_000, "huge window not cached: " + store.context().segments().weightedSize());
        }
    }

    @Test
    void readsWorkAfterRecoveryLeftRangeTombstones() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            new TestLog(store).rotate(name(1)).append(10, 20);
        }
        try (RocksHandles raw = RocksHandles.open(dir, noHotCache())) {
            raw.db.put(raw.events, Keys.event(1, 34), Values.event(3, new byte[] {1}));
        }
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store).rotate(name(1), 34);
            log.append(5);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertEquals(10, c.next().bytes().length);
                log.append(6, 1_500_000);
                List<StoredEvent> rest = drain(c);
                assertEquals(List.of(20, 5, 6, 1_500_000), rest.stream().map(e -> e.bytes().length).toList());
                assertSameEvent(log.written.get(0), rest.get(1));
                assertSameEvent(log.written.get(2), rest.get(3));
            }
        }
    }
}
