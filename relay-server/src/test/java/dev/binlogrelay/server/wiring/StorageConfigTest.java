package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage.sync, storage.min_free_space and storage.rocksdb: parsed into StoreOptions, bad values name the key. */
class StorageConfigTest {
    @TempDir
    Path tmp;

    private Path write(String storage) throws IOException {
        return new ConfigFiles(tmp).withStorage(storage);
    }

    private StoreOptions options(String storage) throws IOException {
        return StorageSettings.options(ConfigCheck.load(write(storage)).storage);
    }

    private String error(String storage) throws IOException {
        Path f = write(storage);
        String message = assertThrows(ConfigException.class, () -> ConfigCheck.load(f)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void defaultsAreTheStoreDefaults() throws IOException {
        StoreOptions o = options("");
        assertEquals(StoreOptions.defaults().withCacheBytes(64L << 20).withSync(SyncMode.GROUP_COMMIT), o);
        assertFalse(o.syncOnInterval());
        assertEquals(256L << 20, o.minFreeBytes());
    }

    @Test
    void syncEveryTransactionOrAnInterval() throws IOException {
        StoreOptions every = options("storage:\n  sync: every_transaction\n");
        assertEquals(SyncMode.GROUP_COMMIT, every.sync(), "every transaction durable before visible, group-committed");
        assertFalse(every.syncOnInterval());
        assertTrue(every.syncEachGroup());
        StoreOptions o = options("storage:\n  sync: 10ms\n");
        assertTrue(o.syncOnInterval());
        assertEquals(10, o.syncIntervalMillis());
        assertTrue(o.syncEachGroup());
        assertEquals(2000, options("storage:\n  sync: 2s\n").syncIntervalMillis());
        assertTrue(error("storage:\n  sync: sometimes\n").contains("'storage.sync'"));
        assertTrue(error("storage:\n  sync: 10\n").contains("'storage.sync'"), "a bare number is ambiguous");
        assertTrue(error("storage:\n  sync: 0ms\n").contains("outside 1ms to 10s"));
        assertTrue(error("storage:\n  sync: 1m\n").contains("'storage.sync'"));
    }

    @Test
    void syncNoneWritesTheWalWithoutFsync() throws IOException {
        StoreOptions o = options("storage:\n  sync: none\n");
        assertFalse(o.syncEachGroup());
        assertFalse(o.syncOnInterval());
        assertFalse(options("storage:\n  sync: NONE\n").syncEachGroup());
        assertTrue(error("storage:\n  sync: never\n").contains("nor none"));
    }

    @Test
    void rocksdbOptions() throws IOException {
        StoreOptions o = options("""
                storage:
                  min_free_space: 1G
                  rocksdb:
                    compression: zstd
                    bottommost_compression: none
                    write_buffer: 16M
                    block_cache: 128M
                """);
        assertEquals("ZSTD_COMPRESSION", o.compression());
        assertEquals("NO_COMPRESSION", o.bottommostCompression());
        assertEquals(16L << 20, o.writeBufferBytes());
        assertEquals(128L << 20, o.blockCacheBytes());
        assertEquals(1L << 30, o.minFreeBytes());
        StoreOptions partial = options("storage:\n  rocksdb:\n    compression: snappy\n");
        assertEquals("SNAPPY_COMPRESSION", partial.compression());
        assertEquals(StoreOptions.defaults().bottommostCompression(), partial.bottommostCompression());
    }

    @Test
    void badRocksdbValuesNameTheKey() throws IOException {
        assertTrue(error("storage:\n  rocksdb:\n    compression: brotli\n").contains("'storage.rocksdb.compression'"));
        assertTrue(error("storage:\n  rocksdb:\n    bottommost_compression: x\n").contains("'storage.rocksdb.bottommost_compression'"));
        assertTrue(error("storage:\n  rocksdb:\n    write_buffer: 100K\n").contains("'storage.rocksdb.write_buffer'"));
        assertTrue(error("storage:\n  rocksdb:\n    block_cache: lots\n").contains("'storage.rocksdb.block_cache'"));
        assertTrue(error("storage:\n  rocksdb:\n    level_style: x\n").contains("unknown key 'storage.rocksdb.level_style'"));
        assertTrue(error("storage:\n  min_free_space: -1\n").contains("'storage.min_free_space'"));
    }
}
