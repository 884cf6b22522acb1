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
 * <p><b>Statistics count reads, not lookups.</b> An event served from here is a hit; an event a reader got
 * from RocksDB (through the {@link SegmentCache}) is a miss, recorded by the cursor. Positions older than the
 * oldest cached entry are not looked up at all, so a reader far behind costs the cache nothing.
 *
 * <p>Threading: {@link #put} and {@link #clear} from the writer thread only; lookups from any thread.
 */
final class TailCache {
    /** Per-entry overhead counted on top of the event bytes: key, node, map node. */
    static final int ENTRY_OVERHEAD = 96;

    private final long maxBytes;
    private final ConcurrentStatsCounter stats = new ConcurrentStatsCounter();
    private final Cache<EventKey, Node> cache;
    /** Insertion (= key) order of the cached entries; writer thread only. */
    private final ArrayDeque<Node> order = new ArrayDeque<>();
    private final AtomicLong bytes = new AtomicLong();
    /** Key of the oldest cached entry, or null when empty; readers before it skip the lookup. */
    private volatile EventKey oldest;
    /** The newest node, which the next put links to; writer thread only. */
    private Node newest;

    private record EventKey(long fileSeq, long position) {
        boolean isAfter(long seq, long pos) {
            return fileSeq > seq || (fileSeq == seq && position > pos);
        }
    }

    /**
     * A cached event and a link to the one put after it, so a reader at the tail walks from event to event
     * without a map lookup. Eviction cuts the link of the evicted node: a reader stalled on it holds that one
     * event, never the chain behind it.
     */
    static final class Node {
        final long fileSeq;
        final StoredEvent event;
        volatile Node next;

        Node(long fileSeq, StoredEvent event) {
            this.fileSeq = fileSeq;
            this.event = event;
        }
    }

    TailCache(long maxBytes) {
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder().recordStats(() -> stats).build();
    }

    static long weigh(StoredEvent e) {
        return e.length() + (long) ENTRY_OVERHEAD;
    }

    /** Adds a just-committed event and evicts the oldest entries beyond the budget. Writer thread only. */
    void put(long fileSeq, StoredEvent e) {
        long weight = weigh(e);
        if (weight > maxBytes) {
            newest = null; // would evict everything, itself included; the chain restarts after it
            return;
        }
        EventKey key = new EventKey(fileSeq, e.position());
        Node node = new Node(fileSeq, e);
        cache.put(key, node);
        order.addLast(node);
        if (newest != null) {
            newest.next = node;
        }
        newest = node;
        if (oldest == null) {
            oldest = key;
        }
        long total = bytes.addAndGet(weight);
        if (total > maxBytes) {
            while (total > maxBytes) {
                Node evicted = order.pollFirst();
                cache.invalidate(new EventKey(evicted.fileSeq, evicted.event.position()));
                evicted.next = null;
                long w = weigh(evicted.event);
                stats.recordEviction((int) Math.min(Integer.MAX_VALUE, w), RemovalCause.SIZE);
                total = bytes.addAndGet(-w);
            }
            Node first = order.peekFirst();
            oldest = first == null ? null : new EventKey(first.fileSeq, first.event.position());
            if (first == null) {
                newest = null;
            }
        }
    }

    /**
     * The cached node of the event at (fileSeq, position), or null; a position before the oldest cached event
     * is not even looked up. Not counted: the reader counts what it serves ({@link #recordHits}).
     */
    Node node(long fileSeq, long position) {
        EventKey first = oldest;
        if (first == null || first.isAfter(fileSeq, position)) {
            return null;
        }
        return cache.asMap().get(new EventKey(fileSeq, position));
    }

    /** The cached event at (fileSeq, position), or null; a hit is counted. */
    StoredEvent get(long fileSeq, long position) {
        Node n = node(fileSeq, position);
        if (n == null) {
            return null;
        }
        stats.recordHits(1);
        return n.event;
    }

    /**
     * Where the cached tail starts in file {@code fileSeq}: the oldest cached position if the oldest entry is
     * in that file, else null (the tail starts in a later file, or nothing is cached, or it starts earlier).
     */
    Long oldestPosition(long fileSeq) {
        EventKey first = oldest;
        return first != null && first.fileSeq() == fileSeq ? first.position() : null;
    }

    /** Counts events readers got from this cache. */
    void recordHits(int count) {
        if (count > 0) {
            stats.recordHits(count);
        }
    }

    /** Counts events readers got from RocksDB instead. */
    void recordMisses(int count) {
        if (count > 0) {
            stats.recordMisses(count);
        }
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
        for (Node n : order) {
            n.next = null;
        }
        order.clear();
        bytes.set(0);
        oldest = null;
        newest = null;
    }
}
