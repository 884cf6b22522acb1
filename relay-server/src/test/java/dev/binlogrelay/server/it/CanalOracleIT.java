package dev.binlogrelay.server.it;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.canal.entry.EntryStream;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's Canal entries against a real Canal server's (issue 13's oracle): a live MariaDB 10.11 primary writes
 * a table with every column type Canal can read (rows inserted, updated, deleted; an ALTER TABLE in the middle;
 * NULLs) under binlog_row_metadata FULL, then another under MINIMAL. A real canal.server 1.1.7 ({@link
 * CanalOracle}) reads the primary live; the relay stores the same binlog, and {@link EntryStream} turns the
 * stored events into entries. Both lists are compared entry by entry: header fields, row changes, column index,
 * name, isKey, isNull, updated, value, sqlType, mysqlType, DDL sql. What differs on purpose is left out of the
 * comparison and listed in docs/canal.md ("Differences from Canal"):
 * <ul>
 *   <li>the columns Canal gets wrong on MariaDB ({@link #CANAL_WRONG}): Canal decodes a latin1 column as UTF-8, and
 *       takes an INET6 column (a BINARY(16) in the binlog) for text; {@link #valuesWhereCanalIsWrong} checks
 *       ours;</li>
 *   <li>under MINIMAL metadata with no schema history ({@link SchemaTracker#NONE}), the names, keys and ENUM/SET
 *       values Canal reads from the live table (name, isKey, mysqlType);</li>
 *   <li>TRANSACTIONBEGIN/END of transactions Canal's sink drops as empty (no ROWDATA between them).</li>
 * </ul>
 */
@Tag("canal")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CanalOracleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Columns Canal 1.1.7 cannot read at all (MariaDB's COMPRESSED columns end its parsing with an exception). */
    private static final Set<String> CANAL_FAILS_ON = Set.of("vcz", "tz");
    /** Columns Canal reads wrongly: compared apart, not with Canal's. */
    private static final Set<String> CANAL_WRONG = Set.of("cl", "ip");

    Path tmp;
    MariaDbServer primary;
    Relay relay;
    CanalOracle canal;
    BinlogPosition start;
    /** The offsets (in the start file) between which the MINIMAL phase's entries are. */
    long minimalFrom;
    long minimalTo;
    /** The offset from which the primary wrote compressed events (log_bin_compress). */
    long compressedFrom;
    /** Per table: the offset of its ALTER TABLE (a column is added at index 1 there). */
    final java.util.Map<String, Long> alteredAt = new java.util.HashMap<>();

    /** The JVM's zone before the test (Canal prints TIMESTAMPs in the JVM's zone: the test sets one off UTC). */
    java.util.TimeZone zoneBefore;

    /**
     * The primary's MariaDB line. Not 11.x: Canal 1.1.7 cannot read a MariaDB 11.4 binlog (its QUERY event parser
     * stops at the status variable 131 of MariaDB 11, "Read Q_FLAGS2_CODE error"), see docs/canal.md.
     */
    MariaDbLine line() {
        return MariaDbLine.MARIADB_10_11;
    }

    @BeforeAll
    void start() throws Exception {
        zoneBefore = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Shanghai"));
        tmp = Files.createTempDirectory("canal-oracle-it");
        primary = line().builder().name("primary").serverId(1).extraArg("--binlog-format=ROW")
                .extraArg("--binlog-row-metadata=FULL").extraArg("--log-bin-compress-min-len=10").start();
        CanalOracle.createUser(primary);
        relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9631, "earliest"));
        start = RelayHarness.masterStatus(primary);
        if (withCanal()) {
            canal = CanalOracle.start(primary, start.file(), start.position());
        }
        primary.execute("CREATE DATABASE d");
        workload("d.t_full");
        primary.execute("SET GLOBAL binlog_row_metadata=MINIMAL");
        minimalFrom = RelayHarness.masterStatus(primary).position();
        workload("d.t_minimal");
        primary.execute("SET GLOBAL binlog_row_metadata=FULL");
        minimalTo = RelayHarness.masterStatus(primary).position();
        statements();
        compressedFrom = RelayHarness.masterStatus(primary).position();
        primary.execute("SET GLOBAL log_bin_compress=ON");
        primary.execute("INSERT INTO d.t_full (id, c, tx) VALUES (30, 'zipped', REPEAT('compressible ', 20))",
                "CREATE TABLE d.zipped (a INT PRIMARY KEY, b VARCHAR(20))", "INSERT INTO d.zipped VALUES (1, 'one')");
        primary.execute("SET GLOBAL log_bin_compress=OFF");
        BinlogPosition end = RelayHarness.masterStatus(primary);
        awaitCanal(end);
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
    }

    @AfterAll
    void stop() throws java.io.IOException {
        if (zoneBefore != null) {
            java.util.TimeZone.setDefault(zoneBefore);
        }
        try {
            if (canal != null) {
                canal.close();
            }
        } finally {
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
    }

    static List<AllTypes.Col> columns() {
        return AllTypes.COLUMNS.stream().filter(c -> !CANAL_FAILS_ON.contains(c.name())).toList();
    }

    /**
     * Inserts rows 1..3 (3 all NULL), updates 1 and 3, deletes 2; waits for Canal to read that far (Canal, without
     * its table-meta history, reads a table's definition when it meets its rows: it must meet them before the
     * ALTER); adds a column in the middle; inserts row 4 and updates it.
     */
    private void workload(String table) throws Exception {
        List<AllTypes.Col> cols = columns();
        try (Connection conn = primary.connect(); Statement st = conn.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            st.execute("CREATE TABLE " + table + " (" + cols.stream().map(c -> c.name() + " " + c.type())
                    .collect(Collectors.joining(", ")) + ") DEFAULT CHARSET=utf8mb4");
            st.execute(insert(table, 1, cols.stream().map(AllTypes.Col::v1).toList()));
            st.execute(insert(table, 2, cols.stream().map(AllTypes.Col::v2).toList()));
            st.execute("INSERT INTO " + table + " (id) VALUES (3)");
            st.execute("UPDATE " + table + " SET " + cols.stream().filter(c -> c.upd() != null)
                    .map(c -> c.name() + " = " + c.upd()).collect(Collectors.joining(", ")) + " WHERE id IN (1, 3)");
            st.execute("DELETE FROM " + table + " WHERE id = 2");
            awaitCanal(RelayHarness.masterStatus(primary));
            alteredAt.put(table.substring(table.indexOf('.') + 1), RelayHarness.masterStatus(primary).position());
            st.execute("ALTER TABLE " + table + " ADD COLUMN added INT UNSIGNED NOT NULL DEFAULT 7 AFTER id");
            st.execute("INSERT INTO " + table + " (id, added, c) VALUES (4, 4000000000, 'altered')");
            st.execute("UPDATE " + table + " SET added = 1, y = 2001 WHERE id = 4");
        }
    }

    /**
     * DDL of every kind Canal types (with the default database d and without, names quoted and not), a view (no
     * entry), a transaction of several statements, MINIMAL row images, a multi-row statement, CREATE/DROP DATABASE.
     */
    private void statements() throws Exception {
        try (Connection conn = primary.connect(); Statement st = conn.createStatement()) {
            st.execute("USE d");
            for (String sql : List.of(
                    "CREATE TABLE k (id INT PRIMARY KEY, v VARCHAR(10), n INT)",
                    "INSERT INTO k VALUES (1, 'a', 1), (2, 'b', 2), (3, NULL, 3)",
                    "CREATE INDEX iv ON k (v)",
                    "ALTER TABLE `k` ADD UNIQUE KEY un (n)",
                    "ALTER TABLE k DROP INDEX iv",
                    "DROP INDEX un ON d.k",
                    "ALTER TABLE d.k ADD COLUMN w INT, ENGINE=InnoDB",
                    "RENAME TABLE k TO k2",
                    "ALTER TABLE k2 RENAME TO k3",
                    "CREATE VIEW vk AS SELECT id FROM k3",
                    "DROP VIEW vk",
                    "CREATE TABLE IF NOT EXISTS `d`.`k4` LIKE k3",
                    "TRUNCATE TABLE k4",
                    "CREATE DATABASE e",
                    "CREATE TABLE e.x (a INT)",
                    "DROP DATABASE e")) {
                st.execute(sql);
            }
            st.execute("BEGIN");
            st.execute("INSERT INTO k3 VALUES (4, 'd', 4, NULL)");
            st.execute("UPDATE k3 SET v = CONCAT(v, '!') WHERE id <= 2");
            st.execute("DELETE FROM k3 WHERE v IS NULL");
            st.execute("COMMIT");
            st.execute("SET binlog_row_image = MINIMAL");
            st.execute("UPDATE k3 SET n = n * 10 WHERE id IN (1, 4)");
            st.execute("UPDATE t_full SET c = 'minimal', i = 5, ts = '2030-05-06 07:08:09' WHERE id = 1");
            st.execute("DELETE FROM k3 WHERE id = 2");
            st.execute("INSERT INTO k3 (id) VALUES (5)");
            st.execute("SET binlog_row_image = FULL");
            awaitCanal(RelayHarness.masterStatus(primary)); // Canal reads k3's definition live: before it is gone
            st.execute("DROP TABLE k3, k4");
        }
    }

    private static String insert(String table, int id, List<String> values) {
        List<String> v = new ArrayList<>(values);
        v.set(0, Integer.toString(id));
        return "INSERT INTO " + table + " VALUES (" + String.join(", ", v) + ")";
    }

    /** Whether a Canal server reads the primary too (it cannot read MariaDB 11). */
    boolean withCanal() {
        return true;
    }

    private void awaitCanal(BinlogPosition end) throws InvalidProtocolBufferException {
        if (canal != null) {
            canal.awaitThrough(end.file(), end.position(), WAIT);
        }
    }

    /** The relay's entries from the start position on, made from its store by an EntryStream. */
    List<CanalEntry.Entry> relayEntries() throws Exception {
        EntryStream stream = new EntryStream(SchemaTracker.NONE);
        List<CanalEntry.Entry> out = new ArrayList<>();
        try (BinlogCursor c = relay.store().openCursor(start.file(), 4)) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                for (CanalEntry.Entry entry : stream.accept(e.file(), e.position(), e.bytes())) {
                    if (!e.file().equals(start.file()) || e.position() >= start.position()) {
                        out.add(entry);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void entriesMatchCanal() throws Exception {
        List<CanalEntry.Entry> expected = canal.entries();
        List<CanalEntry.Entry> actual = relayEntries();
        assertTrue(expected.stream().anyMatch(e -> e.getEntryType() == CanalEntry.EntryType.ROWDATA),
                "Canal gave row data");
        assertEquals(describe(expected, true), describe(actual, false));
    }

    /**
     * Under log_bin_compress MariaDB writes the CREATE TABLE as a QUERY_COMPRESSED event: Canal gives no entry for
     * it and neither does the relay (see docs/canal.md); the compressed rows events around it are compared above.
     */
    @Test
    void compressedStatementsGiveNoEntry() throws Exception {
        boolean stored = false;
        try (BinlogCursor c = relay.store().openCursor(start.file(), compressedFrom)) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                stored |= dev.binlogrelay.core.binlog.Events.type(e.bytes())
                        == dev.binlogrelay.core.binlog.EventType.MARIA_QUERY_COMPRESSED;
            }
        }
        assertTrue(stored, "the primary compressed a statement");
        List<String> told = new ArrayList<>();
        EntryStream stream = new EntryStream(new SchemaTracker() {
            @Override
            public dev.binlogrelay.core.rows.TableMap complete(dev.binlogrelay.core.rows.TableMap map) {
                return map;
            }

            @Override
            public void onQuery(String database, String sql, String file, long endPosition) {
                told.add(sql);
            }
        });
        try (BinlogCursor c = relay.store().openCursor(start.file(), 4)) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                stream.accept(e.file(), e.position(), e.bytes());
            }
        }
        assertTrue(told.contains("CREATE TABLE d.zipped (a INT PRIMARY KEY, b VARCHAR(20))"),
                "the schema tracker learns of the compressed CREATE TABLE");
        for (List<CanalEntry.Entry> side : List.of(relayEntries(), canal != null ? canal.entries()
                : List.<CanalEntry.Entry>of())) {
            for (CanalEntry.Entry e : side) {
                if (e.getEntryType() == CanalEntry.EntryType.ROWDATA) {
                    assertTrue(!CanalEntry.RowChange.parseFrom(e.getStoreValue()).getSql()
                            .startsWith("CREATE TABLE d.zipped"), "no entry for the compressed CREATE TABLE");
                }
            }
        }
    }

    /** What Canal gets wrong, done right: latin1 text in its charset, INET6 as the BINARY(16) it is in the binlog. */
    @Test
    void valuesWhereCanalIsWrong() throws Exception {
        CanalEntry.RowChange insert = null;
        for (CanalEntry.Entry e : relayEntries()) {
            if (e.getHeader().getTableName().equals("t_full") && e.getHeader().getEventType() == CanalEntry.EventType.INSERT) {
                insert = CanalEntry.RowChange.parseFrom(e.getStoreValue());
                break;
            }
        }
        assertTrue(insert != null, "the relay's first INSERT into t_full");
        List<String> names = columns().stream().map(AllTypes.Col::name).toList();
        CanalEntry.Column cl = insert.getRowDatas(0).getAfterColumns(names.indexOf("cl"));
        assertEquals("café", cl.getValue(), "a latin1 CHAR decoded in latin1");
        assertEquals(java.sql.Types.CHAR, cl.getSqlType());
        CanalEntry.Column ip = insert.getRowDatas(0).getAfterColumns(names.indexOf("ip"));
        byte[] inet6 = java.util.HexFormat.of().parseHex(primary.queryString("SELECT HEX(INET6_ATON('2001:db8::1'))"));
        assertEquals(new String(inet6, java.nio.charset.StandardCharsets.ISO_8859_1), ip.getValue(),
                "INET6: its 16 bytes, one ISO-8859-1 character each, as every binary column");
        assertEquals(java.sql.Types.BLOB, ip.getSqlType());
        assertEquals("binary(16)", ip.getMysqlType());
        assertEquals("ip", ip.getName());
    }

    /**
     * One line per entry and per column, with what the comparison covers. Transaction entries Canal's sink
     * dropped (an empty transaction) are left out of ours: {@code canal} says which list this is.
     */
    private String describe(List<CanalEntry.Entry> entries, boolean canalSide) throws Exception {
        StringBuilder b = new StringBuilder();
        for (CanalEntry.Entry e : entries) {
            CanalEntry.Header h = e.getHeader();
            boolean minimal = h.getLogfileName().equals(start.file()) && h.getLogfileOffset() >= minimalFrom
                    && h.getLogfileOffset() < minimalTo;
            b.append(e.getEntryType()).append(' ').append(h.getLogfileName()).append(':').append(h.getLogfileOffset())
                    .append(" len=").append(h.getEventLength()).append(" v").append(h.getVersion())
                    .append(" server=").append(h.getServerId()).append(' ').append(h.getServerenCode())
                    .append(" time=").append(h.getExecuteTime()).append(' ').append(h.getSourceType())
                    .append(" schema=").append(h.getSchemaName()).append(" table=").append(h.getTableName())
                    .append(" type=").append(h.hasEventType() ? h.getEventType() : "-")
                    .append(" gtid=").append(h.getGtid()).append(" props=").append(pairs(h.getPropsList()))
                    .append('\n');
            switch (e.getEntryType()) {
                case TRANSACTIONBEGIN -> b.append("  thread=")
                        .append(CanalEntry.TransactionBegin.parseFrom(e.getStoreValue()).getThreadId()).append('\n');
                case TRANSACTIONEND -> b.append("  xid=")
                        .append(CanalEntry.TransactionEnd.parseFrom(e.getStoreValue()).getTransactionId()).append('\n');
                case ROWDATA -> rowChange(b, CanalEntry.RowChange.parseFrom(e.getStoreValue()), minimal,
                        columnNames(h));
                default -> b.append("  ?\n");
            }
        }
        return b.toString();
    }

    /** Column index → name in the table an entry's header names, at the entry's offset (before or after its ALTER). */
    private List<String> columnNames(CanalEntry.Header h) {
        List<String> names = new ArrayList<>(columns().stream().map(AllTypes.Col::name).toList());
        Long alter = alteredAt.get(h.getTableName());
        if (alter != null && h.getLogfileOffset() >= alter) {
            names.add(1, "added");
        }
        return names;
    }

    private static void rowChange(StringBuilder b, CanalEntry.RowChange rc, boolean minimal, List<String> names) {
        b.append("  ").append(rc.getEventType()).append(" ddl=").append(rc.getIsDdl()).append(" tableId=")
                .append(rc.hasTableId() ? "yes" : "-").append(" ddlSchema=").append(rc.getDdlSchemaName())
                .append(" props=").append(pairs(rc.getPropsList())).append(" sql=").append(rc.getSql()).append('\n');
        for (CanalEntry.RowData row : rc.getRowDatasList()) {
            b.append("  row\n");
            columns(b, "before", row.getBeforeColumnsList(), minimal, names);
            columns(b, "after", row.getAfterColumnsList(), minimal, names);
        }
    }

    private static void columns(StringBuilder b, String side, List<CanalEntry.Column> cols, boolean minimal,
                                List<String> names) {
        for (CanalEntry.Column c : cols) {
            b.append("    ").append(side).append(" #").append(c.getIndex());
            if (c.getIndex() < names.size() && CANAL_WRONG.contains(names.get(c.getIndex()))) {
                b.append(" (compared apart) null=").append(c.getIsNull()).append(" updated=").append(c.getUpdated())
                        .append('\n');
                continue;
            }
            if (!minimal) {
                b.append(' ').append(c.getName()).append(" key=").append(c.getIsKey()).append(" mysqlType=")
                        .append(c.getMysqlType());
            }
            b.append(" null=").append(c.getIsNull()).append(" updated=").append(c.getUpdated())
                    .append(" sqlType=").append(c.getSqlType()).append(" value=")
                    .append(c.getValue().length() > 80 ? c.getValue().length() + " chars, "
                            + Integer.toHexString(c.getValue().hashCode()) : c.getValue()).append('\n');
        }
    }

    private static String pairs(List<CanalEntry.Pair> props) {
        return props.stream().map(p -> p.getKey() + "=" + p.getValue()).collect(Collectors.joining(","));
    }
}
