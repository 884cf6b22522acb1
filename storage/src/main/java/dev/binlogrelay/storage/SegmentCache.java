package dev.binlogrelay.storage;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
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
 * first one loads a segment and the others get the same array from this cache; one load runs per key while
 * the others wait for it.
 *
 * <p><b>Eviction is oldest-loaded first, by bytes.</b> Readers move forward through the binlog, so the segment
 * loaded longest ago is the one least likely to be wanted again. A frequency-based policy (Caffeine's
 * W-TinyLFU, used here at first) does the opposite for this pattern: once full, it keeps old segments that
 * eight readers each touched and refuses the new one the first reader just loaded, so the other seven load it
 * again; measured with 8 readers over a 1 GiB binlog, the relay then spent 0.8 CPU-s/GB against 0.3 at 64
 * readers.
 *
 * <p>Only <em>complete</em> segments are cached: the committed end lies at or past the window's end (or the
 * file is no longer the newest). Their content can never change, because the store only appends after the
 * committed end and purges whole files. A reader inside the newest, still growing window gets a private
 * partial segment up to the committed end it saw. A segment larger than an eighth of the budget and than
 * 1 MiB (a window holding a 20 MiB event) is handed to its reader but not cached.
 *
 * <p><b>Read-ahead.</b> When a cursor takes a complete segment, the next complete window (in the same file or
 * at the start of the next one) is loaded on a background thread, so the RocksDB read and decompression of
 * the next window overlap with sending this one: a single reader catching up no longer alternates between
 * reading and sending on its event loop. Read-ahead requests beyond a short queue are dropped (the reader
 * then loads the window itself).
 *
 * <p>Memory: the cache is bounded by weight (event bytes plus per-event overhead), and each cursor holds at
 * most its current segment, so a reader far behind pins about one window of events.
 */
final class SegmentCache {
    /**
     * Window size: 1 MiB of file positions. Large enough to amortise a seek, a segment load and its hand-off to
     * the event loop; small enough per reader, as a segment's events are views of the mapped event file (their
     * heap is the event objects). Was 256 KiB while segments held copies of the bytes; 1 MiB measured on a quiet
     * machine (1 GiB, fan-out, 2 x 3 runs each): one reader 0.86-0.92 CPU s/GB against 0.98-1.15 with 256 KiB,
     * 8 readers 0.38-0.54 against 0.44-0.56 (the primary 0.79-0.96 and 0.61-0.67 in the same runs).
     */
    static final int SHIFT = 20;
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
                w += e.length() + EVENT_OVERHEAD;
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
    /** Null when caching is off (0 bytes). */
    private final ConcurrentHashMap<Key, Segment> cache;
    /** Keys in load order; may hold keys already dropped (skipped on eviction). */
    private final ConcurrentLinkedQueue<Key> order = new ConcurrentLinkedQueue<>();
    private final AtomicLong weight = new AtomicLong();
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong prefetches = new AtomicLong();
    private final ThreadPoolExecutor readAhead;
    /**
     * Loads for readers that must not wait ({@link BinlogCursor#nextWithoutWaiting()}); unlike read-ahead, never
     * dropped. Each reader has at most one pending, so the queue is bounded by the number of readers.
     */
    private final ThreadPoolExecutor loader;
    private final ConcurrentHashMap<Key, CompletableFuture<Void>> loading = new ConcurrentHashMap<>();
    /**
     * Windows loaded lately (cached or already evicted), newest last, at most {@link #RECENT} of them. A read-ahead
     * that runs late, after the readers it was meant for passed the window and loaded it themselves, must not load
     * it again: that old window would then count as the newest and evict one the readers still need.
     */
    private final Set<Key> recentlyLoaded = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Key> recentOrder = new ConcurrentLinkedQueue<>();
    private static final int RECENT = 1024;

    SegmentCache(long maxBytes) {
        this.maxBytes = maxBytes;
        // read-ahead requests beyond a short queue are dropped; loads for waiting readers never are
        this.readAhead = maxBytes == 0 ? null
                : daemonPool("segment-read-ahead-", new ArrayBlockingQueue<>(32), new ThreadPoolExecutor.DiscardPolicy());
        this.loader = maxBytes == 0 ? null
                : daemonPool("segment-loader-", new LinkedBlockingQueue<>(), new ThreadPoolExecutor.AbortPolicy());
        this.cache = maxBytes == 0 ? null : new ConcurrentHashMap<>();
    }

    /**
     * Threads of each background pool (read-ahead, loader). One each: a reader catching up then cannot take every
     * core from the event loops and the upstream writer. Measured with a 1 GiB catch-up and 16 tail readers,
     * fsync per burst: tail p99 during the catch-up 114 ms with two threads each, 34 ms with one (median of 3,
     * noisy); fan-out unchanged (N=1 786, N=8 3290, N=64 5012 MB/s on 512 MiB).
     */
    static final int THREADS = 1;

    /** {@link #THREADS} daemon threads that end when idle for 30 s. */
    private static ThreadPoolExecutor daemonPool(String namePrefix, BlockingQueue<Runnable> queue,
                                                 RejectedExecutionHandler whenFull) {
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, namePrefix + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, whenFull);
        pool.allowCoreThreadTimeOut(true);
        return pool;
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
    Segment segmentAt(StoreContext ctx, long fileSeq, String fileName, long position, long committedTo) {
        long index = window(position);
        long end = windowEnd(index);
        if (committedTo >= end) {
            if (cache == null) {
                return load(ctx, fileSeq, fileName, index << SHIFT, end, true);
            }
            return cached(new Key(fileSeq, index), k -> load(ctx, fileSeq, fileName, index << SHIFT, end, true));
        }
        return load(ctx, fileSeq, fileName, position, committedTo, false);
    }

    /**
     * Loads the complete window {@code index} of file {@code fileSeq} into the cache in the background, unless
     * it is cached already. Only for windows that lie wholly before the committed end.
     */
    void readAhead(StoreContext ctx, long fileSeq, String fileName, long index) {
        if (readAhead == null) {
            return;
        }
        Key key = new Key(fileSeq, index);
        if (cache.containsKey(key) || recentlyLoaded.contains(key)) {
            return;
        }
        readAhead.execute(() -> {
            if (recentlyLoaded.contains(key)) {
                return; // a reader got there first
            }
            loadWhole(ctx, key, fileName, prefetches);
        });
    }

    /**
     * On a background thread: puts the complete window {@code key} into the cache unless it is there, counting a
     * load in {@code counter} if given. A failure (the store closed, the file purged) is left to the reader's own
     * read, which reports it.
     */
    private void loadWhole(StoreContext ctx, Key key, String fileName, AtomicLong counter) {
        try {
            ctx.underReadLock(() -> cached(key, k -> {
                if (counter != null) {
                    counter.incrementAndGet();
                }
                return load(ctx, key.fileSeq(), fileName, key.index() << SHIFT, windowEnd(key.index()), true);
            }));
        } catch (RuntimeException e) {
            // see above
        }
    }

    /**
     * Loads the complete window {@code index} of file {@code fileSeq} into the cache on a loader thread; returns
     * a future completed when it is there (normally, even if the load failed: the caller then loads it itself
     * and sees the error), or null when caching is off. Concurrent requests for one window share a load.
     */
    CompletableFuture<Void> loadInBackground(StoreContext ctx, long fileSeq, String fileName, long index) {
        if (loader == null) {
            return null;
        }
        Key key = new Key(fileSeq, index);
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> existing = loading.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        try {
            loader.execute(() -> {
                try {
                    loadWhole(ctx, key, fileName, null);
                } finally {
                    loading.remove(key, mine);
                    mine.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            loading.remove(key, mine);
            mine.complete(null); // shut down: the reader's own call reports the closed store
        }
        return mine;
    }

    /** The cached segment of {@code key}, loaded (once, others wait) and added if absent; evicts oldest first. */
    private Segment cached(Key key, Function<Key, Segment> loader) {
        Segment s = cache.get(key);
        if (s != null) {
            return s;
        }
        boolean[] loadedHere = {false};
        s = cache.computeIfAbsent(key, k -> {
            loadedHere[0] = true;
            return loader.apply(k);
        });
        if (!loadedHere[0]) {
            return s; // another reader loaded it meanwhile
        }
        if (s.weight > Math.max(maxBytes / 8, 4L << SHIFT)) {
            cache.remove(key, s); // a window holding huge events: used by this reader, not kept
            return s;
        }
        order.add(key);
        if (recentlyLoaded.add(key)) {
            recentOrder.add(key);
            if (recentlyLoaded.size() > RECENT) {
                Key old = recentOrder.poll();
                if (old != null) {
                    recentlyLoaded.remove(old);
                }
            }
        }
        long total = weight.addAndGet(s.weight);
        while (total > maxBytes) {
            Key oldest = order.poll();
            if (oldest == null) {
                // only if a purge raced with this load: recount what is held
                weight.set(cache.values().stream().mapToLong(x -> x.weight).sum());
                break;
            }
            Segment gone = cache.remove(oldest);
            total = gone == null ? weight.get() : weight.addAndGet(-gone.weight);
        }
        return s;
    }

    /** The events of file {@code fileSeq} starting in [from, to), read from RocksDB by {@link ChunkReader}. */
    private Segment load(StoreContext ctx, long fileSeq, String fileName, long from, long to, boolean complete) {
        List<StoredEvent> events = ChunkReader.read(ctx, fileSeq, fileName, from, to);
        loads.incrementAndGet();
        return new Segment(fileSeq, events.toArray(StoredEvent[]::new), complete);
    }

    /** Drops the cached segments of files before {@code keepFromSeq} (after a purge). */
    void dropFilesBefore(long keepFromSeq) {
        if (cache != null) {
            for (Key k : cache.keySet()) {
                if (k.fileSeq() < keepFromSeq) {
                    Segment gone = cache.remove(k);
                    if (gone != null) {
                        weight.addAndGet(-gone.weight);
                    }
                }
            }
        }
    }

    void clear() {
        if (cache != null) {
            cache.clear();
            order.clear();
            recentlyLoaded.clear();
            recentOrder.clear();
            weight.set(0);
        }
    }

    /** Stops the read-ahead threads (store close). */
    void shutdown() {
        if (readAhead != null) {
            readAhead.shutdownNow();
        }
        if (loader != null) {
            loader.shutdownNow();
            loading.values().forEach(f -> f.complete(null));
        }
    }

    /** True if window {@code index} of file {@code fileSeq} is cached. */
    boolean isCached(long fileSeq, long index) {
        return cache != null && cache.containsKey(new Key(fileSeq, index));
    }

    /** Windows loaded by read-ahead so far. */
    long prefetches() {
        return prefetches.get();
    }

    /** Segments read from RocksDB so far (cached or not). */
    long loads() {
        return loads.get();
    }


    long weightedSize() {
        return weight.get();
    }
}
