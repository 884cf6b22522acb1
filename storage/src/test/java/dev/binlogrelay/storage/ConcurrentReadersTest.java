package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers in several threads follow the writer: blocking ones, one driven by a commit listener, one far behind. */
class ConcurrentReadersTest {
    private static final int GROUPS = 1500;
    private static final int GROUPS_PER_FILE = 400;

    @TempDir
    Path dir;

    @Test
    void readersSeeEveryEventInOrderWhileTheWriterAppends() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withCacheBytes(256 << 10))) {
            TestLog log = new TestLog(store);
            // the expected stream, computed up front (the writer thread fills log.written as it goes)
            List<long[]> expected = new ArrayList<>(); // {file number, position, length, flags}
            int[][] groups = new int[GROUPS][];
            int file = 1;
            long pos = 4;
            for (int g = 0; g < GROUPS; g++) {
                if (g > 0 && g % GROUPS_PER_FILE == 0) {
                    file++;
                    pos = 4;
                }
                int n = 1 + g % 4;
                groups[g] = new int[n];
                for (int i = 0; i < n; i++) {
                    int len = 19 + (g * 37 + i * 101) % 900;
                    groups[g][i] = len;
                    int flags = (i == 0 ? StoredEvent.GROUP_START : 0) | (i == n - 1 ? StoredEvent.GROUP_END : 0);
                    expected.add(new long[] {file, pos, len, flags});
                    pos += len;
                }
            }
            log.rotate(name(1)).append(groups[0]);

            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                BinlogCursor c = store.openCursor(name(1), 4);
                readers.add(pool.submit(() -> readAll(store, c, expected, null)));
            }
            Semaphore commits = new Semaphore(0);
            Runnable listener = commits::release;
            store.addCommitListener(listener);
            BinlogCursor viaListener = store.openCursor(name(1), 4);
            readers.add(pool.submit(() -> readAll(store, viaListener, expected, commits)));

            Future<?> writer = pool.submit(() -> {
                for (int g = 1; g < GROUPS; g++) {
                    if (g % GROUPS_PER_FILE == 0) {
                        log.rotate(name(g / GROUPS_PER_FILE + 1));
                    }
                    log.appendWithGtid(new MariaGtidRef(0, 1, g + 1), Map.of("gtid_pos", "0-1-" + (g + 1)), groups[g]);
                }
            });
            writer.get(30, TimeUnit.SECONDS);
            for (Future<Integer> f : readers) {
                assertEquals(expected.size(), f.get(30, TimeUnit.SECONDS));
            }
            store.removeCommitListener(listener);

            // a reader from the very beginning, after the fact, reads the same stream from RocksDB
            try (BinlogCursor late = store.openCursor(name(1), 4)) {
                assertEquals(expected.size(), readAll(store, late, expected, null));
            }
            assertTrue(store.stats().cacheStats().hitCount() > 0, "tail readers used the hot cache: " + store.stats().cacheStats());
            assertEquals(GROUPS, store.lastMariaGtid(0).orElseThrow().sequence());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Reads the whole expected stream; waits for commits with bounded waits. Returns the number of events read. */
    private static int readAll(BinlogStore store, BinlogCursor c, List<long[]> expected, Semaphore commits) throws Exception {
        try (c) {
            int i = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (i < expected.size()) {
                StoredEvent e = c.next();
                if (e == null) {
                    assertTrue(System.nanoTime() < deadline, "reader stuck at " + c.position());
                    assertTrue(i == 0 || expected.get(i - 1)[3] >= StoredEvent.GROUP_END, "stopped inside a group at " + c.position());
                    if (commits != null) {
                        commits.tryAcquire(1, TimeUnit.SECONDS);
                    } else {
                        store.awaitCommitBeyond(c.position(), 1, TimeUnit.SECONDS);
                    }
                    continue;
                }
                long[] want = expected.get(i);
                assertEquals(name((int) want[0]), e.file(), "event " + i);
                assertEquals(want[1], e.position(), "event " + i);
                assertEquals(want[2], e.bytes().length, "event " + i);
                assertEquals(want[3], e.flags(), "event " + i);
                TestLog.assertGenuine(e);
                i++;
            }
            assertNull(c.next());
            return i;
        }
    }
}
