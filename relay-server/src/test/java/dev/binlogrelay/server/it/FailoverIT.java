package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11 §1, acceptance: P1 primary, P2 and P3 GTID replicas of it (read-only); the relay with
 * {@code upstream.hosts: [P1, P2, P3]}; a GTID replica and a file/position replica behind the relay.
 * <ol>
 * <li>P3 stops replicating; P1 writes more; P1 is killed (SIGKILL) and P2 promoted. The relay finds P2, continues in
 *     its own next file, and both replicas converge to P2 ({@code CHECKSUM TABLE}) with no {@code CHANGE MASTER}; the
 *     file/position replica reads the relay's own file name. The failover time (P1 killed → each replica applies
 *     P2's first transaction) is printed as {@code FAILOVER-TIME}.</li>
 * <li>P2 is killed and P3, which stopped before P1's last transactions, promoted: the relay refuses it (status and
 *     counter name the missing GTIDs), stores nothing of it, checks again, and keeps serving readers: a new replica
 *     started from scratch reaches everything the relay holds.</li>
 * <li>P2 comes back (writable, replicating from nobody): it holds everything, so the relay ingests from it again.</li>
 * </ol>
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class FailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TABLE = "app.t";

    @TempDir
    Path tmp;

    @Test
    void replicasFollowAPromotedReplicaAndALaggingOneIsRefused() throws Exception {
        try (MariaDbServer p1 = MariaDbServer.builder().name("p1").serverId(1).start();
             MariaDbServer p2 = MariaDbServer.builder().name("p2").serverId(2).start();
             MariaDbServer p3 = MariaDbServer.builder().name("p3").serverId(3).start();
             MariaDbServer gtidReplica = MariaDbServer.builder().name("replica-gtid").serverId(11).start();
             MariaDbServer fileReplica = MariaDbServer.builder().name("replica-file").serverId(12).start()) {
            String firstFile = p1.binlogFiles().get(0);
            RelayHarness.createAppTable(p1);
            for (MariaDbServer r : List.of(p2, p3)) {
                r.execute("SET GLOBAL read_only = ON"); // a replica only its replication threads write to
                r.startReplica(p1.host(), p1.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.SLAVE_POS, null, 0);
            }
            StockReplicasIT.workload0(p1, 50);

            RelayConfig config = RelayHarness.config(p1, tmp.resolve("relay"), 9001, "earliest");
            config.upstream.host = null;
            config.upstream.port = null;
            config.upstream.hosts = List.of(address(p1), address(p2), address(p3));
            RelayConfig.User admin = new RelayConfig.User();
            admin.user = "admin";
            admin.password = "admin-secret";
            admin.role = "admin";
            config.downstream.users = List.of(config.downstream.users.get(0), admin);
            try (Relay relay = Relay.start(config)) {
                RelayHarness.awaitCaughtUp(relay, p1, WAIT);
                assertEquals("streaming from " + address(p1), status(relay));
                gtidReplica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                        ReplicaMode.SLAVE_POS, null, 0);
                fileReplica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                        ReplicaMode.FILE_POS, firstFile, 4);
                String p1Pos = p1.gtidBinlogPos();
                for (MariaDbServer r : List.of(p2, p3, gtidReplica, fileReplica)) {
                    r.awaitReplicaCaughtUp(p1Pos, WAIT);
                }

                // 1. P3 falls behind; P1 writes more (P2 and the relay get it); P1 dies; P2 is promoted
                p3.execute("STOP SLAVE");
                p1.execute("FLUSH BINARY LOGS");
                StockReplicasIT.workload0(p1, 40);
                String p1Last = p1.gtidBinlogPos();
                p2.awaitReplicaCaughtUp(p1Last, WAIT);
                RelayHarness.awaitCaughtUp(relay, p1, WAIT);
                BinlogPosition beforeFailover = relay.store().committedEnd().orElseThrow();

                long killed = System.nanoTime();
                p1.kill();
                p2.promoteToPrimary();
                p2.execute("INSERT INTO app.t VALUES (-1, 'first on p2', JSON_OBJECT('p', 2))");
                long relayMoving = awaitNanos(() -> relay.store().committedEnd().map(e -> !e.equals(beforeFailover)).orElse(false),
                        "the relay to store P2's first transaction: " + status(relay));
                long gtidMoving = awaitNanos(() -> hasRow(gtidReplica, -1), "the GTID replica to apply P2's first transaction");
                long fileMoving = awaitNanos(() -> hasRow(fileReplica, -1), "the file/position replica to apply P2's first transaction");
                System.out.printf("FAILOVER-TIME: P1 killed -> relay stored P2's first transaction %d ms, GTID replica moving %d ms,"
                                + " file/position replica moving %d ms%n", ms(killed, relayMoving), ms(killed, gtidMoving),
                        ms(killed, fileMoving));

                StockReplicasIT.workload0(p2, 60);
                String p2Pos = p2.gtidBinlogPos();
                gtidReplica.awaitReplicaCaughtUp(p2Pos, WAIT);
                fileReplica.awaitReplicaCaughtUp(p2Pos, WAIT);
                String expected = p2.checksumTable(TABLE);
                assertEquals(expected, gtidReplica.checksumTable(TABLE), "GTID replica converged to P2");
                assertEquals(expected, fileReplica.checksumTable(TABLE), "file/position replica converged to P2");
                assertEquals("streaming from " + address(p2), status(relay));
                assertEquals(1, relay.upstream().candidates().failovers());
                assertEquals(1.0, metric(relay, "binlog_relay_upstream_failovers"));
                assertEquals(0.0, metric(relay, "binlog_relay_upstream_fork_refused"));
                String relayFile = relay.store().committedEnd().orElseThrow().file();
                assertFalse(relayFile.equals(beforeFailover.file()), "the relay continues in its own next file");
                assertEquals(Optional.of(beforeFailover.file()), relay.store().state().relayFilesAfter());
                assertEquals(relayFile, fileReplica.replicaStatus().get("Master_Log_File"),
                        "the file/position replica reads the relay's own file, without CHANGE MASTER");
                assertEquals(address(relay), fileReplica.replicaStatus().get("Master_Host") + ":"
                        + fileReplica.replicaStatus().get("Master_Port"));

                // 2. P2 dies; P3, behind, is promoted: refused, said so, readers still served
                BinlogPosition held = relay.store().committedEnd().orElseThrow();
                String heldGtids = relay.store().state().mariaGtidPosition().toString();
                p2.kill();
                p3.promoteToPrimary();
                p3.execute("INSERT INTO app.t VALUES (-3, 'only on p3', NULL)");
                await(() -> relay.upstream().candidates().forkRefusals() >= 2, "two fork refusals of P3: " + status(relay));
                String refused = status(relay);
                assertTrue(refused.startsWith("stopped: fork refused: the primary " + address(p3)), refused);
                assertTrue(refused.contains("lacks transactions the relay stored: " + heldGtids), refused);
                System.out.println("FORK-REFUSAL: " + refused);
                assertEquals(1.0, metric(relay, "binlog_relay_upstream_fork_refused"));
                java.util.Map<String, String> slave = slaveStatus(relay);
                assertTrue(slave.get("Last_IO_Error").startsWith("fork refused: "), slave.toString());
                assertEquals("Connecting", slave.get("Slave_IO_Running"));
                assertTrue(metric(relay, "binlog_relay_upstream_fork_refusals") >= 2);
                assertEquals(held, relay.store().committedEnd().orElseThrow(), "nothing of P3 is stored");
                try (MariaDbServer late = MariaDbServer.builder().name("replica-late").serverId(13).start()) {
                    late.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                            ReplicaMode.SLAVE_POS, null, 0);
                    late.awaitReplicaCaughtUp(heldGtids, WAIT);
                    assertEquals(expected, late.checksumTable(TABLE), "a new reader gets everything the relay holds");
                }
                assertEquals("Yes", gtidReplica.replicaStatus().get("Slave_IO_Running"), "readers stay connected");
                assertFalse(hasRow(gtidReplica, -3));

                // 3. P2 comes back holding everything: the refusal is over
                p2.restart();
                p2.execute("INSERT INTO app.t VALUES (-2, 'p2 is back', NULL)");
                await(() -> hasRow(gtidReplica, -2) && hasRow(fileReplica, -2), "the replicas to get P2's new row");
                assertEquals("streaming from " + address(p2), status(relay));
                assertEquals(p2.checksumTable(TABLE), fileReplica.checksumTable(TABLE));
                assertFalse(hasRow(fileReplica, -3), "P3's fork never reached a reader");
                assertEquals(0.0, metric(relay, "binlog_relay_upstream_fork_refused"));
                assertEquals(1.0, metric(relay, "binlog_relay_upstream_failovers"), "P3 never streamed: P2 again is no failover");
            }
        }
    }

    private static String address(MariaDbServer s) {
        return s.host() + ":" + s.port();
    }

    private static String address(Relay relay) {
        return "127.0.0.1:" + relay.port();
    }

    private static String status(Relay relay) {
        try (Connection c = dev.binlogrelay.testkit.RelayJvm.connect(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'Relay_ingest_status'")) {
            return rs.next() ? rs.getString(2) : "(no Relay_ingest_status)";
        } catch (java.sql.SQLException e) {
            return "(status not readable: " + e.getMessage() + ")";
        }
    }

    /** The value of a counter or gauge as the relay's /metrics would show it. */
    private static double metric(Relay relay, String name) {
        for (var snapshot : relay.metrics().registry().scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                for (var point : snapshot.getDataPoints()) {
                    if (point instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot c) {
                        return c.getValue();
                    }
                    if (point instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot g) {
                        return g.getValue();
                    }
                }
            }
        }
        throw new AssertionError("the relay exports no metric " + name);
    }

    /** SHOW SLAVE STATUS on the relay, as an admin user. */
    private static java.util.Map<String, String> slaveStatus(Relay relay) throws java.sql.SQLException {
        try (Connection c = dev.binlogrelay.testkit.RelayJvm.connect(relay.port(), "admin", "admin-secret");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
            if (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
            }
            return row;
        }
    }

    private static boolean hasRow(MariaDbServer s, int id) {
        return !s.query("SELECT id FROM app.t WHERE id = " + id).isEmpty();
    }

    private static long ms(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    /** Polls {@code done} every 10 ms until true (returning System.nanoTime() then) or WAIT passes (a failure). */
    private static long awaitNanos(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + WAIT + " for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        return System.nanoTime();
    }

    private static void await(BooleanSupplier done, String what) {
        awaitNanos(done, what);
    }
}
