package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.RowsFormat;
import dev.binlogrelay.core.rows.RowsStream;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.core.rows.TableMap;
import dev.binlogrelay.server.importer.BinlogImporter;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An imported binlog without any TABLE_MAP metadata (MySQL 5.5.27 loading the sakila sample database: its CREATE
 * TABLE statements, then the rows): the history records the DDL the file holds, so a reader starting after the
 * CREATEs gets the sakila column names, keys and signedness from it, as one starting at the beginning does.
 */
class SchemaHistoryImportTest {
    @TempDir
    Path tmp;

    /**
     * Rows events' table maps by table (the first of each), decoding from {@code from} with {@code tracker}; where
     * the transaction of each table's first rows event starts goes to {@code groupOfFirst}.
     */
    private static Map<String, TableMap> decode(BinlogStore store, BinlogPosition from, SchemaTracker tracker,
                                                Map<String, BinlogPosition> groupOfFirst) throws Exception {
        Map<String, TableMap> first = new LinkedHashMap<>();
        byte[] fde = store.state().formatDescription(from.file()).orElseThrow();
        ChecksumAlgorithm alg = FormatDescription.checksum(fde);
        RowsStream stream = new RowsStream(RowsFormat.DEFAULT_MAX_INFLATED).withDefinitions(tracker::complete);
        if (from.position() != 4) {
            stream.accept(fde);
        }
        try (BinlogCursor c = store.openCursor(from.file(), from.position())) {
            BinlogPosition group = from;
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                if (e.startsGroup()) {
                    group = new BinlogPosition(e.file(), e.position());
                }
                SchemaHistory.pass(tracker, e.bytes(), alg, e.file(), e.endPosition());
                for (RowsEvent r : stream.accept(e.bytes())) {
                    first.putIfAbsent(r.table().table(), r.table());
                    groupOfFirst.putIfAbsent(r.table().table(), group);
                }
            }
        }
        return first;
    }

    private static List<String> names(TableMap t) {
        return t.columns().stream().map(Column::name).toList();
    }

    @Test
    void importedDdlGivesTheDefinitions() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("in")).resolve("mysql-bin.000001");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                Fixtures.file("osheroff-mysql-binlog-connector-java/mysql-bin.sakila.gz")))) {
            Files.copy(in, bin);
        }
        try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(bin);
            BinlogPosition start = new BinlogPosition("mysql-bin.000001", 4);
            Map<String, TableMap> bare = decode(store, start, SchemaTracker.NONE, new LinkedHashMap<>());
            assertNull(bare.get("actor").column(0).name(), "MySQL 5.5 writes no metadata");

            try (SchemaHistory history = SchemaHistory.start(store, SchemaHistorySettings.DEFAULT.on())) {
                Map<String, BinlogPosition> groups = new LinkedHashMap<>();
                Map<String, TableMap> fromStart = decode(store, start, history.trackerAt(start.file(), 4), groups);
                TableMap actor = fromStart.get("actor");
                assertEquals(List.of("actor_id", "first_name", "last_name", "last_update"), names(actor));
                assertEquals(List.of(0), actor.primaryKey());
                assertEquals(Boolean.TRUE, actor.column(0).unsigned(), "SMALLINT UNSIGNED");
                assertEquals(List.of("G", "PG", "PG-13", "R", "NC-17"),
                        fromStart.get("film").column(fromStart.get("film").columns().stream()
                                .map(Column::name).toList().indexOf("rating")).enumValues());
                for (TableMap t : fromStart.values()) {
                    assertTrue(t.columns().stream().allMatch(c -> c.name() != null), "names of " + t);
                }
                assertEquals(16, fromStart.size(), "sakila's tables with rows: " + fromStart.keySet());

                // a reader starting at the first rows of actor knows the table only from the recorded history
                BinlogPosition later = groups.get("actor");
                assertTrue(later.position() > 4);
                Map<String, TableMap> fromLater = decode(store, later, history.trackerAt(later.file(), later.position()),
                        new LinkedHashMap<>());
                assertFalse(fromLater.isEmpty());
                for (Map.Entry<String, TableMap> e : fromLater.entrySet()) {
                    assertEquals(names(fromStart.get(e.getKey())), names(e.getValue()), "from " + later);
                    assertEquals(fromStart.get(e.getKey()).primaryKey(), e.getValue().primaryKey());
                }
            }
        }
    }
}
