package dev.binlogrelay.storage;

/**
 * Tuning of a {@link BinlogStore}.
 *
 * @param syncEachGroup    fsync the WAL before a group becomes visible (the durability contract)
 * @param cacheBytes       size of the hot-tail cache of recent events
 * @param writeBufferBytes RocksDB memtable size of the events column family
 * @param blockCacheBytes  RocksDB block cache for reads from far behind
 */
public record StoreOptions(boolean syncEachGroup, long cacheBytes, long writeBufferBytes, long blockCacheBytes) {
    public static StoreOptions defaults() {
        return new StoreOptions(true, 64L << 20, 64L << 20, 32L << 20);
    }

    public StoreOptions withCacheBytes(long bytes) {
        return new StoreOptions(syncEachGroup, bytes, writeBufferBytes, blockCacheBytes);
    }

    public StoreOptions withSyncEachGroup(boolean sync) {
        return new StoreOptions(sync, cacheBytes, writeBufferBytes, blockCacheBytes);
    }
}
