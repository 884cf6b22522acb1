package dev.binlogrelay.storage;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hot cache at store level: tail readers hit it, readers far behind neither use nor disturb it. */
class HotCacheTest {
    private static final int CACHE = 64 << 10;
    private static final int EVENT = 1000;

    @TempDir
    Path dir;

    @Test
    void tailReadersHitAndFarBehindReadersDoNotEvictTheTail() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withCacheBytes(CACHE))) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(EVENT);
            for (int g = 0; g < 400; g++) { // ~400 KB, six times the cache
                log.append(EVENT);
            }
            assertTrue(store.stats().cachedBytes() <= CACHE, "within budget: " + store.stats().cachedBytes());
            assertTrue(store.stats().cachedBytes() > CACHE - 2 * (EVENT + TailCache.ENTRY_OVERHEAD), "filled: " + store.stats().cachedBytes());

            // a reader that follows the writer is served from the cache
            CacheStats before = store.stats().cacheStats();
            try (BinlogCursor tail = store.openCursor(log.file(), log.next())) {
                for (int g = 0; g < 200; g++) {
                    log.append(EVENT, EVENT / 2);
                    assertNotNull(tail.next());
                    assertNotNull(tail.next());
                }
                assertEquals(399, ((StoreCursor) tail).lockFreeReads(),
                        "after one lookup the reader follows the tail's links, without lock or map lookup");
            }
            CacheStats tailPhase = store.stats().cacheStats().minus(before);
            assertEquals(400, tailPhase.hitCount());
            assertEquals(0, tailPhase.missCount());
            assertEquals(1.0, tailPhase.hitRate());

            // the tail as cached now
            List<StoredEvent> cachedTail = log.written.stream().filter(e -> store.context().cache().contains(1, e.position())).toList();
            long cachedBytes = store.stats().cachedBytes();
            assertTrue(cachedTail.size() > 40, "tail entries cached: " + cachedTail.size());
            StoredEvent newest = log.written.get(log.written.size() - 1);
            assertTrue(store.context().cache().contains(1, newest.position()));

            // a reader from the very beginning reads everything, mostly from RocksDB
            before = store.stats().cacheStats();
            try (BinlogCursor behind = store.openCursor(name(1), 4)) {
                assertEquals(log.written.size(), drain(behind).size());
            }
            CacheStats behindPhase = store.stats().cacheStats().minus(before);
            assertEquals(log.written.size() - cachedTail.size(), behindPhase.missCount());
            assertEquals(cachedTail.size(), behindPhase.hitCount());
            assertEquals(0, behindPhase.evictionCount(), "reading from behind evicts nothing");

            // ... and the tail is exactly as it was
            assertEquals(cachedBytes, store.stats().cachedBytes());
            for (StoredEvent e : cachedTail) {
                assertTrue(store.context().cache().contains(1, e.position()), "still cached: " + e.position());
            }
            StoredEvent oldestNotCached = log.written.get(log.written.size() - cachedTail.size() - 1);
            assertFalse(store.context().cache().contains(1, oldestNotCached.position()), "events read from RocksDB are not inserted");

            // overall the hit ratio rose during tail reading and fell while the far-behind reader ran
            assertTrue(tailPhase.hitRate() > behindPhase.hitRate());
        }
    }

    @Test
    void cacheOfZeroBytesIsDisabled() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withCacheBytes(0))) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100, 200);
            assertEquals(0, store.stats().cachedBytes());
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertEquals(2, drain(c).size());
            }
            assertEquals(0, store.stats().cacheStats().hitCount());
            assertEquals(2, store.stats().cacheStats().missCount());
        }
    }
}
