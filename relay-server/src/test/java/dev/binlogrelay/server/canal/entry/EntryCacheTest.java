package dev.binlogrelay.server.canal.entry;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared cache of decoded entries: one decode per key, oldest-first eviction by bytes, counted as it goes. */
class EntryCacheTest {
    private static List<EncodedEntry> value(int bytes) {
        return List.of(new EncodedEntry("s", "t", ByteString.copyFrom(new byte[bytes])));
    }

    @Test
    void streamsAskingForTheSameEventTogetherDecodeItOnce() throws Exception {
        AtomicLong counted = new AtomicLong();
        EntryCache cache = new EntryCache(1 << 20, counted::addAndGet);
        AtomicInteger decodes = new AtomicInteger();
        CountDownLatch decoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<EncodedEntry> v = value(100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<List<EncodedEntry>> first = pool.submit(() -> cache.get(new EntryCache.Key("f", 4), () -> {
                decodes.incrementAndGet();
                decoding.countDown();
                await(release);
                return v;
            }));
            assertTrue(decoding.await(5, TimeUnit.SECONDS));
            List<Future<List<EncodedEntry>>> others = List.of(
                    pool.submit(() -> cache.get(new EntryCache.Key("f", 4), () -> { decodes.incrementAndGet(); return v; })),
                    pool.submit(() -> cache.get(new EntryCache.Key("f", 4), () -> { decodes.incrementAndGet(); return v; })));
            release.countDown();
            assertEquals(v, first.get(5, TimeUnit.SECONDS));
            for (var f : others) {
                assertEquals(v, f.get(5, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, decodes.get());
        assertEquals(1, cache.misses());
        assertEquals(2, cache.hits());
        assertEquals(cache.bytes(), counted.get());
        assertTrue(cache.bytes() >= 100);
    }

    private static void await(CountDownLatch l) {
        try {
            assertTrue(l.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theOldestValuesGoFirstWhenTheBytesAreSpent() {
        AtomicLong counted = new AtomicLong();
        EntryCache cache = new EntryCache(10_000, counted::addAndGet);
        for (int i = 0; i < 20; i++) {
            cache.get(new EntryCache.Key("f", i), () -> value(1000));
        }
        assertTrue(cache.bytes() <= 10_000, cache.bytes() + " bytes kept");
        assertEquals(cache.bytes(), counted.get(), "what is kept is what the budget was told");
        AtomicInteger decodes = new AtomicInteger();
        cache.get(new EntryCache.Key("f", 19), () -> { decodes.incrementAndGet(); return value(1000); });
        assertEquals(0, decodes.get(), "the newest is still there");
        cache.get(new EntryCache.Key("f", 0), () -> { decodes.incrementAndGet(); return value(1000); });
        assertEquals(1, decodes.get(), "the oldest was evicted");
        cache.clear();
        assertEquals(0, cache.bytes());
        assertEquals(0, counted.get());
    }

    @Test
    void aFailedDecodeIsNotCachedAndAValueTooBigIsNotKept() {
        EntryCache cache = new EntryCache(8_000, n -> { });
        EntryCache.Key k = new EntryCache.Key("f", 4);
        assertThrows(IllegalStateException.class, () -> cache.get(k, () -> { throw new IllegalStateException("bad"); }));
        List<EncodedEntry> v = value(10);
        assertSame(v.get(0), cache.get(k, () -> v).get(0), "decoded again after the failure");
        cache.get(new EntryCache.Key("f", 5), () -> value(5_000));
        AtomicInteger decodes = new AtomicInteger();
        cache.get(new EntryCache.Key("f", 5), () -> { decodes.incrementAndGet(); return value(5_000); });
        assertEquals(1, decodes.get(), "over an eighth of the bound: handed out, not kept");
    }

    /**
     * A stream whose decode of a key fails never hands its error to another stream asking for the same key at the
     * same moment: that one decodes the event itself (before, its getNow could throw the first stream's error).
     * Races the two many times, the second asking just as the first fails.
     */
    @Test
    void anotherStreamsFailedDecodeIsNotThisStreamsError() throws Exception {
        EntryCache cache = new EntryCache(1 << 20, n -> { });
        List<EncodedEntry> v = value(10);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                EntryCache.Key key = new EntryCache.Key("f", i);
                CountDownLatch asking = new CountDownLatch(1);
                CountDownLatch owning = new CountDownLatch(1);
                Future<?> failing = pool.submit(() -> cache.get(key, () -> {
                    owning.countDown();
                    await(asking);
                    throw new IllegalStateException("the first stream's decode failed");
                }));
                assertTrue(owning.await(5, TimeUnit.SECONDS));
                Future<List<EncodedEntry>> second = pool.submit(() -> {
                    asking.countDown();
                    return cache.get(key, () -> v);
                });
                assertEquals(v, second.get(5, TimeUnit.SECONDS), "at " + i);
                assertThrows(java.util.concurrent.ExecutionException.class, () -> failing.get(5, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A stream asking for a key another stream is decoding waits for that decode however long it takes, rather than
     * decoding the same event again after a second (the owner always completes the slot, also when it fails).
     */
    @Test
    void aSlowDecodeIsWaitedForNotRepeated() throws Exception {
        EntryCache cache = new EntryCache(1 << 20, n -> { });
        List<EncodedEntry> v = value(10);
        AtomicInteger decodes = new AtomicInteger();
        CountDownLatch decoding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<EncodedEntry>> owner = pool.submit(() -> cache.get(new EntryCache.Key("f", 4), () -> {
                decodes.incrementAndGet();
                decoding.countDown();
                await(release);
                return v;
            }));
            assertTrue(decoding.await(5, TimeUnit.SECONDS));
            Future<List<EncodedEntry>> waiter = pool.submit(() -> cache.get(new EntryCache.Key("f", 4),
                    () -> { decodes.incrementAndGet(); return value(10); }));
            assertThrows(java.util.concurrent.TimeoutException.class, () -> waiter.get(1500, TimeUnit.MILLISECONDS),
                    "still waiting for the owner after 1.5 s");
            release.countDown();
            assertSame(owner.get(5, TimeUnit.SECONDS), waiter.get(5, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, decodes.get(), "decoded once");
    }

    @Test
    void aDecodeInTwoPartsRunsOnceWhoeverAsksAndIsKept() throws Exception {
        AtomicLong counted = new AtomicLong();
        EntryCache cache = new EntryCache(1 << 20, counted::addAndGet);
        AtomicInteger firstParts = new AtomicInteger();
        AtomicInteger rests = new AtomicInteger();
        List<EncodedEntry> v = value(100);
        EntryCache.Key k = new EntryCache.Key("f", 4);
        Deferred a = cache.later(k, () -> {
            firstParts.incrementAndGet();
            return () -> { rests.incrementAndGet(); return v; };
        });
        assertEquals(1, firstParts.get(), "the first part runs at once, in the stream's order");
        assertEquals(0, rests.get(), "the rest waits for a worker or a reader");
        Deferred b = cache.later(k, () -> { firstParts.incrementAndGet(); return () -> v; });
        assertSame(a, b, "a second stream shares the decode under way");
        assertEquals(0, counted.get(), "nothing counted before it is made");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<EncodedEntry>> viaGet = pool.submit(() -> cache.get(k, () -> { firstParts.incrementAndGet(); return v; }));
            pool.execute(a::run);
            assertEquals(v, b.join());
            assertEquals(v, viaGet.get(5, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, firstParts.get());
        assertEquals(1, rests.get());
        assertEquals(1, cache.misses());
        assertEquals(cache.bytes(), counted.get(), "kept once made");
        assertTrue(cache.bytes() >= 100);
        assertTrue(cache.later(k, () -> { throw new AssertionError("cached"); }).isDone());

        EntryCache.Key bad = new EntryCache.Key("f", 5);
        Deferred failing = cache.later(bad, () -> () -> { throw new IllegalStateException("bad rows"); });
        assertThrows(IllegalStateException.class, failing::join);
        assertEquals(v, cache.later(bad, () -> () -> v).join(), "a failed decode is not kept");
    }
}
