package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class TailCacheTest {
    private static StoredEvent event(long pos, int length) {
        return new StoredEvent("f", pos, new byte[length], 3);
    }

    @Test
    void evictsOldestFirstByBytes() {
        int w = 100 + TailCache.ENTRY_OVERHEAD;
        TailCache cache = new TailCache(3L * w);
        for (int i = 0; i < 10; i++) {
            cache.put(1, event(4 + i * 100L, 100));
            // even with the oldest entries read over and over, the newest always stay
            cache.get(1, 4);
            cache.get(1, 104);
        }
        assertEquals(3L * w, cache.bytes());
        assertEquals(3, cache.entries());
        for (int i = 0; i < 7; i++) {
            assertNull(cache.get(1, 4 + i * 100L), "evicted " + i);
        }
        for (int i = 7; i < 10; i++) {
            assertNotNull(cache.get(1, 4 + i * 100L), "kept " + i);
        }
        assertEquals(7, cache.stats().evictionCount());
        assertEquals(7L * w, cache.stats().evictionWeight());
    }

    @Test
    void countsReadsServedAsHitsAndReadsFromRocksDbAsMisses() {
        TailCache cache = new TailCache(1 << 20);
        assertNull(cache.get(1, 4), "empty");
        StoredEvent e = event(4, 50);
        cache.put(2, e);
        assertSame(e, cache.get(2, 4));
        assertNull(cache.get(1, 4), "the file sequence is part of the key (and file 1 lies before the tail)");
        assertNull(cache.get(2, 5));
        assertEquals(1, cache.stats().hitCount());
        assertEquals(0, cache.stats().missCount(), "a lookup that fails is not a read: the reader goes to RocksDB");
        cache.recordMisses(2);
        assertEquals(2, cache.stats().missCount());
        cache.contains(2, 4);
        assertEquals(3, cache.stats().requestCount(), "contains() is not counted");
    }

    @Test
    void knowsWhereTheTailStarts() {
        TailCache cache = new TailCache(400);
        assertEquals(null, cache.oldestPosition(1));
        cache.put(1, event(4, 50));
        assertEquals(4L, cache.oldestPosition(1));
        assertEquals(null, cache.oldestPosition(2), "a later file is entirely after the tail's start");
        cache.put(1, event(54, 50));
        cache.put(2, event(4, 50)); // 3 x (50 + 96) > 400: the oldest goes
        assertEquals(54L, cache.oldestPosition(1));
        assertEquals(null, cache.get(1, 4));
        cache.clear();
        assertEquals(null, cache.oldestPosition(1));
    }

    @Test
    void nodesLinkInPutOrderAndEvictionCutsTheLink() {
        TailCache cache = new TailCache(400);
        cache.put(1, event(4, 50));
        TailCache.Node first = cache.node(1, 4);
        cache.put(1, event(54, 50));
        TailCache.Node second = cache.node(1, 54);
        assertSame(second, first.next);
        cache.put(1, event(104, 50)); // evicts the first
        assertNull(first.next, "a reader stalled on an evicted node holds only that event");
        assertSame(cache.node(1, 104), second.next);
        cache.put(1, event(154, 5000)); // too big to cache: the chain does not jump over it
        cache.put(1, event(5154, 50));
        assertNull(cache.node(1, 104).next);
    }

    @Test
    void eventLargerThanTheBudgetIsNotCached() {
        TailCache cache = new TailCache(1000);
        cache.put(1, event(4, 200));
        cache.put(1, event(204, 5000));
        assertEquals(1, cache.entries());
        assertNotNull(cache.get(1, 4), "a huge event does not flush the tail");
        assertNull(cache.get(1, 204));
    }
}
