package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompressionType;

import java.nio.file.Path;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreOptionsTest {
    @Test
    void defaultsAreDurable() {
        StoreOptions d = StoreOptions.defaults();
        assertTrue(d.syncEachGroup());
        assertEquals(0, d.syncIntervalMillis());
        assertEquals(SyncMode.EVERY_GROUP, d.sync());
        assertEquals(64L << 20, d.cacheBytes());
        assertEquals(CompressionType.NO_COMPRESSION, StoreOptions.compressionType(d.compression()));
        assertEquals(CompressionType.LZ4_COMPRESSION, StoreOptions.compressionType(d.bottommostCompression()));
    }

    @Test
    void threeSyncModes() {
        StoreOptions d = StoreOptions.defaults();
        assertEquals(SyncMode.NONE, d.withSyncEachGroup(false).sync());
        assertEquals(SyncMode.EVERY_GROUP, d.withSyncEachGroup(false).withSyncEachGroup(true).sync());
        assertEquals(new SyncMode.Interval(10), d.withSyncIntervalMillis(10).sync());
        assertEquals(new SyncMode.Interval(10), d.withSyncIntervalMillis(10).withSyncEachGroup(true).sync(), "keeps the interval");
        assertEquals(SyncMode.EVERY_GROUP, d.withSyncIntervalMillis(10).withSyncIntervalMillis(0).sync());
        assertEquals(SyncMode.NONE, d.withSyncEachGroup(false).withSyncIntervalMillis(0).sync());
        assertTrue(SyncMode.NONE.unsyncedAppends() && new SyncMode.Interval(5).unsyncedAppends());
        assertEquals(false, SyncMode.EVERY_GROUP.unsyncedAppends());
    }

    @Test
    void compressionByEnumOrLibraryName() {
        assertEquals(CompressionType.ZSTD_COMPRESSION, StoreOptions.compressionType("zstd"));
        assertEquals(CompressionType.SNAPPY_COMPRESSION, StoreOptions.compressionType("SNAPPY_COMPRESSION"));
        assertEquals(CompressionType.NO_COMPRESSION, StoreOptions.compressionType("none"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.defaults().withCompression("brotli", "zstd"));
        assertTrue(e.getMessage().contains("brotli"), e.getMessage());
    }

    @Test
    void invalidSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.defaults().withCacheBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.defaults().withWriteBufferBytes(1024));
    }

    @Test
    void storeWorksWithOtherCompression(@TempDir Path dir) throws Exception {
        StoreOptions o = TestLog.fastOptions().withCompression("none", "snappy");
        try (BinlogStore store = BinlogStore.open(dir, o)) {
            new TestLog(store).rotate(name(1)).append(100, 50);
            try (BinlogCursor c = store.openCursor(name(1), 104)) {
                assertEquals(50, c.next().bytes().length);
            }
        }
    }
}
