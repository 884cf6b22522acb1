package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reads served by RocksDB (hot cache off): one iterator, one seek, refreshed only when new data is needed. */
class CursorIteratorTest {
    @TempDir
    Path dir;

    private static StoreOptions noCache() {
        return TestLog.fastOptions().withCacheBytes(0);
    }

    @Test
    void sequentialReadAcrossFilesUsesOneIteratorAndOneSeek() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noCache())) {
            TestLog log = new TestLog(store);
            for (int f = 1; f <= 3; f++) {
                log.rotate(name(f));
                for (int g = 0; g < 200; g++) {
                    log.append(30 + g % 50, 100);
                }
            }
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                StoreCursor cursor = (StoreCursor) c;
                for (StoredEvent expected : log.written) {
                    assertSameEvent(expected, c.next());
                }
                assertArrayEquals(new int[] {1, 0, 1}, cursor.rocksUsage(), "{iterators, refreshes, seeks}");
                assertNull(c.next());
            }
        }
    }

    @Test
    void iteratorIsRefreshedWhenTheReaderNeedsNewerData() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noCache())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(10, 20, 30);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                StoreCursor cursor = (StoreCursor) c;
                assertSameEvent(log.written.get(0), c.next());
                assertSameEvent(log.written.get(1), c.next());
                log.append(40).append(2_000_000); // the second goes to a blob file
                log.rotate(name(2)).append(50);
                for (int i = 2; i < 6; i++) {
                    assertSameEvent(log.written.get(i), c.next());
                }
                assertArrayEquals(new int[] {1, 1, 2}, cursor.rocksUsage(), "{iterators, refreshes, seeks}");
                assertNull(c.next());
                log.append(60);
                assertSameEvent(log.written.get(6), c.next());
                assertArrayEquals(new int[] {2, 1, 3}, cursor.rocksUsage(), "released at the end, a new one afterwards");
            }
        }
    }

    @Test
    void refreshWorksAfterRecoveryLeftRangeTombstones() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noCache())) {
            new TestLog(store).rotate(name(1)).append(10, 20);
        }
        try (RocksHandles raw = RocksHandles.open(dir, noCache())) {
            raw.db.put(raw.events, Keys.event(1, 34), Values.event(3, new byte[] {1}));
        }
        try (BinlogStore store = BinlogStore.open(dir, noCache())) {
            TestLog log = new TestLog(store).rotate(name(1), 34);
            log.append(5);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertEquals(10, c.next().bytes().length);
                log.append(6, 1_500_000);
                List<StoredEvent> rest = drain(c);
                assertEquals(List.of(20, 5, 6, 1_500_000), rest.stream().map(e -> e.bytes().length).toList());
                assertSameEvent(log.written.get(0), rest.get(1));
                assertSameEvent(log.written.get(2), rest.get(3));
                assertEquals(1, ((StoreCursor) c).rocksUsage()[1], "refreshed once");
            }
        }
    }
}
