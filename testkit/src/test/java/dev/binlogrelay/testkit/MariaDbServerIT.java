package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real servers from {@link Peers#server()}: a primary with a file/position replica and a GTID replica. */
class MariaDbServerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void replicasByFilePosAndGtidCatchUpWithTheSameTable() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            assertEquals("", primary.gtidBinlogPos(), "creating the test users must not write to the binary log");
            String firstFile = primary.binlogFiles().get(0);
            assertTrue(Files.isRegularFile(primary.binlogDir().resolve(firstFile)), "binary logs live in binlogDir()");
            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v LONGTEXT)");
            insertRows(primary, 1, 100);
            primary.execute("FLUSH BINARY LOGS");

            try (MariaDbServer byFile = MariaDbServer.builder().name("replica-file").serverId(2).start();
                 MariaDbServer byGtid = MariaDbServer.builder().name("replica-gtid").serverId(3).start()) {
                byFile.startReplica(primary.host(), primary.port(), MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD,
                        ReplicaMode.FILE_POS, firstFile, 4);
                byGtid.startReplica(primary.host(), primary.port(), MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD,
                        ReplicaMode.SLAVE_POS, null, 0);

                insertRows(primary, 101, 200);
                char[] big = new char[20 << 20]; // a 20 MiB row needs the 64M max_allowed_packet default
                Arrays.fill(big, 'x');
                try (Connection c = primary.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO app.t VALUES (1000000, ?)")) {
                    ps.setString(1, new String(big));
                    ps.executeUpdate();
                }
                MariaDbServer.BinlogFilePos end = primary.binlogFilePos();
                String gtid = primary.gtidBinlogPos();

                byFile.awaitReplicaExecuted(end.file(), end.pos(), WAIT);
                byGtid.awaitReplicaCaughtUp(gtid, WAIT);
                byFile.awaitReplicaCaughtUp(gtid, WAIT); // gtid_slave_pos advances in file/position mode too

                String expected = primary.checksumTable("app.t");
                assertEquals(expected, byFile.checksumTable("app.t"));
                assertEquals(expected, byGtid.checksumTable("app.t"));
                assertEquals("201", byGtid.queryString("SELECT COUNT(*) FROM app.t"));
                assertEquals("Yes", byGtid.replicaStatus().get("Slave_IO_Running"));
                assertEquals("Slave_Pos", byGtid.replicaStatus().get("Using_Gtid"));
                assertEquals("No", byFile.replicaStatus().get("Using_Gtid"));
                assertEquals(gtid, byGtid.gtidBinlogPos(), "log_slave_updates is on by default");

                byGtid.execute("STOP SLAVE");
                assertEquals("No", byGtid.replicaStatus().get("Slave_SQL_Running"));
            }
        }
    }

    @Test
    void awaitFailsFastWithTheReplicaErrorWhenReplicationBreaks() {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             MariaDbServer replica = MariaDbServer.builder().name("replica").serverId(2).logSlaveUpdates(false)
                     .extraArg("--slave-ddl-exec-mode=STRICT").start()) {
            // not in the replica's binary log, so CURRENT_POS still starts from the beginning; and the replicated
            // CREATE DATABASE fails (MariaDB's default IDEMPOTENT DDL mode would ignore the clash)
            replica.execute("SET sql_log_bin = 0", "CREATE DATABASE app");
            primary.execute("CREATE DATABASE app");
            replica.startReplica(primary.host(), primary.port(), MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD,
                    ReplicaMode.CURRENT_POS, null, 0);
            long started = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class,
                    () -> replica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT));
            assertTrue(e.getMessage().contains("Last_SQL_Errno=1007"), e.getMessage());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "must not wait for the timeout");
            assertFalse(replica.replicaStatus().isEmpty());
        }
    }

    @Test
    void killedServerRestartsOnTheSameDataAndPort() {
        try (MariaDbServer server = MariaDbServer.builder().name("crash").serverId(7).gtidDomainId(3)
                .binlogChecksum("NONE").maxBinlogSize(4096).start()) {
            server.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
            for (int i = 0; i < 20; i++) {
                server.execute("INSERT INTO app.t VALUES (" + i + ")");
            }
            assertTrue(server.binlogFiles().size() > 1, "max_binlog_size=4096 rotates");
            assertEquals("NONE", server.queryString("SELECT @@binlog_checksum"));
            String before = server.gtidBinlogPos();
            assertEquals("3-7-22", before);
            int port = server.port();

            server.kill();
            assertFalse(server.isRunning());
            server.restart();
            assertEquals(port, server.port());
            assertEquals("20", server.queryString("SELECT COUNT(*) FROM app.t"));
            assertEquals(before, server.gtidBinlogPos());
            server.restart(); // a clean stop and start as well
            server.execute("INSERT INTO app.t VALUES (100)");
            assertNotEquals(before, server.gtidBinlogPos());
        }
    }

    /** Rows {@code from..to}, ten per transaction. */
    private static void insertRows(MariaDbServer server, int from, int to) throws Exception {
        try (Connection c = server.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO app.t VALUES (?, ?)")) {
            c.setAutoCommit(false);
            for (int id = from; id <= to; id++) {
                ps.setInt(1, id);
                ps.setString(2, "row " + id + " ".repeat(id % 50));
                ps.executeUpdate();
                if (id % 10 == 0 || id == to) {
                    c.commit();
                }
            }
        }
    }
}
