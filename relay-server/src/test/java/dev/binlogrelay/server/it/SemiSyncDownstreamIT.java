package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.RelayJvm;
import dev.binlogrelay.testkit.ReplicaMode;
import dev.binlogrelay.testkit.MariaDbLine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Stock MariaDB replicas behind the relay, one with {@code rpl_semi_sync_slave_enabled=ON} (GTID) and one without
 * (file/position): the semi-sync one gets the semi-sync stream (its own status says so), its acks are read and
 * shown per reader in SHOW SLAVE HOSTS, counted in SHOW STATUS and the metrics; the other is unaffected. Both
 * converge to the primary (CHECKSUM TABLE), across an event larger than 16 MiB (a split packet with the header).
 */
class SemiSyncDownstreamIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "MariaDB {0}")
    @EnumSource(MariaDbLine.class)
    void aSemiSyncReplicaIsServedAndItsAcksAreCountedWhileAPlainOneIsUnaffected(MariaDbLine line) throws Exception {
        try (MariaDbServer primary = line.builder().name("primary").serverId(1).start()) {
            String firstFile = primary.binlogFiles().get(0);
            RelayHarness.createAppTable(primary);
            primary.execute("CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB");
            try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"));
                 MariaDbServer semi = line.builder().name("replica-semi").serverId(2)
                         .extraArg("--rpl-semi-sync-slave-enabled=ON").start();
                 MariaDbServer plain = line.builder().name("replica-plain").serverId(3).start()) {
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                semi.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                        ReplicaMode.SLAVE_POS, null, 0);
                plain.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                        ReplicaMode.FILE_POS, firstFile, 4);

                StockReplicasIT.workload0(primary, 30);
                StockReplicasIT.bigRow(primary, 1, 20 * 1024 * 1024 + 17);
                StockReplicasIT.workload0(primary, 30);
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                String target = primary.gtidBinlogPos();
                semi.awaitReplicaCaughtUp(target, WAIT);
                plain.awaitReplicaCaughtUp(target, WAIT);
                for (String t : new String[] {"app.t", "app.t_blob"}) {
                    assertEquals(primary.checksumTable(t), semi.checksumTable(t), "semi-sync replica, " + t);
                    assertEquals(primary.checksumTable(t), plain.checksumTable(t), "plain replica, " + t);
                }
                assertEquals("ON", status(semi, "Rpl_semi_sync_slave_status"), "the replica runs semi-sync with the relay");
                assertEquals("OFF", status(plain, "Rpl_semi_sync_slave_status"));

                // the relay's answer per reader: the semi-sync replica acknowledged up to the relay's end
                String end = relay.store().committedEnd().orElseThrow().toString();
                Map<String, String> semiRow = awaitHostRow(relay, "2", end);
                assertEquals("Yes", semiRow.get("Semi_sync"));
                long acks = Long.parseLong(semiRow.get("Semi_sync_acks"));
                assertTrue(acks >= 61, "an ack per transaction (61 and more): " + semiRow);
                Map<String, String> plainRow = hostRows(relay).get("3");
                assertEquals("No", plainRow.get("Semi_sync"), plainRow.toString());
                assertEquals("0", plainRow.get("Semi_sync_acks"));
                try (Connection c = RelayJvm.connect(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                    assertEquals("1", scalar(c, "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'"));
                    assertTrue(Long.parseLong(scalar(c, "SHOW STATUS LIKE 'Rpl_semi_sync_master_get_ack'")) >= acks);
                }
                assertTrue(relay.metrics().semiSyncAcksReceived() >= acks, "metrics count the acks");
                assertEquals(1.0, relay.metrics().semiSyncReadersNow());
                System.out.printf("semi-sync downstream (MariaDB " + semi.version() + " replica): %d acks from the semi-sync replica, last at %s; relay end %s%n",
                        acks, semiRow.get("Semi_sync_acked_position"), end);

                semi.execute("STOP SLAVE"); // its I/O thread leaves the dump (COM_QUIT or a closed socket): no longer counted
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (relay.metrics().semiSyncReadersNow() != 0) {
                    if (System.nanoTime() > deadline) {
                        fail("the stopped replica is still counted as a semi-sync reader");
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                }
                assertEquals("", semi.replicaStatus().get("Last_IO_Error"), "the replica had no I/O error");
                assertEquals("", plain.replicaStatus().get("Last_IO_Error"));
            }
        }
    }

    private static String status(MariaDbServer server, String name) {
        return server.query("SHOW GLOBAL STATUS LIKE '" + name + "'").get(0).get(1);
    }

    private static String scalar(Connection c, String showStatus) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(showStatus)) {
            return rs.next() ? rs.getString(2) : null;
        }
    }

    /** SHOW SLAVE HOSTS on the relay: each row by column name, by Server_id. */
    private static Map<String, Map<String, String>> hostRows(Relay relay) throws Exception {
        Map<String, Map<String, String>> rows = new HashMap<>();
        try (Connection c = RelayJvm.connect(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SLAVE HOSTS")) {
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
                rows.put(row.get("Server_id"), row);
            }
        }
        return rows;
    }

    /** Waits (bounded) until the replica {@code serverId} has acknowledged up to {@code end}. */
    private static Map<String, String> awaitHostRow(Relay relay, String serverId, String end) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, String> row = null;
        while (System.nanoTime() < deadline) {
            row = hostRows(relay).get(serverId);
            if (row != null && end.equals(row.get("Semi_sync_acked_position"))) {
                return row;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        fail("replica " + serverId + " did not acknowledge up to " + end + ": " + row);
        return row;
    }
}
