package dev.binlogrelay.storage;

import com.github.benmanes.caffeine.cache.stats.CacheStats;

/**
 * Counters of a {@link BinlogStore} for metrics and tests: caches, cursors, listeners, storage errors. Reading them
 * never touches RocksDB, and they stay readable after the store is closed. Any thread.
 */
public final class StoreStats {
    private final StoreContext ctx;

    StoreStats(StoreContext ctx) {
        this.ctx = ctx;
    }

    /** Hit and miss counts of the hot-tail cache (Caffeine's statistics). */
    public CacheStats cacheStats() {
        return ctx.cache().stats();
    }

    /** Bytes held by the hot-tail cache, weighed as event bytes plus a small per-entry overhead. */
    public long cachedBytes() {
        return ctx.cache().bytes();
    }

    public long cachedEvents() {
        return ctx.cache().entries();
    }

    /** Segments of older binlog read from RocksDB so far (each shared by every reader of that stretch). */
    public long segmentLoads() {
        return ctx.segments().loads();
    }

    /** Bytes held by the segment cache. */
    public long segmentCacheBytes() {
        return ctx.segments().weightedSize();
    }

    /** Commit listeners registered now. */
    public int commitListeners() {
        return ctx.commitSignal().listenerCount();
    }

    /** Cursors opened and not yet closed. */
    public int openCursors() {
        return ctx.openCursors();
    }

    /** Writes and WAL syncs that failed since the store opened. */
    public long storageErrorCount() {
        return ctx.health().errorCount();
    }
}
