package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, point 4 (first slice): {@code downstream.sql_backend} with a real MariaDB server as the backend (the
 * primary the relay replicates). What only a database can answer is forwarded and comes back as the server sends
 * it (the same values and column types as on the server directly); writes are refused with 1227 and change nothing;
 * what the relay answers itself stays the relay's; a backend that cannot be reached is a clear error that leaves the
 * session usable; without the key the old answers stay.
 */
class SqlBackendIT {
    private static final String BACKEND_USER = "sqlb";
    private static final String BACKEND_PASSWORD = "bpw";
    private static final int ROWS = 3000;

    @TempDir
    static Path tmp;
    private static MariaDbServer primary;
    private static Relay relay;
    private static Relay withoutBackend;
    private static Relay deadBackend;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(11).start();
        try {
            // an account with every privilege, so that a refused write shows the relay's rule, not the backend's grants
            primary.execute("CREATE USER " + BACKEND_USER + "@'%' IDENTIFIED BY '" + BACKEND_PASSWORD + "'",
                    "GRANT ALL PRIVILEGES ON *.* TO " + BACKEND_USER + "@'%' WITH GRANT OPTION",
                    "CREATE DATABASE shop",
                    "CREATE TABLE shop.big (id INT PRIMARY KEY, name VARCHAR(40) CHARACTER SET utf8mb4, amount DECIMAL(12,3),"
                            + " at DATETIME(3), f DOUBLE, note TEXT, b VARBINARY(16))",
                    "CREATE TABLE shop.snap (id INT PRIMARY KEY)");
            try (Connection c = primary.connect(); Statement st = c.createStatement()) {
                StringBuilder sql = new StringBuilder();
                for (int i = 1; i <= ROWS; i++) {
                    sql.append(sql.length() == 0 ? "INSERT INTO shop.big VALUES " : ",").append("(").append(i)
                            .append(", 'näme ").append(i).append("', ").append(i).append(".125, '2026-01-02 03:04:05.")
                            .append(i % 1000).append("', ").append(i / 7.0).append(", ")
                            .append(i % 5 == 0 ? "NULL" : "REPEAT('x', " + (i % 300) + ")").append(", x'00ff").append(String.format("%04x", i)).append("')");
                    if (i % 500 == 0) {
                        st.executeUpdate(sql.toString());
                        sql.setLength(0);
                    }
                }
                st.executeUpdate("INSERT INTO shop.snap VALUES (1), (2), (3)");
            }
            RelayConfig config = RelayHarness.config(primary, tmp.resolve("relay"), 9041, "earliest");
            config.downstream.sqlBackend = backend(primary.port());
            relay = Relay.start(config);
            withoutBackend = Relay.start(RelayHarness.config(primary, tmp.resolve("plain"), 9042, "earliest"));
            RelayConfig dead = RelayHarness.config(primary, tmp.resolve("dead"), 9043, "earliest");
            dead.downstream.sqlBackend = backend(closedPort());
            deadBackend = Relay.start(dead);
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            for (Relay r : new Relay[]{deadBackend, withoutBackend}) {
                if (r != null) {
                    r.close();
                }
            }
        } finally {
            RelayHarness.closeAll(relay, primary);
        }
    }

    private static RelayConfig.SqlBackend backend(int port) {
        RelayConfig.SqlBackend b = new RelayConfig.SqlBackend();
        b.host = "127.0.0.1";
        b.port = port;
        b.user = BACKEND_USER;
        b.password = BACKEND_PASSWORD;
        b.sslMode = "disabled";
        return b;
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Connection connect(Relay r) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + r.port() + "/?user=" + RelayHarness.USER
                + "&password=" + RelayHarness.PASSWORD + "&connectTimeout=5000&socketTimeout=30000");
    }

    /** Column labels and type names, then every value as a string. */
    private static List<List<String>> rows(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<List<String>> out = new ArrayList<>();
            List<String> header = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                header.add(md.getColumnLabel(i) + ":" + md.getColumnTypeName(i) + ":" + md.getPrecision(i) + ":" + md.getScale(i));
            }
            out.add(header);
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private static void assertSameOnBoth(String sql) throws SQLException {
        try (Connection direct = primary.connect(); Connection through = connect(relay)) {
            List<List<String>> expected = rows(direct, sql);
            List<List<String>> got = rows(through, sql);
            assertEquals(expected, got, sql);
        }
    }

    private static int errorCode(Connection c, String sql) {
        return assertThrows(SQLException.class, () -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }, sql).getErrorCode();
    }

    @Test
    void showDatabasesAndShowCreateTableComeFromTheBackend() throws SQLException {
        assertSameOnBoth("SHOW DATABASES");
        assertSameOnBoth("SHOW CREATE TABLE shop.big");
        assertSameOnBoth("SHOW FULL COLUMNS FROM shop.big");
        assertSameOnBoth("SHOW TABLES FROM shop");
    }

    @Test
    void aTableOfThousandsOfRowsReadsAsOnTheServer() throws SQLException {
        try (Connection direct = primary.connect(); Connection through = connect(relay)) {
            List<List<String>> expected = rows(direct, "SELECT * FROM shop.big ORDER BY id");
            assertEquals(ROWS + 1, expected.size());
            assertEquals(expected, rows(through, "SELECT * FROM shop.big ORDER BY id"));
            // the session goes on: a relay-answered statement, then a backend one again
            assertEquals(List.of("9041"), rows(through, "SELECT @@server_id").get(1));
            assertEquals(List.of(String.valueOf(ROWS)), rows(through, "SELECT COUNT(*) FROM shop.big").get(1));
        }
    }

    @Test
    void informationSchemaComesFromTheBackend() throws SQLException {
        assertSameOnBoth("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = 'shop' ORDER BY TABLE_NAME, ORDINAL_POSITION");
    }

    @Test
    void aConsistentSnapshotHoldsOnTheBackendConnection() throws SQLException {
        try (Connection through = connect(relay)) {
            try (Statement st = through.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            }
            assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1));
            primary.execute("INSERT INTO shop.snap VALUES (100)");
            try {
                assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1), "inside the snapshot");
                try (Statement st = through.createStatement()) {
                    st.execute("COMMIT");
                }
                assertEquals(List.of("4"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1), "after COMMIT");
                try (Statement st = through.createStatement()) { // the locks a snapshot takes
                    st.execute("FLUSH TABLES WITH READ LOCK");
                    st.execute("UNLOCK TABLES");
                    st.execute("LOCK TABLES shop.snap READ");
                    assertEquals(List.of("4"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1));
                    st.execute("UNLOCK TABLES");
                }
            } finally {
                primary.execute("DELETE FROM shop.snap WHERE id = 100");
            }
        }
    }

    /**
     * The JDBC way (autocommit off, a snapshot, relay-answered statements in between, {@code commit()}): Connector/J
     * sends COMMIT only when the last status flags it saw say "in a transaction", so the relay's own answers must
     * say what the backend's do, or the snapshot would outlive the commit.
     */
    @Test
    void jdbcCommitEndsTheBackendTransactionAfterRelayAnsweredStatements() throws SQLException {
        try (Connection through = connect(relay)) {
            through.setAutoCommit(false);
            try (Statement st = through.createStatement()) {
                st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            }
            assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1));
            primary.execute("INSERT INTO shop.snap VALUES (200)");
            try {
                assertEquals(List.of("9041"), rows(through, "SELECT @@server_id").get(1)); // answered by the relay
                assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1), "inside the snapshot");
                assertEquals(List.of("9041"), rows(through, "SELECT @@server_id").get(1));
                through.commit();
                assertEquals(List.of("4"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1), "after commit()");
                through.commit();
            } finally {
                primary.execute("DELETE FROM shop.snap WHERE id = 200");
            }
        }
    }

    /**
     * Connector/J sends a statement batch pipelined (every command before the first answer). Commands behind one
     * the backend answers wait for that answer and are then answered in order, forwarded or not.
     */
    @Test
    void aPipelinedBatchMixingForwardedAndRelayAnsweredStatementsIsAnsweredInOrder() throws SQLException {
        try (Connection through = connect(relay); Statement st = through.createStatement()) {
            for (int round = 0; round < 3; round++) {
                st.addBatch("START TRANSACTION WITH CONSISTENT SNAPSHOT"); // forwarded
                st.addBatch("SET @pipelined = " + round); // answered by the relay (and mirrored)
                st.addBatch("LOCK TABLES shop.snap READ"); // forwarded
                st.addBatch("UNLOCK TABLES"); // forwarded
                st.addBatch("COMMIT"); // forwarded
            }
            int[] counts = st.executeBatch();
            assertEquals(15, counts.length);
            assertEquals(List.of("2", "3"), rows(through, "SELECT @pipelined, COUNT(*) FROM shop.snap").get(1),
                    "the session goes on: the relay's variable, the backend's table");
        }
    }

    /** A database named at login (in the JDBC URL) is the backend session's default, so unqualified names work. */
    @Test
    void theLoginDatabaseIsTheBackendSessionsDefault() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port() + "/shop?user="
                + RelayHarness.USER + "&password=" + RelayHarness.PASSWORD + "&connectTimeout=5000&socketTimeout=30000")) {
            assertEquals(List.of("3"), rows(c, "SELECT COUNT(*) FROM snap").get(1));
            assertEquals(List.of("shop"), rows(c, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()").get(1));
        }
    }

    @Test
    void writesAreRefusedWith1227AndChangeNothing() throws SQLException {
        try (Connection through = connect(relay)) {
            for (String sql : List.of("INSERT INTO shop.snap VALUES (7)", "DELETE FROM shop.snap", "UPDATE shop.snap SET id = id + 10",
                    "CREATE TABLE shop.made (a INT)", "DROP TABLE shop.snap", "GRANT SELECT ON *.* TO 'nobody'@'%' IDENTIFIED BY 'x'",
                    "CREATE USER 'nobody2'@'%'", "SET GLOBAL max_connections = 5", "KILL 1", "LOCK TABLES shop.snap WRITE",
                    "SELECT * FROM shop.snap INTO OUTFILE '/tmp/relay-out'", "SHUTDOWN")) {
                assertEquals(1227, errorCode(through, sql), sql);
            }
            assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1), "the session still works");
        }
        assertEquals(List.of(List.of("1"), List.of("2"), List.of("3")), primary.query("SELECT id FROM shop.snap ORDER BY id"));
        assertEquals("0", primary.queryString("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'made'"));
        assertEquals("0", primary.queryString("SELECT COUNT(*) FROM mysql.user WHERE User LIKE 'nobody%'"));
        assertTrue(Integer.parseInt(primary.queryString("SELECT @@max_connections")) > 5);
    }

    @Test
    void whatTheRelayAnswersStaysTheRelays() throws SQLException {
        try (Connection through = connect(relay); Connection plain = connect(withoutBackend)) {
            assertEquals(List.of("9041"), rows(through, "SELECT @@server_id").get(1));
            List<List<String>> status = rows(through, "SHOW MASTER STATUS");
            assertEquals(rows(plain, "SHOW MASTER STATUS").get(1).get(0), status.get(1).get(0), "the relay's binlog file");
            assertEquals(rows(plain, "SHOW BINARY LOGS").get(1).get(0), rows(through, "SHOW BINARY LOGS").get(1).get(0));
        }
    }

    @Test
    void theBackendConnectionClosesWithTheSession() throws Exception {
        String count = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + BACKEND_USER + "'";
        try (Connection through = connect(relay)) {
            rows(through, "SELECT 1 FROM shop.snap LIMIT 1");
            assertTrue(Integer.parseInt(primary.queryString(count)) >= 1);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!primary.queryString(count).equals("0")) {
            assertTrue(System.nanoTime() < deadline, "backend connections left: " + primary.queryString(count));
            Thread.onSpinWait();
            primary.queryString("SELECT SLEEP(0.05)"); // the server's clock, not ours, paces the poll
        }
    }

    /**
     * 60 MB through the relay to a client that reads it row by row (streaming) while doing other work: more than the
     * socket buffers and the client's write-buffer high-water mark hold, so the backend's answer is paused and
     * resumed on the way, and arrives whole.
     */
    @Test
    void aResultLargerThanTheClientsBufferArrivesWhole() throws SQLException {
        String sql = "SELECT id, CONCAT(REPEAT(name, 1500), id) FROM shop.big ORDER BY id";
        try (Connection direct = primary.connect(); Connection through = connect(relay)) {
            assertEquals(digest(direct, sql, false), digest(through, sql, true));
        }
    }

    /**
     * The backend's answer counts against {@code downstream.max_pending_bytes}, the memory budget of readers'
     * pending writes, from when it is read off the backend until the client's socket takes it: with a budget of
     * 1 MiB the same 60 MB arrive whole while the relay holds about the budget (plus one read of the backend), and
     * nothing stays counted afterwards.
     */
    @Test
    void theBackendsAnswerCountsAgainstTheReadersMemoryBudget() throws Exception {
        RelayConfig config = RelayHarness.config(primary, tmp.resolve("budget"), 9044, "earliest");
        config.downstream.sqlBackend = backend(primary.port());
        config.downstream.writeBufferHigh = 1 << 20; // the budget, not the client's buffer, is what stops the backend
        config.downstream.writeBufferLow = 512 * 1024;
        config.downstream.maxPendingBytes = "1MiB";
        String sql = "SELECT id, CONCAT(REPEAT(name, 1500), id) FROM shop.big ORDER BY id";
        try (Relay small = Relay.start(config); Connection direct = primary.connect(); Connection through = connect(small)) {
            String expected = digest(direct, sql, false);
            assertEquals(expected, digest(through, sql, true));
            // the same connection goes on: an answer's last read may have spent the budget and paused the backend
            assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1));
            assertEquals(expected, digest(through, sql, true));
            long peak = small.downstream().peakPendingWriteBytes();
            assertTrue(peak > 512 * 1024 && peak <= (1 << 20) + 256 * 1024, "the answer peaked at " + peak + " bytes");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (small.downstream().pendingWriteBytes() != 0) {
                assertTrue(System.nanoTime() < deadline, "still counted: " + small.downstream().pendingWriteBytes());
                Thread.onSpinWait();
            }
        }
    }

    private static String digest(Connection c, String sql, boolean slowly) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (slowly) {
                st.setFetchSize(1); // Connector/J streams: rows are read from the socket as next() asks for them
            }
            return digest(st.executeQuery(sql), slowly);
        }
    }

    private static String digest(ResultSet result, boolean slowly) throws SQLException {
        try (ResultSet rs = result) {
            java.security.MessageDigest md;
            try {
                md = java.security.MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long bytes = 0;
            int n = 0;
            while (rs.next()) {
                if (slowly && ++n % 100 == 0) {
                    primary.queryString("SELECT COUNT(*) FROM shop.big"); // work between reads, paced by the server
                }
                byte[] v = rs.getBytes(2);
                bytes += v.length;
                md.update(rs.getString(1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(v);
            }
            assertTrue(bytes > 30_000_000L, "bytes read: " + bytes);
            return java.util.HexFormat.of().formatHex(md.digest()) + "/" + bytes;
        }
    }

    @Test
    void aLostBackendConnectionIsReportedOnceAndTheNextStatementReconnects() throws Exception {
        try (Connection through = connect(relay)) {
            assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1));
            for (List<String> id : primary.query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + BACKEND_USER + "'")) {
                primary.execute("KILL CONNECTION " + id.get(0));
            }
            SQLException lost = assertThrows(SQLException.class, () -> rows(through, "SELECT COUNT(*) FROM shop.snap"));
            assertEquals(2013, lost.getErrorCode(), lost.getMessage());
            assertEquals(List.of("3"), rows(through, "SELECT COUNT(*) FROM shop.snap").get(1));
            assertEquals(List.of("9041"), rows(through, "SELECT @@server_id").get(1));
        }
    }

    /** A SET the relay answers reaches the backend session too: replayed on connecting, sent at once when connected. */
    @Test
    void sessionSettingsReachTheBackendSession() throws SQLException {
        String mode = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_VARIABLES WHERE VARIABLE_NAME = 'SQL_MODE'";
        String isolation = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_VARIABLES WHERE VARIABLE_NAME = 'TX_ISOLATION'";
        try (Connection through = connect(relay); Statement st = through.createStatement()) {
            st.execute("SET SESSION sql_mode = 'ANSI_QUOTES'");
            st.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            assertEquals(List.of("ANSI_QUOTES"), rows(through, mode).get(1), "replayed on the new connection");
            assertEquals(List.of("READ-COMMITTED"), rows(through, isolation).get(1));
            st.execute("SET @@session.sql_mode = 'NO_ENGINE_SUBSTITUTION'");
            assertEquals(List.of("NO_ENGINE_SUBSTITUTION"), rows(through, mode).get(1), "sent to the open connection");
            assertEquals(List.of("9041"), rows(through, "SELECT @@server_id").get(1));
        }
    }

    @Test
    void anUnreachableBackendIsAClearErrorAndTheSessionGoesOn() throws SQLException {
        try (Connection c = connect(deadBackend)) {
            SQLException e = assertThrows(SQLException.class, () -> rows(c, "SELECT * FROM shop.big"));
            assertEquals(2003, e.getErrorCode(), e.getMessage());
            assertTrue(e.getMessage().contains("SQL backend 127.0.0.1:"), e.getMessage());
            assertEquals(List.of("9043"), rows(c, "SELECT @@server_id").get(1));
            assertEquals(2003, errorCode(c, "SHOW DATABASES"));
            assertEquals(1227, errorCode(c, "INSERT INTO shop.snap VALUES (9)"), "refused before any connection");
            assertEquals(List.of("9043"), rows(c, "SELECT @@server_id").get(1));
        }
    }

    @Test
    void withoutABackendTheOldAnswersStay() throws SQLException {
        try (Connection c = connect(withoutBackend)) {
            assertEquals(1235, errorCode(c, "INSERT INTO shop.snap VALUES (8)"));
            assertEquals(1235, errorCode(c, "SHOW CREATE TABLE shop.big"));
            assertEquals(1235, errorCode(c, "SELECT * FROM shop.big"));
        }
    }
}
