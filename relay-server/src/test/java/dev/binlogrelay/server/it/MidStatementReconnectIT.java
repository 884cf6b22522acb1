package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.RowsEvents;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 16, finding 9 / point 8: a stock MariaDB file/position replica whose connection is cut in the middle of a
 * multi-event rows statement. The primary (binlog_row_event_max_size 1 KiB) writes one INSERT ... SELECT of about
 * 330 KB, so one statement of some 330 rows events; a {@link FaultProxy} between the replica and its source resets
 * the connection halfway through that statement, and the replica reconnects by itself at the position it reached
 * (checked from its error log: inside the statement).
 *
 * <p>Against the real primary the replica stops for good: its I/O thread keeps the statement's
 * {@code Rows_event_tracker} across a file/position reconnect and the fake rotate that starts the new dump trips
 * it (1595, "did not receive an expected Rows-log end-of-statement"); the documented remedy (CHANGE MASTER to the
 * executed position) brings it back. Through the relay the same replica carries on and ends equal to the primary
 * ({@code CHECKSUM TABLE}): after a cut connection, after its I/O thread was restarted inside the statement, and
 * after the relay was SIGKILLed inside it. A reader that did not register gets the primary's stream unchanged.
 */
class MidStatementReconnectIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern RESUMED = Pattern.compile("Failed reading log event, reconnecting to retry, log '([^']+)' at position (\\d+)");

    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    static Relay relay;
    static String firstFile;
    static BinlogPosition statementStart;
    static BinlogPosition statementEnd;
    static BinlogPosition end;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(1).extraArg("--binlog-row-event-max-size=1024").start();
        firstFile = primary.binlogFiles().get(0);
        primary.execute("CREATE DATABASE app", "CREATE TABLE app.big (id INT PRIMARY KEY, v VARCHAR(200))",
                "INSERT INTO app.big VALUES (-1, 'before'), (-2, 'before')");
        statementStart = RelayHarness.masterStatus(primary);
        primary.execute("SET SESSION max_recursive_iterations = 10000", "INSERT INTO app.big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3000)"
                + " SELECT n, REPEAT('x', 100) FROM s");
        statementEnd = RelayHarness.masterStatus(primary);
        primary.execute("UPDATE app.big SET v = 'after' WHERE id < 0", "INSERT INTO app.big VALUES (-3, 'after')");
        end = RelayHarness.masterStatus(primary);
        relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9611, "earliest"));
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
    }

    @AfterAll
    static void stop() {
        RelayHarness.closeAll(relay, primary);
    }

    @Test
    void aRealPrimaryStopsTheReplicaWith1595() throws Exception {
        try (FaultProxy proxy = new FaultProxy(primary.port());
             MariaDbServer replica = MariaDbServer.builder().name("replica-of-primary").serverId(2).binlog(false).start()) {
            BinlogPosition resumed = cutHalfwayThroughTheStatement(proxy, replica);
            Map<String, String> st = awaitIoError(replica);
            assertEquals("1595", st.get("Last_IO_Errno"), st.toString());
            String log = Files.readString(replica.errorLog());
            assertTrue(log.contains("did not receive an expected Rows-log end-of-statement"), "error log:\n" + tail(log));
            System.out.printf("MidStatementReconnectIT primary: replica resumed at %s inside the statement %s..%s and stopped: %s%n",
                    resumed, statementStart, statementEnd, st.get("Last_IO_Error"));

            // the documented remedy: point the replica at the position it executed (a transaction boundary)
            String file = st.get("Relay_Master_Log_File");
            String executed = st.get("Exec_Master_Log_Pos");
            replica.execute("STOP SLAVE", "CHANGE MASTER TO MASTER_LOG_FILE='" + file + "', MASTER_LOG_POS=" + executed,
                    "START SLAVE");
            replica.awaitReplicaExecuted(end.file(), end.position(), WAIT);
            assertEquals(primary.checksumTable("app.big"), replica.checksumTable("app.big"), "after the remedy");
        }
    }

    @Test
    void theRelayResumesTheReplicaInsideTheStatement() throws Exception {
        try (FaultProxy proxy = new FaultProxy(relay.port());
             MariaDbServer replica = MariaDbServer.builder().name("replica-of-relay").serverId(3).binlog(false).start()) {
            BinlogPosition resumed = cutHalfwayThroughTheStatement(proxy, replica);
            replica.awaitReplicaExecuted(end.file(), end.position(), WAIT);
            assertEquals(primary.checksumTable("app.big"), replica.checksumTable("app.big"));
            assertEquals("3003", replica.queryString("SELECT COUNT(*) FROM app.big"));
            Map<String, String> st = replica.replicaStatus();
            assertEquals("Yes", st.get("Slave_IO_Running"), st.toString());
            assertEquals("0", st.get("Last_IO_Errno"), st.toString());
            System.out.printf("MidStatementReconnectIT relay: replica resumed at %s inside the statement %s..%s and converged%n",
                    resumed, statementStart, statementEnd);
        }
    }

    /**
     * The relay SIGKILLed while the replica is inside the statement (a trickling proxy keeps it there long enough,
     * and resets the connection as the relay dies): the replica reconnects to the restarted relay at the position it reached, inside the statement, and carries on.
     */
    @Test
    void aRelaySigkilledInsideTheStatementResumesTheReplica() throws Exception {
        try (RelayProcess killed = RelayProcess.configure(tmp.resolve("relay-process"), primary, RelayProcess.stablePort());
             FaultProxy proxy = new FaultProxy(killed.port());
             MariaDbServer replica = MariaDbServer.builder().name("replica-of-killed").serverId(5).binlog(false).start()) {
            killed.start();
            killed.awaitReady(WAIT);
            killed.awaitCaughtUp(primary, WAIT);
            proxy.trickle(40_000);
            replica.startReplica("127.0.0.1", proxy.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.FILE_POS, firstFile, 4);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (Long.parseLong(replica.replicaStatus().getOrDefault("Read_Master_Log_Pos", "0")) < statementStart.position() + 60_000) {
                if (System.nanoTime() > deadline) {
                    fail("the replica did not get into the statement within " + WAIT + ": " + replica.replicaStatus());
                }
                LockSupport.parkNanos(20_000_000L); // polling the replica's status, bounded by the deadline
            }
            killed.kill();
            // what the dead relay had handed to the kernel is still on its way: cut it off too (the network lost it),
            // else the replica would get the whole statement before noticing
            proxy.resetConnections();
            proxy.trickle(0);
            killed.start();
            killed.awaitReady(WAIT);
            BinlogPosition resumed = awaitReconnect(replica);
            assertTrue(resumed.position() < statementEnd.position(), resumed + " inside the statement");
            assertTrue(RowsEvents.isRowsWithinStatement(relay.store().eventEndingAt(resumed.file(), resumed.position())
                    .orElseThrow().bytes()), "resumed after a rows event of the statement, not its last: " + resumed);
            replica.awaitReplicaExecuted(end.file(), end.position(), WAIT);
            assertEquals(primary.checksumTable("app.big"), replica.checksumTable("app.big"));
            System.out.printf("MidStatementReconnectIT relay SIGKILLed: replica resumed at %s inside the statement and converged%n",
                    resumed);
        }
    }

    /** Where the replica's I/O thread last reconnected, from its error log (bounded wait for the first reconnect). */
    private static BinlogPosition awaitReconnect(MariaDbServer replica) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Matcher m = RESUMED.matcher(Files.readString(replica.errorLog()));
            BinlogPosition last = null;
            while (m.find()) {
                last = new BinlogPosition(m.group(1), Long.parseLong(m.group(2)));
            }
            if (last != null) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                fail(replica.name() + " did not reconnect within " + WAIT + "; status " + replica.replicaStatus());
            }
            LockSupport.parkNanos(50_000_000L); // polling the replica's log, bounded by the deadline
        }
    }

    /**
     * Only that replica's stream changes: a reader that did not register (mariadb-binlog, CDC readers) dumping from
     * the same position inside the statement gets the primary's preamble (fake rotate, re-sent format
     * description) and then exactly the primary's events.
     */
    @Test
    void anUnregisteredReaderInsideTheStatementGetsThePrimarysStream() throws Exception {
        BinlogPosition inside;
        try (var cursor = relay.store().openCursor(firstFile, statementStart.position())) {
            long middle = (statementStart.position() + statementEnd.position()) / 2;
            var e = cursor.next();
            while (e.endPosition() < middle || !RowsEvents.isRowsWithinStatement(e.bytes())) {
                e = cursor.next();
            }
            inside = new BinlogPosition(e.file(), e.endPosition());
        }
        List<byte[]> fromPrimary = dump(primary.port(), inside);
        List<byte[]> fromRelay = dump(relay.port(), inside);
        for (List<byte[]> stream : List.of(fromPrimary, fromRelay)) {
            assertEquals(EventType.ROTATE, Events.type(stream.get(0)));
            assertTrue(Events.isArtificial(stream.get(0)), "a fake rotate first");
            assertEquals(EventType.FORMAT_DESCRIPTION, Events.type(stream.get(1)));
            assertEquals(0, Events.logPos(stream.get(1)), "the format description re-sent");
        }
        assertEquals(fromPrimary.size(), fromRelay.size(), "events from " + inside);
        for (int i = 2; i < fromPrimary.size(); i++) {
            assertTrue(Arrays.equals(fromPrimary.get(i), fromRelay.get(i)), "event " + i + " after " + inside);
        }
    }

    /** A non-blocking dump from {@code from} as a MariaDB reader that does not register; heartbeats left out. */
    private static List<byte[]> dump(int port, BinlogPosition from) throws Exception {
        try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @mariadb_slave_capability=4");
            c.query("SET @master_binlog_checksum='CRC32'");
            List<byte[]> events = new ArrayList<>(c.dumpAll(from.file(), from.position(), 0x7ffffff2L, 1));
            events.removeIf(e -> Events.type(e) == EventType.HEARTBEAT);
            return events;
        }
    }

    /**
     * The replica's I/O thread stopped and started again inside the statement (its tracker starts afresh then, and
     * a primary's preamble would pass): the relay's stream without the preamble serves it as well.
     */
    @Test
    void anIoThreadRestartedInsideTheStatementCarriesOn() throws Exception {
        try (FaultProxy proxy = new FaultProxy(relay.port());
             MariaDbServer replica = MariaDbServer.builder().name("replica-restarted").serverId(4).binlog(false).start()) {
            proxy.trickle(40_000); // the statement takes some 8 s to arrive: time to stop the I/O thread inside it
            replica.startReplica("127.0.0.1", proxy.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.FILE_POS, firstFile, 4);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (Long.parseLong(replica.replicaStatus().getOrDefault("Read_Master_Log_Pos", "0")) < statementStart.position() + 60_000) {
                if (System.nanoTime() > deadline) {
                    fail("the replica did not get into the statement within " + WAIT + ": " + replica.replicaStatus());
                }
                LockSupport.parkNanos(20_000_000L); // polling the replica's status, bounded by the deadline
            }
            replica.execute("STOP SLAVE IO_THREAD");
            Map<String, String> st = replica.replicaStatus();
            BinlogPosition read = new BinlogPosition(st.get("Master_Log_File"), Long.parseLong(st.get("Read_Master_Log_Pos")));
            assertTrue(read.position() < statementEnd.position(), read + " inside the statement: " + st);
            assertTrue(RowsEvents.isRowsWithinStatement(relay.store().eventEndingAt(read.file(), read.position()).orElseThrow().bytes()),
                    "stopped after a rows event of the statement, not its last: " + read);
            proxy.trickle(0);
            replica.execute("START SLAVE IO_THREAD");
            replica.awaitReplicaExecuted(end.file(), end.position(), WAIT);
            assertEquals(primary.checksumTable("app.big"), replica.checksumTable("app.big"));
            System.out.printf("MidStatementReconnectIT relay: I/O thread restarted at %s inside the statement and converged%n", read);
        }
    }

    /**
     * Starts {@code replica} at the first file's beginning through {@code proxy}, armed to reset the dump connection
     * halfway through the big statement; returns where the replica's I/O thread reconnected, checked to lie inside
     * that statement (the event before it is a rows event without STMT_END_F).
     */
    private static BinlogPosition cutHalfwayThroughTheStatement(FaultProxy proxy, MariaDbServer replica) throws Exception {
        assertEquals(statementStart.file(), firstFile, "one binlog file");
        // the dump from position 4 carries the file's bytes plus a 5-byte packet header per event and a fake
        // rotate: a few KB more than the file offset, against a statement of some 330 KB
        long halfway = (statementStart.position() + statementEnd.position()) / 2;
        proxy.resetOnceAfterDump(halfway);
        replica.startReplica("127.0.0.1", proxy.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.FILE_POS, firstFile, 4);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Matcher m = RESUMED.matcher(Files.readString(replica.errorLog()));
            if (m.find()) {
                BinlogPosition at = new BinlogPosition(m.group(1), Long.parseLong(m.group(2)));
                assertTrue(!proxy.resetPending(), "the cut happened");
                assertEquals(firstFile, at.file());
                assertTrue(at.position() > statementStart.position() && at.position() < statementEnd.position(),
                        at + " inside " + statementStart + ".." + statementEnd);
                var before = relay.store().eventEndingAt(at.file(), at.position()).orElseThrow();
                assertTrue(RowsEvents.isRowsWithinStatement(before.bytes()), "the event before " + at + " is a rows event "
                        + "of the statement, not its last");
                return at;
            }
            if (System.nanoTime() > deadline) {
                fail(replica.name() + " did not reconnect within " + WAIT + "; cut pending: " + proxy.resetPending()
                        + "; status " + replica.replicaStatus() + "; error log:\n" + tail(Files.readString(replica.errorLog())));
            }
            LockSupport.parkNanos(50_000_000L); // polling the replica's log, bounded by the deadline
        }
    }

    private static Map<String, String> awaitIoError(MariaDbServer replica) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Map<String, String> st = replica.replicaStatus();
            String errno = st.getOrDefault("Last_IO_Errno", "0");
            if (!errno.equals("0")) {
                return st;
            }
            if (System.nanoTime() > deadline) {
                fail(replica.name() + " did not stop within " + WAIT + ": " + st);
            }
            LockSupport.parkNanos(50_000_000L); // polling the replica's status, bounded by the deadline
        }
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
