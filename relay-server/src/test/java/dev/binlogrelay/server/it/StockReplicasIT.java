package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 2 acceptance: two stock MariaDB replicas, one by GTID (slave_pos) and one by file/position from the
 * first file, replicate a mixed workload through the relay, including a 20 MiB row and FLUSH BINARY LOGS, and
 * match the primary table by table; still so after the relay restarts mid-stream.
 *
 * <p>Issue 15: run with each MariaDB LTS line as the primary and as the replicas, 10.11 -> 10.11, 11.4 -> 11.4 and
 * 10.11 -> 11.4. The relay is configured without any TLS key and the replicas with nothing but host, port, user and
 * password, so 11.4 replicas connect with their defaults (MASTER_SSL=1, MASTER_SSL_VERIFY_SERVER_CERT=1) and verify
 * the relay's own certificate by the password proof. An 11.4 primary writes log_pos 0 inside transactions.
 */
class StockReplicasIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String[] TABLES = {"app.t_rows", "app.t_json", "app.t_blob"};

    @TempDir
    Path tmp;

    static Stream<Arguments> lines() {
        return Stream.of(Arguments.of(MariaDbLine.MARIADB_10_11, MariaDbLine.MARIADB_10_11),
                Arguments.of(MariaDbLine.MARIADB_11_4, MariaDbLine.MARIADB_11_4),
                Arguments.of(MariaDbLine.MARIADB_10_11, MariaDbLine.MARIADB_11_4));
    }

    @ParameterizedTest(name = "primary {0}, replicas {1}")
    @MethodSource("lines")
    void gtidAndFilePositionReplicasMatchThePrimaryAcrossARelayRestart(MariaDbLine primaryLine, MariaDbLine replicaLine)
            throws Exception {
        try (MariaDbServer primary = primaryLine.builder().name("primary").serverId(1).start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app",
                    "CREATE TABLE app.t_rows (id INT PRIMARY KEY, v VARCHAR(64), n BIGINT) ENGINE=InnoDB",
                    "CREATE TABLE app.t_json (id INT PRIMARY KEY, doc JSON) ENGINE=InnoDB",
                    "CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB");
            // a fixed port: the replicas must find the relay again after its restart
            var config = RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest");
            config.downstream.listen = "127.0.0.1:" + dev.binlogrelay.testkit.FreePorts.find();
            Relay relay = Relay.start(config);
            try (MariaDbServer gtidReplica = replicaLine.builder().name("replica-gtid").serverId(2).start();
                 MariaDbServer fileReplica = replicaLine.builder().name("replica-file").serverId(3).start()) {
                try {
                    RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                    gtidReplica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                            ReplicaMode.SLAVE_POS, null, 0);
                    fileReplica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                            ReplicaMode.FILE_POS, firstFile, 4);

                    workload(primary, 0, 200);
                    primary.execute("FLUSH BINARY LOGS");
                    bigRow(primary, 1, 20 * 1024 * 1024 + 17);
                    workload(primary, 200, 400);

                    // restart the relay in the middle of the stream
                    relay.close();
                    workload(primary, 400, 600);
                    relay = Relay.start(config);
                    primary.execute("FLUSH BINARY LOGS");
                    workload(primary, 600, 800);

                    RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                    String target = primary.gtidBinlogPos();
                    gtidReplica.awaitReplicaCaughtUp(target, WAIT);
                    fileReplica.awaitReplicaCaughtUp(target, WAIT);
                    if (replicaLine == MariaDbLine.MARIADB_11_4) {
                        // nothing but the defaults: TLS, verified by the password proof
                        for (MariaDbServer r : new MariaDbServer[]{gtidReplica, fileReplica}) {
                            assertEquals("Yes", r.replicaStatus().get("Master_SSL_Allowed"), r.name() + " used TLS");
                            assertEquals("Yes", r.replicaStatus().get("Master_SSL_Verify_Server_Cert"), r.name() + " verified");
                        }
                    }
                    for (String t : TABLES) {
                        String expected = primary.checksumTable(t);
                        assertEquals(expected, gtidReplica.checksumTable(t), "GTID replica, " + t);
                        assertEquals(expected, fileReplica.checksumTable(t), "file/position replica, " + t);
                    }
                    String rows = primary.queryString("SELECT COUNT(*) FROM app.t_rows");
                    assertEquals(rows, gtidReplica.queryString("SELECT COUNT(*) FROM app.t_rows"));
                    assertEquals(rows, fileReplica.queryString("SELECT COUNT(*) FROM app.t_rows"));
                    assertEquals("1", fileReplica.queryString("SELECT COUNT(*) FROM app.t_blob WHERE LENGTH(b) > 20971520"));
                } finally {
                    relay.close();
                }
            }
        }
    }

    /** Inserts, updates, deletes, JSON and explicit multi-statement transactions. */
    static void workload(MariaDbServer primary, int from, int to) throws Exception {
        Random random = new Random(from);
        try (Connection c = primary.connect()) {
            c.setAutoCommit(true);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO app.t_rows VALUES (?, ?, ?)");
                 PreparedStatement json = c.prepareStatement("INSERT INTO app.t_json VALUES (?, ?)");
                 Statement st = c.createStatement()) {
                for (int i = from; i < to; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, "row-" + i + "-" + random.nextInt());
                    ins.setLong(3, random.nextLong());
                    ins.executeUpdate();
                    if (i % 10 == 0) {
                        json.setInt(1, i);
                        json.setString(2, "{\"id\": " + i + ", \"tags\": [\"a\", \"b\"], \"nested\": {\"x\": " + random.nextInt(1000) + "}}");
                        json.executeUpdate();
                    }
                }
                c.setAutoCommit(false);
                for (int i = from; i < to; i += 7) {
                    st.executeUpdate("UPDATE app.t_rows SET v = CONCAT(v, '-u'), n = n + 1 WHERE id = " + i);
                    st.executeUpdate("UPDATE app.t_json SET doc = JSON_SET(doc, '$.updated', true) WHERE id = " + (i - i % 10));
                    if (i % 3 == 0) {
                        st.executeUpdate("DELETE FROM app.t_rows WHERE id = " + (i + 1));
                    }
                    c.commit();
                }
                st.executeUpdate("INSERT INTO app.t_rows VALUES (" + (100000 + from) + ", 'rolled back', 0)");
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /** A small workload on app.t (id, v, j) for readers' tests: inserts, JSON, updates, deletes. */
    static void workload0(MariaDbServer primary, int transactions) throws Exception {
        try (Connection c = primary.connect(); Statement st = c.createStatement()) {
            int base = Integer.parseInt(primary.queryString("SELECT COALESCE(MAX(id), 0) + 1 FROM app.t"));
            for (int i = base; i < base + transactions; i++) {
                st.executeUpdate("INSERT INTO app.t VALUES (" + i + ", REPEAT('x', " + (i % 300) + "), JSON_OBJECT('i', " + i + "))");
                if (i % 5 == 0) {
                    st.executeUpdate("UPDATE app.t SET v = 'updated' WHERE id = " + (i - 1));
                }
                if (i % 9 == 0) {
                    st.executeUpdate("DELETE FROM app.t WHERE id = " + (i - 2));
                }
            }
        }
    }

    static void bigRow(MariaDbServer primary, int id, int size) throws Exception {
        byte[] blob = new byte[size];
        new Random(id).nextBytes(blob);
        try (Connection c = primary.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO app.t_blob VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setBytes(2, blob);
            ps.executeUpdate();
        }
    }
}
