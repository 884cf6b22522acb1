package dev.binlogrelay.storage;

import org.rocksdb.CompressionType;

import java.util.Arrays;
import java.util.Locale;

/**
 * Tuning of a {@link BinlogStore}. Start from {@link #defaults()} and change what you need with the
 * {@code with…} methods; the canonical constructor validates every value.
 *
 * @param syncEachGroup         fsync the WAL before a group becomes visible (the durability contract: a reader
 *                              never receives a group that a crash could take back). Off only for tests and
 *                              benchmarks; must be on with a sync interval.
 * @param syncIntervalMillis    0: every append is fsynced before it returns (storage.sync: every_transaction).
 *                              More: group commit on a timer (storage.sync: 10ms): appends are written to the WAL
 *                              without fsync, and a background thread fsyncs the WAL at most once per interval
 *                              and only then makes the groups it covers visible. Same contract, fewer fsyncs.
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
public record StoreOptions(boolean syncEachGroup, long syncIntervalMillis, long cacheBytes, long writeBufferBytes,
                           String compression, String bottommostCompression, long blockCacheBytes,
                           long minFreeBytes, long segmentCacheBytes) {
    /** Longest accepted group-commit interval: readers wait up to this long for every new transaction. */
    public static final long MAX_SYNC_INTERVAL_MILLIS = 10_000;

    public StoreOptions {
        if (syncIntervalMillis < 0 || syncIntervalMillis > MAX_SYNC_INTERVAL_MILLIS) {
            throw new IllegalArgumentException("syncIntervalMillis must be between 0 and " + MAX_SYNC_INTERVAL_MILLIS
                    + ", got " + syncIntervalMillis);
        }
        if (syncIntervalMillis > 0 && !syncEachGroup) {
            throw new IllegalArgumentException("a sync interval needs syncEachGroup (the interval is how groups are synced)");
        }
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
        return new StoreOptions(true, 0, 64L << 20, 64L << 20, "NO_COMPRESSION", "LZ4_COMPRESSION", 32L << 20, 256L << 20,
                64L << 20);
    }

    public StoreOptions withSyncEachGroup(boolean sync) {
        return new StoreOptions(sync, sync ? syncIntervalMillis : 0, cacheBytes, writeBufferBytes, compression, bottommostCompression, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    /** Group commit on a timer ({@code millis} > 0), or an fsync per append (0). */
    public StoreOptions withSyncIntervalMillis(long millis) {
        return new StoreOptions(millis > 0 || syncEachGroup, millis, cacheBytes, writeBufferBytes, compression,
                bottommostCompression, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    /** True when appends are fsynced by the timer of {@link #syncIntervalMillis()}, not by each append. */
    public boolean syncOnInterval() {
        return syncIntervalMillis > 0;
    }

    public StoreOptions withCacheBytes(long bytes) {
        return new StoreOptions(syncEachGroup, syncIntervalMillis, bytes, writeBufferBytes, compression, bottommostCompression, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withWriteBufferBytes(long bytes) {
        return new StoreOptions(syncEachGroup, syncIntervalMillis, cacheBytes, bytes, compression, bottommostCompression, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withCompression(String upper, String bottommost) {
        return new StoreOptions(syncEachGroup, syncIntervalMillis, cacheBytes, writeBufferBytes, upper, bottommost, blockCacheBytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withBlockCacheBytes(long bytes) {
        return new StoreOptions(syncEachGroup, syncIntervalMillis, cacheBytes, writeBufferBytes, compression, bottommostCompression, bytes, minFreeBytes, segmentCacheBytes);
    }

    public StoreOptions withMinFreeBytes(long bytes) {
        return new StoreOptions(syncEachGroup, syncIntervalMillis, cacheBytes, writeBufferBytes, compression,
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
        return new StoreOptions(syncEachGroup, syncIntervalMillis, cacheBytes, writeBufferBytes, compression,
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
