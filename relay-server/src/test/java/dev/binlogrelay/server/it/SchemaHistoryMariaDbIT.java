package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.RowsFormat;
import dev.binlogrelay.core.rows.RowsStream;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.core.rows.TableMap;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.schema.SchemaHistory;
import dev.binlogrelay.server.schema.SchemaHistorySettings;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.SchemaHistoryStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schema history against a live MariaDB 10.11 primary ({@link SchemaHistoryMariaDb114IT}: 11.4). Two databases get the same tables, created before the
 * relay starts (so only the snapshot knows them), and the same workload with DDL in the middle (ALTER ADD, DROP,
 * MODIFY, CHANGE COLUMN, primary key change, RENAME TABLE, CREATE TABLE), step by step: {@code m} while the primary
 * writes {@code binlog_row_metadata=MINIMAL}, then {@code f} under FULL. The FULL TABLE_MAPs are the oracle: decoded
 * from every transaction start the relay stored, through {@code RowsStream.withDefinitions(tracker::complete)} with
 * the tracker {@link SchemaHistory#trackerAt} gives there, each MINIMAL TABLE_MAP must come out with the column
 * names, primary key, signedness and ENUM/SET values of its FULL twin. Then the same from a reopened store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaHistoryMariaDbIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String[] BEFORE_RELAY = {
            "CREATE DATABASE %s",
            "CREATE TABLE %s.items (id int unsigned NOT NULL, name varchar(20) CHARACTER SET latin1, qty smallint,"
                    + " kind enum('a','b','c') NOT NULL, PRIMARY KEY (id)) DEFAULT CHARSET=utf8mb4",
            "CREATE TABLE %s.plain (a bigint, b tinyint unsigned)",
            "INSERT INTO %s.items VALUES (1, 'one', 1, 'a')"};
    /** The workload after the relay started: each step runs on one connection (a USE first sets the default database). */
    private static final String[][] STEPS = {
            {"INSERT INTO %s.items VALUES (2, 'two', 2, 'b')", "INSERT INTO %s.plain VALUES (-5, 200)"},
            {"USE %s", "ALTER TABLE items ADD COLUMN note varchar(10) AFTER name"},
            {"INSERT INTO %s.items VALUES (3, 'three', 'n', 3, 'c')", "UPDATE %s.items SET qty = qty + 1 WHERE id = 1"},
            {"ALTER TABLE %s.items DROP COLUMN note, MODIFY qty int unsigned NOT NULL DEFAULT 0"},
            {"INSERT INTO %s.items VALUES (4, 'four', 4, 'a')"},
            {"ALTER TABLE %s.items CHANGE name title varchar(30), DROP PRIMARY KEY, ADD PRIMARY KEY (id, kind)"},
            {"INSERT INTO %s.items VALUES (5, 'five', 5, 'b')"},
            {"RENAME TABLE %s.items TO %s.goods"},
            {"INSERT INTO %s.goods VALUES (6, 'six', 6, 'c')", "DELETE FROM %s.goods WHERE id = 2"},
            {"CREATE TABLE %s.later (k int NOT NULL PRIMARY KEY, s set('x','y'), w mediumint unsigned)"},
            {"INSERT INTO %s.later VALUES (1, 'x,y', 7)", "INSERT INTO %s.plain VALUES (1, 2)"},
    };

    Path tmp;
    MariaDbServer primary;
    Relay relay;
    /** Every rows event's table map of db m (MINIMAL) and f (FULL), in binlog order, decoded without history. */
    final List<TableMap> minimal = new ArrayList<>();
    final List<TableMap> full = new ArrayList<>();
    /** Where each transaction the relay stored starts. */
    final List<BinlogPosition> starts = new ArrayList<>();

    /** The primary's MariaDB line. */
    MariaDbLine line() {
        return MariaDbLine.MARIADB_10_11;
    }

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("schema-history-it");
        primary = line().builder().name("primary").serverId(1).extraArg("--binlog-format=ROW")
                .extraArg("--binlog-row-metadata=MINIMAL").start();
        primary.execute("GRANT SELECT ON *.* TO 'repl'@'%'"); // SHOW CREATE TABLE needs a privilege on the table
        for (String db : List.of("m", "f")) {
            for (String sql : BEFORE_RELAY) {
                primary.execute(sql.replace("%s", db));
            }
        }
        RelayConfig config = RelayHarness.config(primary, tmp.resolve("relay"), 9631, "current");
        config.schemaHistory = new RelayConfig.SchemaHistory();
        config.schemaHistory.enabled = true;
        relay = Relay.start(config);
        RelayHarness.awaitStreaming(relay, WAIT);
        assertTrue(relay.store().schemaHistory().hasSnapshot(), "the snapshot is taken before the dump starts");
        for (String[] step : STEPS) {
            for (String db : List.of("m", "f")) {
                primary.execute("SET GLOBAL binlog_row_metadata=" + (db.equals("m") ? "MINIMAL" : "FULL"));
                try (Connection c = primary.connect(); Statement s = c.createStatement()) {
                    for (String sql : step) {
                        s.execute(sql.replace("%s", db));
                    }
                }
            }
        }
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        BinlogPosition first = new BinlogPosition(relay.store().files().get(0).name(),
                relay.store().files().get(0).firstPosition());
        decode(relay.store(), first, SchemaTracker.NONE, e -> {
            if (e.startsGroup()) {
                starts.add(new BinlogPosition(e.file(), e.position()));
            }
            return null;
        }, minimal, full);
    }

    @AfterAll
    void stop() throws java.io.IOException {
        try {
            RelayHarness.closeAll(relay, primary);
        } finally {
            if (tmp != null) {
                try (var files = Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    /**
     * Decodes the store from {@code from} with {@code tracker} completing each TABLE_MAP and told of each QUERY;
     * the rows events' table maps of db m go to {@code m}, of db f to {@code f}.
     */
    private static void decode(BinlogStore store, BinlogPosition from, SchemaTracker tracker,
                               Function<StoredEvent, Void> each, List<TableMap> m, List<TableMap> f) throws Exception {
        RowsStream stream = new RowsStream(RowsFormat.DEFAULT_MAX_INFLATED).withDefinitions(tracker::complete);
        String fdeFile = null;
        ChecksumAlgorithm alg = ChecksumAlgorithm.NONE;
        try (BinlogCursor c = store.openCursor(from.file(), from.position())) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                if (!e.file().equals(fdeFile)) {
                    fdeFile = e.file();
                    byte[] fde = store.state().formatDescription(e.file()).orElseThrow();
                    alg = FormatDescription.checksum(fde);
                    if (e.position() != 4) {
                        stream.accept(fde); // a start inside the file: the stream needs the file's format first
                    }
                }
                each.apply(e);
                SchemaHistory.pass(tracker, e.bytes(), alg, e.file(), e.endPosition());
                for (RowsEvent r : stream.accept(e.bytes())) {
                    (r.table().schema().equals("m") ? m : f).add(r.table());
                }
            }
        }
    }

    private static String describe(TableMap t) {
        StringBuilder b = new StringBuilder(t.table()).append(" pk=").append(t.primaryKey()).append(" [");
        for (Column c : t.columns()) {
            b.append(c.name()).append(Boolean.TRUE.equals(c.unsigned()) ? " unsigned" : "")
                    .append(c.enumValues() != null ? " enum" + c.enumValues() : "")
                    .append(c.setValues() != null ? " set" + c.setValues() : "")
                    .append(c.primaryKey() ? " key" : "").append(c.collation() >= 0 ? " coll" + c.collation() : "")
                    .append(", ");
        }
        return b.append(']').toString();
    }

    private static void assertTwins(List<TableMap> full, List<TableMap> completed, String where) {
        List<TableMap> oracle = full.subList(full.size() - completed.size(), full.size());
        for (int i = 0; i < completed.size(); i++) {
            assertEquals(describe(oracle.get(i)), describe(completed.get(i)), where + ", rows event " + i);
        }
    }

    @Test
    @Order(1)
    void withoutHistoryMinimalMetadataHasNoNames() {
        assertEquals(full.size(), minimal.size(), "the same workload on m and f");
        assertEquals(10, minimal.size(), "rows events of m: steps 1, 3, 5, 7, 9 and 11");
        for (int i = 0; i < minimal.size(); i++) {
            assertEquals(full.get(i).table(), minimal.get(i).table());
            assertNull(minimal.get(i).column(0).name(), "MINIMAL metadata carries no names");
            assertEquals(List.of(), minimal.get(i).primaryKey());
        }
        assertTrue(full.stream().allMatch(t -> t.column(0).name() != null), "FULL metadata carries names");
    }

    @Test
    @Order(2)
    void everyStartPositionGetsTheDefinitionsInForceThere() throws Exception {
        assertTrue(starts.size() > STEPS.length, "transactions stored: " + starts.size());
        for (BinlogPosition p : starts) {
            SchemaTracker tracker = relay.schemaHistory().trackerAt(p.file(), p.position());
            List<TableMap> m = new ArrayList<>();
            decode(relay.store(), p, tracker, e -> null, m, new ArrayList<>());
            assertTwins(full, m, "from " + p);
        }
    }

    @Test
    @Order(3)
    void aReopenedStoreKeepsTheHistory() throws Exception {
        // the last MINIMAL transactions (m writes, then f: four groups from the end is m's last insert)
        BinlogPosition late = starts.get(starts.size() - 4);
        BinlogPosition middle = starts.get(starts.size() / 2);
        relay.close();
        relay = null;
        try (BinlogStore store = BinlogStore.open(tmp.resolve("relay"), StoreOptions.defaults());
             SchemaHistory history = SchemaHistory.start(store, SchemaHistorySettings.DEFAULT.on())) {
            assertTrue(store.schemaHistory().hasSnapshot());
            for (BinlogPosition p : List.of(middle, late)) {
                List<TableMap> m = new ArrayList<>();
                decode(store, p, history.trackerAt(p.file(), p.position()), e -> null, m, new ArrayList<>());
                assertFalse(m.isEmpty(), "rows events after " + p);
                assertTwins(full, m, "reopened, from " + p);
            }
        }
    }

    @Test
    @Order(4)
    void theSnapshotIsBounded() throws Exception {
        RelayConfig config = RelayHarness.config(primary, tmp.resolve("bounded"), 9632, "current");
        config.schemaHistory = new RelayConfig.SchemaHistory();
        config.schemaHistory.enabled = true;
        config.schemaHistory.maxTables = 1;
        try (Relay bounded = Relay.start(config)) {
            RelayHarness.awaitStreaming(bounded, WAIT);
            List<SchemaHistoryStore.Entry> entries = bounded.store().schemaHistory().all();
            assertEquals(SchemaHistoryStore.Kind.SNAPSHOT_START, entries.get(0).kind());
            // one database at most too (max_tables bounds the list of databases as well): f, the first by name
            assertEquals(List.of("f.", "f.goods"), entries.subList(1, entries.size()).stream()
                    .map(e -> e.database() + "." + e.table()).toList());
            assertTrue(entries.get(2).text().startsWith("CREATE TABLE `goods`"), entries.get(2).text());
        }
    }
}
