package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, points 2 and 3, against a real MariaDB primary and a relay replicating it: MariaDB Connector/J's query
 * timeout ({@code SET STATEMENT max_statement_time=N FOR ...}) answers like the primary, and SHOW BINLOG EVENTS
 * lists the same rows (every column) from the relay's store as from the primary's files.
 */
class SqlStatementsIT {
    @TempDir
    static Path tmp;
    private static MariaDbServer primary;
    private static Relay relay;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(11).start();
        try {
            workload();
            relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9012, "earliest"));
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            RelayHarness.closeAll(relay, primary);
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        RelayHarness.closeAll(relay, primary);
    }

    /** DDL, DML in several tables (row events with annotations), a multi-table transaction, two rotates. */
    private static void workload() throws Exception {
        workload(primary);
    }

    private static void workload(MariaDbServer primary) throws Exception {
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE shop");
            st.execute("CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(50))");
            st.execute("CREATE TABLE shop.orders (id INT PRIMARY KEY, customer INT, total DECIMAL(10,2))");
            for (int i = 1; i <= 5; i++) {
                st.executeUpdate("INSERT INTO shop.customers VALUES (" + i + ", 'c" + i + "')");
            }
            st.execute("FLUSH BINARY LOGS");
            c.setAutoCommit(false);
            st.executeUpdate("INSERT INTO shop.orders VALUES (1, 1, 9.50), (2, 2, 12.00)");
            st.executeUpdate("UPDATE shop.customers SET name = 'renamed' WHERE id = 1");
            c.commit();
            c.setAutoCommit(true);
            st.execute("USE shop");
            st.execute("ALTER TABLE orders ADD COLUMN note TEXT");
            st.executeUpdate("DELETE FROM customers WHERE id > 3");
            st.execute("XA START 'x1'");
            st.executeUpdate("INSERT INTO orders VALUES (3, 3, 1.25, 'xa')");
            st.execute("XA END 'x1'");
            st.execute("XA PREPARE 'x1'");
            st.execute("XA COMMIT 'x1'");
            st.execute("FLUSH BINARY LOGS");
            st.executeUpdate("UPDATE orders SET note = 'x' WHERE id = 2");
            // compressed events (QUERY_COMPRESSED, *_rows_compressed_v1) for this session's statements
            st.execute("SET GLOBAL log_bin_compress = ON");
            try {
                st.execute("CREATE TABLE audit (id INT PRIMARY KEY, what TEXT) COMMENT '"
                        + "a comment long enough to be worth compressing: " + "x".repeat(300) + "'");
                st.executeUpdate("INSERT INTO audit VALUES (1, REPEAT('y', 1000)), (2, REPEAT('z', 1000))");
            } finally {
                st.execute("SET GLOBAL log_bin_compress = OFF");
            }
        }
    }

    private static Connection relayConnection(String options) throws SQLException {
        return relayConnection(relay, options);
    }

    private static Connection relayConnection(Relay relay, String options) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user=" + RelayHarness.USER
                + "&password=" + RelayHarness.PASSWORD + "&connectTimeout=5000&socketTimeout=20000" + options);
    }

    private static Connection primaryConnection() throws SQLException {
        return primary.connect();
    }

    @Test
    void setStatementAnswersLikeThePrimary() throws Exception {
        String sql = "SET STATEMENT max_statement_time=600 FOR SELECT @@max_statement_time";
        String fromPrimary = primary.queryString(sql);
        assertEquals(600.0, Double.parseDouble(fromPrimary), "the primary: " + fromPrimary);
        try (Connection c = relayConnection(""); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            assertEquals(600.0, Double.parseDouble(rs.getString(1)));
        }
    }

    /** MariaDB Connector/J with a query timeout wraps each statement in SET STATEMENT max_statement_time=N FOR. */
    @Test
    void connectorJQueryTimeoutWorksThroughTheRelay() throws Exception {
        for (Connection c : List.of(relayConnection(""), primaryConnection())) {
            try (c; Statement st = c.createStatement()) {
                st.setQueryTimeout(30);
                try (ResultSet rs = st.executeQuery("SELECT @@max_statement_time")) {
                    assertTrue(rs.next());
                    assertEquals(30.0, Double.parseDouble(rs.getString(1)), "the timeout is the statement's");
                }
                try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                    assertTrue(rs.next());
                    assertTrue(rs.getString("File").startsWith("mariadb-bin."), rs.getString("File"));
                }
                try (ResultSet rs = st.executeQuery("SHOW VARIABLES LIKE 'binlog_format'")) {
                    assertTrue(rs.next());
                    assertEquals("ROW", rs.getString(2));
                }
                st.setQueryTimeout(0);
                try (ResultSet rs = st.executeQuery("SELECT @@server_id")) {
                    assertTrue(rs.next());
                    assertTrue(Long.parseLong(rs.getString(1)) > 0);
                }
            }
        }
    }

    /**
     * MySQL Connector/J keeps its query timeout on the client (a timer that sends KILL QUERY on another connection
     * when it fires), so the statements reach the relay as written; MySQL's hint form of a timeout runs the statement.
     */
    @Test
    void mysqlConnectorJTimeoutAndHints() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + relay.port()
                + "/?connectTimeout=5000&socketTimeout=20000&sslMode=DISABLED&allowPublicKeyRetrieval=true",
                RelayHarness.USER, RelayHarness.PASSWORD); Statement st = c.createStatement()) {
            st.setQueryTimeout(30);
            try (ResultSet rs = st.executeQuery("SELECT /*+ MAX_EXECUTION_TIME(1000) */ @@server_id")) {
                assertTrue(rs.next());
                assertEquals("9012", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SHOW BINLOG EVENTS LIMIT 1")) {
                assertTrue(rs.next());
                assertEquals("Format_desc", rs.getString("Event_type"));
            }
        }
    }

    @Test
    void showBinlogEventsListsWhatThePrimaryLists() throws Exception {
        sameShowBinlogEvents(primary, relay);
    }

    /** MariaDB 11.4 writes its binlog differently (log_pos 0 inside groups in the stream): the same rows still. */
    @Test
    void showBinlogEventsListsWhatAMariaDb114PrimaryLists() throws Exception {
        try (MariaDbServer primary114 = MariaDbServer.builder().install(dev.binlogrelay.testkit.Peers.mariaDb114())
                .name("primary114").serverId(11).start()) {
            workload(primary114);
            try (Relay relay114 = Relay.start(RelayHarness.config(primary114, tmp.resolve("relay114"), 9013, "earliest"))) {
                RelayHarness.awaitCaughtUp(relay114, primary114, Duration.ofSeconds(60));
                sameShowBinlogEvents(primary114, relay114);
            }
        }
    }

    private static void sameShowBinlogEvents(MariaDbServer primary, Relay relay) throws Exception {
        List<String> files = primary.binlogFiles();
        assertEquals(3, files.size(), "two rotates: " + files);
        List<String> statements = new ArrayList<>();
        statements.add("SHOW BINLOG EVENTS");
        for (String f : files) {
            statements.add("SHOW BINLOG EVENTS IN '" + f + "'");
        }
        String middle = files.get(1);
        List<List<String>> middleRows = primary.query("SHOW BINLOG EVENTS IN '" + middle + "'");
        assertTrue(middleRows.size() > 8, "events in " + middle + ": " + middleRows.size());
        String from = middleRows.get(4).get(1);
        statements.add("SHOW BINLOG EVENTS IN '" + middle + "' FROM " + from);
        statements.add("SHOW BINLOG EVENTS IN '" + middle + "' FROM " + from + " LIMIT 3");
        statements.add("SHOW BINLOG EVENTS IN '" + middle + "' LIMIT 2, 4");
        statements.add("SHOW BINLOG EVENTS IN '" + middle + "' LIMIT 3 OFFSET 1");
        statements.add("SHOW BINLOG EVENTS LIMIT 1");
        statements.add("show binlog events in '" + middle + "' from 0 limit 2");
        statements.add("SHOW BINLOG EVENTS IN '" + middle + "' LIMIT 0");
        statements.add("SHOW BINLOG EVENTS IN '" + middle + "' LIMIT 100, 1");

        try (Connection fromRelay = relayConnection(relay, ""); Connection fromPrimary = primary.connect()) {
            for (String sql : statements) {
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
                List<List<String>> expected = rows(fromPrimary, sql);
                List<List<String>> actual = rows(fromRelay, sql);
                assertEquals(expected, actual, sql);
            }
            List<List<String>> all = rows(fromRelay, "SHOW BINLOG EVENTS IN '" + middle + "'");
            List<String> types = all.stream().map(r -> r.get(2)).distinct().toList();
            assertTrue(types.containsAll(List.of("Format_desc", "Gtid_list", "Binlog_checkpoint", "Gtid", "Annotate_rows",
                    "Table_map", "Write_rows_v1", "Update_rows_v1", "Delete_rows_v1", "Xid", "Query", "Rotate")), types.toString());
            assertTrue(types.contains("XA_prepare"), types.toString());
            assertTrue(all.stream().anyMatch(r -> r.get(5).startsWith("XA START X'7831',X'',1 GTID ")), all.toString());
            List<String> lastTypes = rows(fromRelay, "SHOW BINLOG EVENTS IN '" + files.get(2) + "'").stream()
                    .map(r -> r.get(2)).distinct().toList();
            assertTrue(lastTypes.containsAll(List.of("Query_compressed", "Write_rows_compressed_v1")), lastTypes.toString());
            assertTrue(all.stream().allMatch(r -> r.get(3).equals("11")), "the primary's server_id on every event");
            assertEquals(List.of("Log_name", "Pos", "Event_type", "Server_id", "End_log_pos", "Info"),
                    columns(fromRelay, "SHOW BINLOG EVENTS LIMIT 1"));

            for (String bad : List.of("SHOW BINLOG EVENTS IN 'mysql-bin.999999'",
                    "SHOW BINLOG EVENTS IN '" + middle + "' FROM 1000000",
                    "SHOW BINLOG EVENTS IN '" + middle + "' FROM " + (Long.parseLong(from) + 1))) {
                SQLException p = error(fromPrimary, bad);
                SQLException r = error(fromRelay, bad);
                assertEquals(p.getErrorCode(), r.getErrorCode(), bad + ": " + p.getMessage() + " / " + r.getMessage());
                // the driver prefixes "(conn=N) ", the connection id, which differs
                assertEquals(p.getMessage().replaceFirst("^\\(conn=\\d+\\) ", ""),
                        r.getMessage().replaceFirst("^\\(conn=\\d+\\) ", ""), bad);
                assertEquals(p.getSQLState(), r.getSQLState(), bad);
            }
        }
    }

    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<List<String>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static List<String> columns(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                names.add(rs.getMetaData().getColumnLabel(i));
            }
            return names;
        }
    }

    private static SQLException error(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            throw new AssertionError(sql + " answered rows instead of an error");
        } catch (SQLException e) {
            return e;
        }
    }
}
