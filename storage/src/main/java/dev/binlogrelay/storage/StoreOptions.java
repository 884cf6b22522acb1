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
 *                              benchmarks.
 * @param cacheBytes            size of the hot-tail cache of recent events, weighed by event bytes; 0 disables it
 * @param writeBufferBytes      RocksDB memtable size of the events column family
 * @param compression           RocksDB compression of the events on the upper levels, by enum name
 *                              ({@code LZ4_COMPRESSION}) or library name ({@code lz4})
 * @param bottommostCompression compression of the bottom level, where old binlog spends most of its life
 * @param blockCacheBytes       RocksDB block cache, serving readers far behind the tail
 * @param segmentCacheBytes     cache of decoded event segments behind the tail, shared by readers reading the
 *                              same stretch of old binlog (see {@link SegmentCache}); 0 disables sharing
 */
public record StoreOptions(boolean syncEachGroup, long cacheBytes, long writeBufferBytes, String compression,
                           String bottommostCompression, long blockCacheBytes, long segmentCacheBytes) {

    public StoreOptions {
        if (cacheBytes < 0) {
            throw new IllegalArgumentException("cacheBytes must be >= 0, got " + cacheBytes);
        }
        if (writeBufferBytes < (1 << 20)) {
            throw new IllegalArgumentException("writeBufferBytes must be at least 1 MiB, got " + writeBufferBytes);
        }
        if (blockCacheBytes < 0) {
            throw new IllegalArgumentException("blockCacheBytes must be >= 0, got " + blockCacheBytes);
        }
        if (segmentCacheBytes < 0) {
            throw new IllegalArgumentException("segmentCacheBytes must be >= 0, got " + segmentCacheBytes);
        }
        compressionType(compression);
        compressionType(bottommostCompression);
    }

    /**
     * Durable (sync per group), a 64 MiB hot cache, a 64 MiB memtable (a 20 MiB row event fits without forcing
     * an early flush), LZ4 on the upper levels (cheap on the write path), ZSTD at the bottom (row events are
     * repetitive and compress several times), a 32 MiB block cache, a 64 MiB segment cache.
     */
    public static StoreOptions defaults() {
        return new StoreOptions(true, 64L << 20, 64L << 20, "LZ4_COMPRESSION", "ZSTD_COMPRESSION", 32L << 20, 64L << 20);
    }

    public StoreOptions withSyncEachGroup(boolean sync) {
        return new StoreOptions(sync, cacheBytes, writeBufferBytes, compression, bottommostCompression, blockCacheBytes, segmentCacheBytes);
    }

    public StoreOptions withCacheBytes(long bytes) {
        return new StoreOptions(syncEachGroup, bytes, writeBufferBytes, compression, bottommostCompression, blockCacheBytes, segmentCacheBytes);
    }

    public StoreOptions withWriteBufferBytes(long bytes) {
        return new StoreOptions(syncEachGroup, cacheBytes, bytes, compression, bottommostCompression, blockCacheBytes, segmentCacheBytes);
    }

    public StoreOptions withCompression(String upper, String bottommost) {
        return new StoreOptions(syncEachGroup, cacheBytes, writeBufferBytes, upper, bottommost, blockCacheBytes, segmentCacheBytes);
    }

    public StoreOptions withBlockCacheBytes(long bytes) {
        return new StoreOptions(syncEachGroup, cacheBytes, writeBufferBytes, compression, bottommostCompression, bytes,
                segmentCacheBytes);
    }

    public StoreOptions withSegmentCacheBytes(long bytes) {
        return new StoreOptions(syncEachGroup, cacheBytes, writeBufferBytes, compression, bottommostCompression,
                blockCacheBytes, bytes);
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
