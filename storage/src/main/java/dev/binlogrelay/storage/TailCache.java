package dev.binlogrelay.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hot tail: the most recently committed events, up to a byte budget, keyed by (file sequence, position).
 *
 * <p>The writer puts every committed event (before publishing the commit, so a reader woken by it hits);
 * readers only look up. Events that readers load from RocksDB are never inserted, so a reader far behind
 * cannot push the tail out.
 *
 * <p><b>Eviction is strictly oldest-first, by bytes, done by the writer.</b> Caffeine's own size bound uses
 * W-TinyLFU, which admits a new entry only if it is used more often than the entry it would evict. For an
 * append-only log read in order that is the wrong bet: measured on this access pattern (each event read once
 * or twice right after it is written, by readers a little behind), a weight-bounded Caffeine cache kept only
 * 25–85% of the newest window and reader hit rates fell accordingly. So Caffeine holds the entries (a
 * concurrent map with hit/miss statistics) without a bound, and the writer, which inserts in key order,
 * drops from the front of its insertion queue once the weighed size exceeds the budget. Those removals are
 * reported to Caffeine's statistics as size evictions.
 *
 * <p>Threading: {@link #put} and {@link #clear} from the writer thread only; {@link #get} from any thread.
 */
final class TailCache {
    /** Per-entry overhead counted on top of the event bytes: key, record, map node. */
    static final int ENTRY_OVERHEAD = 96;

    private final long maxBytes;
    private final ConcurrentStatsCounter stats = new ConcurrentStatsCounter();
    private final Cache<EventKey, StoredEvent> cache;
    /** Insertion (= key) order of the cached entries; writer thread only. */
    private final ArrayDeque<Entry> order = new ArrayDeque<>();
    private final AtomicLong bytes = new AtomicLong();

    private record EventKey(long fileSeq, long position) {
    }

    private record Entry(EventKey key, long weight) {
    }

    TailCache(long maxBytes) {
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder().recordStats(() -> stats).build();
    }

    static long weigh(StoredEvent e) {
        return e.bytes().length + (long) ENTRY_OVERHEAD;
    }

    /** Adds a just-committed event and evicts the oldest entries beyond the budget. Writer thread only. */
    void put(long fileSeq, StoredEvent e) {
        long weight = weigh(e);
        if (weight > maxBytes) {
            return; // would evict everything, itself included
        }
        EventKey key = new EventKey(fileSeq, e.position());
        cache.put(key, e);
        order.addLast(new Entry(key, weight));
        long total = bytes.addAndGet(weight);
        while (total > maxBytes) {
            Entry oldest = order.pollFirst();
            cache.invalidate(oldest.key());
            stats.recordEviction((int) Math.min(Integer.MAX_VALUE, oldest.weight()), RemovalCause.SIZE);
            total = bytes.addAndGet(-oldest.weight());
        }
    }

    /** The cached event at (fileSeq, position), or null; counted as a hit or a miss. */
    StoredEvent get(long fileSeq, long position) {
        return cache.getIfPresent(new EventKey(fileSeq, position));
    }

    /** True if the event is cached; not counted in the statistics. */
    boolean contains(long fileSeq, long position) {
        return cache.asMap().containsKey(new EventKey(fileSeq, position));
    }

    CacheStats stats() {
        return cache.stats();
    }

    long bytes() {
        return bytes.get();
    }

    long entries() {
        return cache.estimatedSize();
    }

    long maxBytes() {
        return maxBytes;
    }

    void clear() {
        cache.invalidateAll();
        order.clear();
        bytes.set(0);
    }
}
