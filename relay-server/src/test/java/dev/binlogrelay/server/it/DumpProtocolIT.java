package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Details of the dump protocol a stock tool does not let a test control. */
class DumpProtocolIT {
    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    static Relay relay;
    static String firstFile;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        firstFile = primary.binlogFiles().get(0);
        RelayHarness.createAppTable(primary);
        StockReplicasIT.workload0(primary, 10);
        relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"));
        RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        RelayHarness.closeAll(relay, primary);
    }

    @Test
    void idleReaderGetsHeartbeatsAtItsPosition() throws Exception {
        RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
        var end = relay.store().committedEnd().orElseThrow();
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @master_binlog_checksum = 'CRC32'");
            c.query("SET @master_heartbeat_period = 200000000"); // 200 ms
            c.sendDump(end.file(), end.position(), 4343, 0);
            byte[] rotate = c.readEvent();
            assertEquals(EventType.ROTATE, Events.type(rotate));
            assertEquals(new ArtificialEvents.RotateTarget(end.file(), end.position()),
                    ArtificialEvents.parseRotate(rotate, ChecksumAlgorithm.CRC32));
            byte[] fde = c.readEvent();
            assertEquals(EventType.FORMAT_DESCRIPTION, Events.type(fde));
            assertEquals(0, Events.logPos(fde), "a format description re-sent mid-file has log_pos 0");
            byte[] heartbeat = c.readEvent(); // nothing is written: the next event must be a heartbeat
            assertEquals(EventType.HEARTBEAT, Events.type(heartbeat));
            assertEquals(end.position(), Events.logPos(heartbeat));
            assertTrue(Events.crcMatches(heartbeat));
            assertEquals(end.file(), new String(heartbeat, 19, heartbeat.length - 23, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void positionsBelowFourStartAtFour() throws Exception {
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @master_binlog_checksum = 'CRC32'");
            List<byte[]> events = c.dumpAll(firstFile, 0, 4444);
            assertEquals(EventType.ROTATE, Events.type(events.get(0)));
            assertEquals(EventType.FORMAT_DESCRIPTION, Events.type(events.get(1)));
            assertTrue(Events.logPos(events.get(1)) > 4, "the file's own format description, with its real log_pos");
        }
    }

    @Test
    void annotateRowsOnlyWhenAsked() throws Exception {
        List<byte[]> without;
        List<byte[]> with;
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @master_binlog_checksum = 'CRC32'");
            without = c.dumpAll(firstFile, 4, 4545);
        }
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @master_binlog_checksum = 'CRC32'");
            with = c.dumpAll(firstFile, 4, 4546, 1 | 2);
        }
        long annotations = with.stream().filter(e -> Events.type(e) == EventType.MARIA_ANNOTATE_ROWS).count();
        assertTrue(annotations >= 10, "annotations sent when asked: " + annotations);
        assertEquals(0, without.stream().filter(e -> Events.type(e) == EventType.MARIA_ANNOTATE_ROWS).count());
        assertEquals(with.size() - annotations, without.size());
    }

    @Test
    void unknownStatementsGetAClearErrorAndTheConnectionStaysUsable() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user=repl&password=secret")) {
            SQLException e = assertThrows(SQLException.class, () -> c.createStatement().executeQuery("SELECT * FROM mysql.user"));
            assertTrue(e.getMessage().toLowerCase().contains("relay"), e.getMessage());
            SQLException var = assertThrows(SQLException.class, () -> c.createStatement().executeQuery("SELECT @@no_such_variable"));
            assertEquals(1193, var.getErrorCode(), var.getMessage());
            try (var rs = c.createStatement().executeQuery("SELECT @@server_id")) {
                assertTrue(rs.next());
                assertEquals(9001, rs.getLong(1));
            }
        }
    }
}
