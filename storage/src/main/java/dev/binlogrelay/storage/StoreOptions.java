package dev.binlogrelay.storage;

import org.rocksdb.CompressionType;

import java.util.Arrays;
import java.util.Locale;

/**
 * Tuning of a {@link BinlogStore}. Start from {@link #defaults()} and change what you need with the
 * {@code with…} methods; the canonical constructor validates every value.
 *
 * @param sync                  when the WAL is fsynced, which is when a group becomes visible ({@link SyncMode})
 * @param cacheBytes            size of the hot-tail cache of recent events, weighed by event bytes; 0 disables it
 * @param writeBufferBytes      RocksDB memtable size of the events column family
 * @param compression           RocksDB compression of the events on the upper levels, by enum name
 *                              ({@code LZ4_COMPRESSION}) or library name ({@code lz4})
 * @param bottommostCompression compression of the bottom level, where old binlog spends most of its life
 * @param blockCacheBytes       RocksDB block cache, serving readers far behind the tail
 * @param minFreeBytes          free space the file system must keep after a write: a batch that would leave less is
 *                              refused (ingestion stops with "disk full" and resumes once there is room), so
 *                              RocksDB itself never runs out of space in the middle of a WAL write (which it cannot
 *                              undo without a restart) and still has room to flush and compact; 0 turns the check off
 * @param segmentCacheBytes     cache of decoded event segments behind the tail, shared by readers reading the
 *                              same stretch of old binlog (see {@link SegmentCache}); 0 disables sharing
 */
public record StoreOptions(SyncMode sync, long cacheBytes, long writeBufferBytes,
                           String compression, String bottommostCompression, long blockCacheBytes,
                           long minFreeBytes, long segmentCacheBytes) {
    /** Longest accepted group-commit interval: readers wait up to this long for every new transaction. */
    public static final long MAX_SYNC_INTERVAL_MILLIS = SyncMode.MAX_INTERVAL_MILLIS;

    public StoreOptions {
        java.util.Objects.requireNonNull(sync, "sync");
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("cacheBytes must be >= 0, got " + cacheBytes);
        }
        if (writeBufferBytes < (1 << 20)) {
            throw new IllegalArgumentException("writeBufferBytes must be at least 1 MiB, got " + writeBufferBytes);
        }
        if (blockCacheBytes < 0) {
            throw new IllegalArgumentException("blockCacheBytes must be >= 0, got " + blockCacheBytes);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must be >= 0, got " + minFreeBytes);
        }
        if (segmentCacheBytes < 0) {
            throw new IllegalArgumentException("segmentCacheBytes must be >= 0, got " + segmentCacheBytes);
        }
        compressionType(compression);
        compressionType(bottommostCompression);
    }

    /**
     * Durable (sync per group), a 64 MiB hot cache, a 64 MiB memtable (a 20 MiB row event fits without forcing
     * an early flush), no compression above the bottom level and LZ4 at the bottom (see {@link RocksTuning}),
     * a 32 MiB block cache, a 64 MiB segment cache, 256 MiB kept free (room for RocksDB to
     * flush a few memtables and compact).
     */
    public static StoreOptions defaults() {
        return new StoreOptions(SyncMode.EVERY_GROUP, 64L << 20, 64L << 20, "NO_COMPRESSION", "LZ4_COMPRESSION", 32L << 20, 256L << 20,
                64L << 20);
    }

    public StoreOptions withSync(SyncMode mode) {
        return new StoreOptions(mode, cacheBytes, writeBufferBytes, compression, bottommostCompression, blockCacheBytes,
                minFreeBytes, segmentCacheBytes);
    }

    /** False: {@link SyncMode#NONE}. True: an fsync per group, or the interval already chosen. */
    public StoreOptions withSyncEachGroup(boolean sync) {
        return withSync(!sync ? SyncMode.NONE : this.sync instanceof SyncMode.None ? SyncMode.EVERY_GROUP : this.sync);
    }

    /**
     * Group commit on a timer ({@code millis} > 0); 0 leaves no interval (an fsync per group, by each append or by
     * the syncer as {@link SyncMode.GroupCommit} was chosen, or none if none was chosen).
     */
    public StoreOptions withSyncIntervalMillis(long millis) {
        if (millis < 0 || millis > MAX_SYNC_INTERVAL_MILLIS) {
            throw new IllegalArgumentException("syncIntervalMillis must be between 0 and " + MAX_SYNC_INTERVAL_MILLIS
                    + ", got " + millis);
        }
        if (millis > 0) {
            return withSync(new SyncMode.Interval(millis));
        }
        return withSync(sync instanceof SyncMode.None ? SyncMode.NONE
                : sync instanceof SyncMode.GroupCommit ? SyncMode.GROUP_COMMIT : SyncMode.EVERY_GROUP);
    }

    /** True unless {@link SyncMode#NONE}: a group is durable before readers see it. */
    public boolean syncEachGroup() {
        return !(sync instanceof SyncMode.None);
    }

    /** True when appends are fsynced by the timer of a {@link SyncMode.Interval}, not by each append. */
    public boolean syncOnInterval() {
        return sync instanceof SyncMode.Interval;
    }

    /** The interval's milliseconds; 0 without one. */
    public long syncIntervalMillis() {
        return sync instanceof SyncMode.Interval i ? i.millis() : 0;
    }

    public StoreOptions withCacheBytes(long bytes) {
        return new StoreOptions(sync, bytes, writeBufferBytes, compression, bottommostCompression, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withWriteBufferBytes(long bytes) {
        return new StoreOptions(sync, cacheBytes, bytes, compression, bottommostCompression, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withCompression(String upper, String bottommost) {
        return new StoreOptions(sync, cacheBytes, writeBufferBytes, upper, bottommost, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withBlockCacheBytes(long bytes) {
        return new StoreOptions(sync, cacheBytes, writeBufferBytes, compression, bottommostCompression, bytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withMinFreeBytes(long bytes) {
        return new StoreOptions(sync, cacheBytes, writeBufferBytes, compression,
                bottommostCompression, blockCacheBytes, bytes, segmentCacheBytes);
    }

    /**
     * Checks a compression name ({@code lz4}, {@code ZSTD_COMPRESSION}, {@code none}, ...) and returns RocksDB's
     * enum name for it.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static String checkCompression(String name) {
        return compressionType(name).name();
    }

    public StoreOptions withSegmentCacheBytes(long bytes) {
        return new StoreOptions(sync, cacheBytes, writeBufferBytes, compression,
                bottommostCompression, blockCacheBytes, minFreeBytes, bytes);
    }

    /** Resolves a compression name: the enum name ({@code ZSTD_COMPRESSION}) or the library name ({@code zstd}). */
    static CompressionType compressionType(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("compression must be named; one of " + Arrays.toString(CompressionType.values()));
        }
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (CompressionType t : CompressionType.values()) {
            if (t == CompressionType.DISABLE_COMPRESSION_OPTION) {
                continue;
            }
            String library = t.getLibraryName();
            if (t.name().equals(upper) || (library != null && library.equalsIgnoreCase(name.trim()))
                    || (t == CompressionType.NO_COMPRESSION && upper.equals("NONE"))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown RocksDB compression '" + name + "'; use one of "
                + Arrays.toString(CompressionType.values()) + " or a library name such as lz4, zstd, snappy, none");
    }
}
