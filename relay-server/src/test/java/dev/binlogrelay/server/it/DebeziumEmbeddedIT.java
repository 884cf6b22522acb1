package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, point 5: Debezium's MariaDB connector (embedded engine, 3.5) with its <b>default</b> settings (initial
 * snapshot, the default query timeout that its driver sends as {@code SET STATEMENT max_statement_time=… FOR}) reads
 * the relay, with {@code downstream.sql_backend} pointing at the primary for what only a database answers, and
 * delivers exactly the change events the same connector delivers reading the primary directly: the snapshot, then
 * a workload of inserts, updates and deletes, across a stop and a restart in the middle of a 40,000-row
 * transaction (offsets kept in a file, as a user would).
 *
 * <p>Runs in Failsafe's "debezium" execution (the tag): Debezium brings its own mysql-binlog-connector-java.
 */
@Tag("debezium")
class DebeziumEmbeddedIT {
    private static final String USER = "dbz";
    private static final String PASSWORD = "dbz-secret";
    private static final int SEED_ROWS = 300;
    private static final int BIG_ROWS = 40_000;
    private static final Duration WAIT = Duration.ofSeconds(180);

    @TempDir
    static Path tmp;
    private static MariaDbServer primary;
    private static Relay relay;
    /** The same primary's relay without downstream.sql_backend. */
    private static Relay plainRelay;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(21).start();
        try {
            // Debezium's documented grants for the MariaDB connector
            primary.execute("SET sql_log_bin = 0",
                    "CREATE USER " + USER + "@'%' IDENTIFIED BY '" + PASSWORD + "'",
                    "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO "
                            + USER + "@'%'");
            primary.execute("CREATE DATABASE shop",
                    "CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40) CHARACTER SET utf8mb4, qty INT,"
                            + " price DECIMAL(10,2), at DATETIME(3), note TEXT, tag VARBINARY(8))",
                    "CREATE TABLE shop.plain (id INT PRIMARY KEY, word VARCHAR(20))", // latin1, the server default
                    "CREATE TABLE shop.marker (id INT PRIMARY KEY)");
            StringBuilder seed = new StringBuilder("INSERT INTO shop.items VALUES ");
            for (int i = 1; i <= SEED_ROWS; i++) {
                seed.append(i == 1 ? "" : ",").append('(').append(i).append(", 'näme ").append(i).append("', ").append(i % 17)
                        .append(", ").append(i).append(".25, '2026-03-04 05:06:07.").append(i % 1000).append("', ")
                        .append(i % 4 == 0 ? "NULL" : "REPEAT('n', " + i % 50 + ")").append(", x'0a").append(String.format("%04x", i)).append("')");
            }
            primary.execute(seed.toString(), "INSERT INTO shop.plain VALUES (1, 'café'), (2, 'naïve')");

            RelayConfig config = RelayHarness.config(primary, tmp.resolve("relay"), 9051, "earliest");
            RelayConfig.User u = new RelayConfig.User();
            u.user = USER;
            u.password = PASSWORD;
            config.downstream.users = List.of(u);
            config.downstream.sqlBackend = new RelayConfig.SqlBackend();
            config.downstream.sqlBackend.host = primary.host();
            config.downstream.sqlBackend.port = primary.port();
            config.downstream.sqlBackend.user = USER;
            config.downstream.sqlBackend.password = PASSWORD;
            relay = Relay.start(config);
            RelayConfig plain = RelayHarness.config(primary, tmp.resolve("plain"), 9052, "earliest");
            plain.downstream.users = List.of(u);
            plainRelay = Relay.start(plain);
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        try {
            if (plainRelay != null) {
                plainRelay.close();
            }
        } finally {
            RelayHarness.closeAll(relay, primary);
        }
    }

    private static DebeziumCapture direct(String name, long serverId) throws Exception {
        return DebeziumCapture.start(name, primary.host(), primary.port(), USER, PASSWORD, serverId,
                Files.createDirectories(tmp.resolve(name)), new Properties());
    }

    private static DebeziumCapture throughRelay(String name, long serverId) throws Exception {
        return DebeziumCapture.start(name, "127.0.0.1", relay.port(), USER, PASSWORD, serverId,
                Files.createDirectories(tmp.resolve(name)), new Properties());
    }

    private static java.util.function.Predicate<DebeziumCapture.Change> marker(int id) {
        return c -> c.table().equals("shop.marker") && c.op().equals("c") && c.key().equals("Struct{id=" + id + "}");
    }

    @Test
    void theSameEventsAsOnThePrimaryAcrossAStopInsideALargeTransaction() throws Exception {
        DebeziumCapture onPrimary = direct("direct", 5401);
        DebeziumCapture first = null;
        DebeziumCapture second = null;
        try {
            first = throughRelay("relay", 5402);
            // the snapshot, then a marker streamed after it
            onPrimary.awaitCount(SEED_ROWS + 2, WAIT);
            first.awaitCount(SEED_ROWS + 2, WAIT);
            primary.execute("INSERT INTO shop.marker VALUES (1)");
            List<DebeziumCapture.Change> expectedSnapshot = onPrimary.awaitChange(marker(1), WAIT);
            List<DebeziumCapture.Change> gotSnapshot = first.awaitChange(marker(1), WAIT);
            assertEquals(SEED_ROWS + 2 + 1, expectedSnapshot.size(), "snapshot of items and plain, then the marker");
            assertEquals(expectedSnapshot, gotSnapshot, "snapshot and first streamed event");

            // a workload; its 40,000-row transaction is where the relay's connector is stopped
            primary.execute("UPDATE shop.items SET qty = qty + 1, note = CONCAT(IFNULL(note, ''), 'u') WHERE id % 10 = 0",
                    "DELETE FROM shop.items WHERE id % 25 = 0",
                    "INSERT INTO shop.plain VALUES (3, 'señor')");
            primary.execute("BEGIN",
                    "INSERT INTO shop.items SELECT seq, CONCAT('big ', seq), seq % 3, seq / 4, '2026-05-06 07:08:09.5', NULL, NULL"
                            + " FROM shop.seq_" + (SEED_ROWS + 1) + "_to_" + (SEED_ROWS + BIG_ROWS),
                    "UPDATE shop.items SET qty = -1 WHERE id BETWEEN 1 AND 5",
                    "COMMIT");
            primary.execute("UPDATE shop.items SET price = 0 WHERE id > " + SEED_ROWS + " AND id % 1000 = 0",
                    "INSERT INTO shop.marker VALUES (2)");
            int before = first.size();
            first.awaitCount(before + 6_000, WAIT);
            first.close();
            List<DebeziumCapture.Change> run1 = first.changes();
            first = null;
            List<DebeziumCapture.Change> expected = onPrimary.awaitChange(marker(2), WAIT);
            assertTrue(run1.size() < expected.size() - 1_000, "the stop came inside the large transaction: " + run1.size()
                    + " of " + expected.size() + " events delivered before it");
            String bigGtid = expected.stream().filter(c -> c.key().equals("Struct{id=" + (SEED_ROWS + 1) + "}") && c.op().equals("c"))
                    .findFirst().orElseThrow().gtid();
            assertEquals(bigGtid, run1.get(run1.size() - 1).gtid(), "the last event before the stop is the large transaction's");

            second = throughRelay("relay", 5402); // the same name, offsets and schema history: a restart
            List<DebeziumCapture.Change> run2 = second.awaitChange(marker(2), WAIT);
            int replayed = overlap(run1, run2);
            List<DebeziumCapture.Change> got = new ArrayList<>(run1);
            got.addAll(run2.subList(replayed, run2.size()));
            System.out.printf("stopped after %d of %d events; the restarted connector replayed %d (at-least-once)%n",
                    run1.size(), expected.size(), replayed);
            assertEquals(expected.size(), got.size(), "no event lost or duplicated beyond a replayed tail");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), got.get(i), "event " + i);
            }
            assertNotEquals(0, run2.size() - replayed);
        } finally {
            for (DebeziumCapture c : new DebeziumCapture[]{first, second, onPrimary}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /**
     * Without a SQL backend the relay answers no table read, so Debezium runs without a snapshot: {@code
     * snapshot.mode=never}, the one setting changed, makes it read the binlog from its beginning and build its schema
     * from the DDL there (the relay holds the primary's whole binlog). The same connector on the primary, set the same,
     * delivers the same events.
     */
    @Test
    void withoutABackendTheNoSnapshotConfigurationStreamsTheSameEvents() throws Exception {
        Properties never = new Properties();
        never.setProperty("snapshot.mode", "never");
        DebeziumCapture onPrimary = DebeziumCapture.start("direct-never", primary.host(), primary.port(), USER, PASSWORD, 5403,
                Files.createDirectories(tmp.resolve("direct-never")), never);
        DebeziumCapture through = null;
        try {
            through = DebeziumCapture.start("plain-never", "127.0.0.1", plainRelay.port(), USER, PASSWORD, 5404,
                    Files.createDirectories(tmp.resolve("plain-never")), never);
            primary.execute("UPDATE shop.plain SET word = 'über' WHERE id = 1", "INSERT INTO shop.marker VALUES (100)");
            List<DebeziumCapture.Change> expected = onPrimary.awaitChange(marker(100), WAIT);
            List<DebeziumCapture.Change> got = through.awaitChange(marker(100), WAIT);
            assertTrue(expected.size() > SEED_ROWS, "from the binlog's beginning: " + expected.size() + " events");
            assertEquals(expected.size(), got.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), got.get(i), "event " + i);
            }
            System.out.printf("no snapshot, no backend: %d events, the same on the primary and through the relay%n", got.size());
        } finally {
            for (DebeziumCapture c : new DebeziumCapture[]{through, onPrimary}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    /**
     * How many events at the head of {@code run2} repeat the tail of {@code run1}: the longest such overlap, which is
     * what an at-least-once restart may deliver again (events delivered but whose offset was not yet stored).
     */
    private static int overlap(List<DebeziumCapture.Change> run1, List<DebeziumCapture.Change> run2) {
        if (run2.isEmpty()) {
            return 0;
        }
        int start = run1.lastIndexOf(run2.get(0));
        if (start < 0) {
            return 0;
        }
        int n = run1.size() - start;
        assertTrue(run2.size() >= n && run1.subList(start, run1.size()).equals(run2.subList(0, n)),
                "the restarted connector repeats events from " + start + " but not the whole tail of the first run");
        return n;
    }
}
