package dev.binlogrelay.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events behind the hot tail, read from RocksDB in segments that readers share.
 *
 * <p>A segment is every event of one file whose start position lies in one aligned window of
 * {@code 1 << SHIFT} bytes of the file. Reading a whole segment costs one iterator and one seek, after which
 * a cursor walks a plain array: no lock, no map lookup and no native call per event. When many readers go
 * through the same stretch of old binlog (a fan-out after a restart, replicas catching up together), the
 * first one loads a segment and the others get the same array from this cache; Caffeine runs one load per
 * key while the others wait for it.
 *
 * <p>Only <em>complete</em> segments are cached: the committed end lies at or past the window's end (or the
 * file is no longer the newest). Their content can never change, because the store only appends after the
 * committed end and purges whole files. A reader inside the newest, still growing window gets a private
 * partial segment up to the committed end it saw. A segment larger than an eighth of the budget (a window
 * holding a 20 MiB event) is handed to its reader but not cached.
 *
 * <p><b>Read-ahead.</b> When a cursor takes a complete segment, the next complete window (in the same file or
 * at the start of the next one) is loaded on a background thread, so the RocksDB read and decompression of
 * the next 256 KiB overlap with sending this one: a single reader catching up no longer alternates between
 * reading and sending on its event loop. Read-ahead requests beyond a short queue are dropped (the reader
 * then loads the window itself).
 *
 * <p>Memory: the cache is bounded by weight (event bytes plus per-event overhead), and each cursor holds at
 * most its current segment, so a reader far behind pins about one window of events.
 */
final class SegmentCache {
    /** Window size: 256 KiB of file positions. Large enough to amortise a seek, small enough per reader. */
    static final int SHIFT = 18;
    private static final int EVENT_OVERHEAD = 64;

    record Key(long fileSeq, long index) {
    }

    /** An immutable run of consecutive events of one file; {@code complete} if it is the whole window. */
    static final class Segment {
        final long fileSeq;
        final StoredEvent[] events;
        final boolean complete;
        final long weight;

        Segment(long fileSeq, StoredEvent[] events, boolean complete) {
            this.fileSeq = fileSeq;
            this.events = events;
            this.complete = complete;
            long w = 64;
            for (StoredEvent e : events) {
                w += e.bytes().length + EVENT_OVERHEAD;
            }
            this.weight = w;
        }

        /** Index of the event starting at {@code position}, or -1. */
        int indexOf(long position) {
            int lo = 0;
            int hi = events.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long p = events[mid].position();
                if (p < position) {
                    lo = mid + 1;
                } else if (p > position) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -1;
        }
    }

    private final long maxBytes;
    private final Cache<Key, Segment> cache;
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong loadedBytes = new AtomicLong();
    private final AtomicLong prefetches = new AtomicLong();
    private final ThreadPoolExecutor readAhead;

    SegmentCache(long maxBytes) {
        this.maxBytes = maxBytes;
        AtomicInteger threads = new AtomicInteger();
        this.readAhead = maxBytes == 0 ? null
                : new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), r -> {
                    Thread t = new Thread(r, "segment-read-ahead-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.DiscardPolicy());
        if (readAhead != null) {
            readAhead.allowCoreThreadTimeOut(true);
        }
        this.cache = maxBytes == 0 ? null
                : Caffeine.newBuilder()
                        .maximumWeight(maxBytes)
                        .weigher((Key k, Segment s) -> (int) Math.min(Integer.MAX_VALUE, s.weight))
                        .recordStats()
                        .build();
    }

    static long window(long position) {
        return position >>> SHIFT;
    }

    static long windowEnd(long index) {
        return (index + 1) << SHIFT;
    }

    /**
     * The segment holding {@code position} of file {@code fileSeq}: the whole window from the cache (loaded
     * once) when {@code committedTo} lies at or past its end, otherwise a private one up to {@code committedTo}.
     * Call under the store's read lock, with {@code committedTo} taken from the table published before.
     */
    Segment segmentAt(BinlogStore store, long fileSeq, String fileName, long position, long committedTo) {
        long index = window(position);
        long end = windowEnd(index);
        if (committedTo >= end) {
            if (cache == null) {
                return load(store, fileSeq, fileName, index << SHIFT, end, true);
            }
            Key key = new Key(fileSeq, index);
            Segment cached = cache.getIfPresent(key);
            if (cached != null) {
                return cached;
            }
            Segment loaded = cache.get(key, k -> load(store, fileSeq, fileName, index << SHIFT, end, true));
            if (loaded.weight > maxBytes / 8) {
                cache.invalidate(key); // a window holding huge events: used once by this reader, not kept
            }
            return loaded;
        }
        return load(store, fileSeq, fileName, position, committedTo, false);
    }

    /**
     * Loads the complete window {@code index} of file {@code fileSeq} into the cache in the background, unless
     * it is cached already. Only for windows that lie wholly before the committed end.
     */
    void readAhead(BinlogStore store, long fileSeq, String fileName, long index) {
        if (readAhead == null) {
            return;
        }
        Key key = new Key(fileSeq, index);
        if (cache.getIfPresent(key) != null) {
            return;
        }
        readAhead.execute(() -> {
            try {
                store.underReadLock(() -> cache.get(key, k -> {
                    prefetches.incrementAndGet();
                    return load(store, fileSeq, fileName, index << SHIFT, windowEnd(index), true);
                }));
            } catch (RuntimeException e) {
                // the store closed or a file was purged meanwhile: the reader, if any, will see it itself
            }
        });
    }

    private Segment load(BinlogStore store, long fileSeq, String fileName, long from, long to, boolean complete) {
        List<StoredEvent> events = new ArrayList<>();
        long bytes = 0;
        try (RocksIterator it = store.newEventIterator()) {
            it.seek(Keys.event(fileSeq, from));
            byte[] key = new byte[Keys.EVENT_KEY_LENGTH];
            while (it.isValid()) {
                int n = it.key(key);
                if (n != Keys.EVENT_KEY_LENGTH || Keys.eventFile(key) != fileSeq) {
                    break;
                }
                long pos = Keys.eventPosition(key);
                if (pos >= to) {
                    break;
                }
                StoredEvent e = Values.event(fileName, pos, it.value());
                bytes += e.bytes().length;
                events.add(e);
                it.next();
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw store.rocks().failure("read events " + fileName + ":" + from + ".." + to, e);
            }
        }
        loads.incrementAndGet();
        loadedBytes.addAndGet(bytes);
        return new Segment(fileSeq, events.toArray(StoredEvent[]::new), complete);
    }

    /** Drops the cached segments of files before {@code keepFromSeq} (after a purge). */
    void dropFilesBefore(long keepFromSeq) {
        if (cache != null) {
            cache.asMap().keySet().removeIf(k -> k.fileSeq() < keepFromSeq);
        }
    }

    void clear() {
        if (cache != null) {
            cache.invalidateAll();
        }
    }

    /** Stops the read-ahead threads (store close). */
    void shutdown() {
        if (readAhead != null) {
            readAhead.shutdownNow();
        }
    }

    /** True if window {@code index} of file {@code fileSeq} is cached. */
    boolean isCached(long fileSeq, long index) {
        return cache != null && cache.getIfPresent(new Key(fileSeq, index)) != null;
    }

    /** Windows loaded by read-ahead so far. */
    long prefetches() {
        return prefetches.get();
    }

    /** Segments read from RocksDB so far (cached or not). */
    long loads() {
        return loads.get();
    }

    long loadedBytes() {
        return loadedBytes.get();
    }

    CacheStats stats() {
        return cache == null ? CacheStats.empty() : cache.stats();
    }

    long weightedSize() {
        return cache == null ? 0 : cache.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L);
    }
}
