package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.StoreOptions;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The {@code storage} section turned into {@link StoreOptions}: {@code sync}, {@code cache_bytes}, {@code segment_cache_bytes},
 * {@code min_free_space} and {@code rocksdb.*}. Every bad value is a {@link ConfigException} naming its key.
 */
public final class StorageSettings {
    public static final String EVERY_TRANSACTION = "every_transaction";
    /** storage.sync: none: written to the WAL (the OS has it) before visible, never fsynced; like sync_binlog=0. */
    public static final String NONE = "none";

    private StorageSettings() {
    }

    /**
     * The store options for {@code s}.
     *
     * @throws ConfigException "bad value for 'storage.…': …" (without the file name; {@link ConfigCheck} adds it)
     */
    public static StoreOptions options(RelayConfig.Storage s) {
        StoreOptions o = StoreOptions.defaults();
        if (s == null) {
            return o;
        }
        if (s.cacheBytes == null || s.cacheBytes < 0) {
            throw new ConfigException("storage.cache_bytes must be 0 or more");
        }
        o = o.withCacheBytes(s.cacheBytes);
        if (s.segmentCacheBytes == null || s.segmentCacheBytes < 0) {
            throw new ConfigException("storage.segment_cache_bytes must be 0 or more");
        }
        o = o.withSegmentCacheBytes(s.segmentCacheBytes);
        o = withSync(o, s.sync);
        if (s.minFreeSpace != null) {
            o = o.withMinFreeBytes(parse("storage.min_free_space", () -> Quantities.bytes(s.minFreeSpace)));
        }
        RelayConfig.RocksDb r = s.rocksdb;
        if (r != null) {
            String upper = r.compression == null ? o.compression()
                    : parse("storage.rocksdb.compression", () -> StoreOptions.checkCompression(r.compression));
            String bottom = r.bottommostCompression == null ? o.bottommostCompression()
                    : parse("storage.rocksdb.bottommost_compression", () -> StoreOptions.checkCompression(r.bottommostCompression));
            o = o.withCompression(upper, bottom);
            if (r.writeBuffer != null) {
                long bytes = parse("storage.rocksdb.write_buffer", () -> Quantities.bytes(r.writeBuffer));
                if (bytes < (1 << 20) || bytes > (4L << 30)) {
                    throw new ConfigException("bad value for 'storage.rocksdb.write_buffer': " + r.writeBuffer
                            + " is outside 1M to 4G");
                }
                o = o.withWriteBufferBytes(bytes);
            }
            if (r.blockCache != null) {
                o = o.withBlockCacheBytes(parse("storage.rocksdb.block_cache", () -> Quantities.bytes(r.blockCache)));
            }
        }
        return o;
    }

    /**
     * {@code none} turns the fsync off (the WAL is still written before a transaction is visible, so a killed
     * relay loses nothing the OS had; a power loss can take back what readers saw, as with the primary's
     * {@code sync_binlog=0}); otherwise see {@link #syncIntervalMillis}.
     */
    static StoreOptions withSync(StoreOptions o, String sync) {
        if (sync != null && sync.trim().equalsIgnoreCase(NONE)) {
            return o.withSyncEachGroup(false);
        }
        long millis = syncIntervalMillis(sync);
        // every_transaction: each transaction durable before it is visible, the fsyncs group-committed by the syncer
        return millis == 0 ? o.withSync(dev.binlogrelay.storage.SyncMode.GROUP_COMMIT) : o.withSyncIntervalMillis(millis);
    }

    /**
     * {@code every_transaction} → 0; a duration with ms or s ({@code 10ms}, {@code 1s}) between 1 ms and 10 s →
     * its milliseconds.
     */
    static long syncIntervalMillis(String sync) {
        if (sync == null || sync.isBlank()) {
            throw new ConfigException("bad value for 'storage.sync': empty; use every_transaction, an interval such as 10ms, or none");
        }
        String t = sync.trim().toLowerCase(Locale.ROOT);
        if (t.equals(EVERY_TRANSACTION)) {
            return 0;
        }
        if (!t.matches("\\d+\\s*(ms|s)")) {
            throw new ConfigException("bad value for 'storage.sync': '" + sync
                    + "' is neither every_transaction, an interval in ms or s (such as 10ms), nor none");
        }
        Duration d = parse("storage.sync", () -> Quantities.duration(t));
        if (d.toMillis() < 1 || d.toMillis() > StoreOptions.MAX_SYNC_INTERVAL_MILLIS) {
            throw new ConfigException("bad value for 'storage.sync': " + sync + " is outside 1ms to "
                    + StoreOptions.MAX_SYNC_INTERVAL_MILLIS / 1000 + "s");
        }
        return d.toMillis();
    }

    private static <T> T parse(String key, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
        }
    }
}
