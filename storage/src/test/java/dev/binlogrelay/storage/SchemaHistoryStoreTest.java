package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schema history's entries: kept at positions, read up to a position in binlog order, kept across reopen and purge. */
class SchemaHistoryStoreTest {
    @TempDir
    Path dir;

    private static List<String> texts(List<SchemaHistoryStore.Entry> entries) {
        return entries.stream().map(e -> e.kind() + " " + e.database() + "." + e.table() + " " + e.text()).toList();
    }

    @Test
    void entriesHoldFromTheirPositionOnAndSurviveReopenAndPurge() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            SchemaHistoryStore h = store.schemaHistory();
            assertFalse(h.hasSnapshot());
            h.requestSnapshot(new SchemaHistoryStore.SnapshotLimits(10, 1000));
            assertTrue(h.snapshotRequest().isPresent());
            // taken while the store is empty: before everything
            h.recordSnapshot(List.of(new SchemaHistoryStore.SnapshotTable("shop", "t", "CREATE TABLE t (a int)"),
                    new SchemaHistoryStore.SnapshotTable("shop", "u", "CREATE TABLE u (b int)")));
            assertTrue(h.hasSnapshot());
            assertTrue(h.snapshotRequest().isEmpty());
            h.requestSnapshot(new SchemaHistoryStore.SnapshotLimits(10, 1000));
            assertTrue(h.snapshotRequest().isEmpty(), "a second snapshot is not asked for");

            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100, 50, 60);     // 4..214
            log.rotate(name(2)).append(100, 70);         // 4..174
            h.recordDdl(List.of(new SchemaHistoryStore.Ddl(name(1), 154, "shop", "ALTER TABLE t ADD c int"),
                    new SchemaHistoryStore.Ddl(name(2), 104, "", "DROP TABLE shop.u")), name(2), 174);
            h.recordDdl(List.of(new SchemaHistoryStore.Ddl("gone.000001", 4, "", "DROP TABLE x")), name(2), 174);

            assertEquals(List.of("SNAPSHOT_START . ", "SNAPSHOT_TABLE shop.t CREATE TABLE t (a int)",
                    "SNAPSHOT_TABLE shop.u CREATE TABLE u (b int)"), texts(h.upTo(name(1), 104)));
            assertEquals(3, h.upTo(name(1), 153).size(), "a DDL holds from its end position on");
            assertEquals(4, h.upTo(name(1), 154).size());
            assertEquals("DDL shop. ALTER TABLE t ADD c int", texts(h.upTo(name(1), 214)).get(3));
            assertEquals(4, h.upTo(name(2), 4).size());
            assertEquals(5, h.upTo(name(2), 104).size());
            assertEquals(h.all(), h.upTo(name(2), 174));
            assertEquals(new BinlogPosition(name(2), 174), h.scanned().orElseThrow());
            assertThrows(StoreException.class, () -> h.upTo("other.000001", 4));
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            SchemaHistoryStore h = store.schemaHistory();
            assertTrue(h.hasSnapshot());
            assertEquals(5, h.all().size());
            assertEquals(new BinlogPosition(name(2), 174), h.scanned().orElseThrow());
            store.purgeFilesBefore(name(2));
            assertEquals(5, h.upTo(name(2), 174).size(), "entries outlive the files they came from");
            // a snapshot on a store with data: at the committed end, after what is there
            h.recordSnapshot(List.of(new SchemaHistoryStore.SnapshotTable("shop", "v", "CREATE TABLE v (c int)")));
            List<SchemaHistoryStore.Entry> all = h.upTo(name(2), 174);
            assertEquals(7, all.size());
            assertEquals(SchemaHistoryStore.Kind.SNAPSHOT_START, all.get(5).kind());
            assertEquals(174, all.get(5).position());
            assertEquals(5, h.upTo(name(2), 173).size());
            // the DDL that ends where the snapshot was taken, recorded after it: before it all the same
            h.recordDdl(List.of(new SchemaHistoryStore.Ddl(name(2), 174, "shop", "DROP TABLE v")), name(2), 174);
            all = h.upTo(name(2), 174);
            assertEquals(8, all.size());
            assertEquals(SchemaHistoryStore.Kind.DDL, all.get(5).kind());
            assertEquals(SchemaHistoryStore.Kind.SNAPSHOT_START, all.get(6).kind());
        }
    }
}
