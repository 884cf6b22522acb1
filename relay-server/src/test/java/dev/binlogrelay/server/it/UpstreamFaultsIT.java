package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 16, point 7: faults between the primary and the relay, through {@link FaultProxy}, while a stock GTID replica
 * reads through the relay. After each fault the relay catches up by itself and serves exactly the primary's events
 * (our raw reader compares the whole binlog byte for byte: nothing lost, duplicated or half-stored), and the replica
 * converges ({@code CHECKSUM TABLE}: nothing half-served). The time from the end of a fault to the relay holding the
 * primary's end is printed ("recovered in").
 *
 * <p>Faults: a reset inside a 20 MiB event; a stall without FIN (a half-open connection), found by the heartbeat
 * timeout (heartbeat period 1 s, timeout 3 periods); a slow trickle; the primary restarting; binlog_checksum changed
 * between files; last, the primary purging the file the relay still needs, which must stop ingestion with the
 * primary's error, back off, and keep serving what is stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamFaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    static MariaDbServer replica;
    static FaultProxy proxy;
    static Relay relay;
    static String firstFile;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        firstFile = primary.binlogFiles().get(0);
        proxy = new FaultProxy(primary.port());
        RelayHarness.createAppTable(primary);
        primary.execute("CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB)");
        RelayConfig c = RelayHarness.config(primary, tmp.resolve("relay"), 9601, "earliest");
        c.upstream.port = proxy.port();
        relay = Relay.start(c);
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        replica = MariaDbServer.builder().name("replica").serverId(2).binlog(false).start();
        replica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.SLAVE_POS, null, 0);
    }

    @AfterAll
    static void stop() {
        try (MariaDbServer r = replica; MariaDbServer p = primary; FaultProxy x = proxy) {
            if (relay != null) {
                relay.close();
            }
        }
    }

    /** Waits for the relay to hold the primary's end; returns how long it took. */
    private static Duration recover() throws Exception {
        long t0 = System.nanoTime();
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Nothing lost, duplicated or half-served: raw bytes equal, the replica equal to the primary. */
    private static void converged(String fault, Duration recovery) throws Exception {
        int events = RawStreams.assertEqual(primary.port(), relay.port(), firstFile, UpstreamFaultsIT::recover);
        replica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT);
        assertEquals(primary.checksumTable("app.t"), replica.checksumTable("app.t"), fault);
        assertEquals(primary.checksumTable("app.t_blob"), replica.checksumTable("app.t_blob"), fault);
        System.out.printf("UpstreamFaultsIT %s: recovered in %d ms; %d events equal; %d connections so far%n", fault,
                recovery.toMillis(), events, proxy.connections());
    }

    @Test
    @Order(1)
    void resetInsideA20MiBEvent() throws Exception {
        StockReplicasIT.workload0(primary, 20);
        recover();
        // the next dump is cut 10 MiB into what the primary sends: inside the 20 MiB row event
        proxy.resetOnceAfterDump(10L << 20);
        proxy.dropConnections();
        StockReplicasIT.bigRow(primary, 1, 20 * 1024 * 1024 + 11);
        awaitTrue("the cut happened", () -> !proxy.resetPending());
        long t0 = System.nanoTime();
        StockReplicasIT.workload0(primary, 20);
        recover();
        converged("reset inside a 20 MiB event", Duration.ofNanos(System.nanoTime() - t0));
    }

    @Test
    @Order(2)
    void stallWithoutFinIsFoundByTheHeartbeatTimeout() throws Exception {
        long before = proxy.connections();
        long t0 = System.nanoTime();
        proxy.stall(true);
        StockReplicasIT.workload0(primary, 10);
        awaitTrue("the relay notices the silent connection", () -> !relay.upstream().isStreaming());
        long detectMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(detectMs < 10_000, "found after " + detectMs + " ms");
        proxy.stall(false);
        proxy.dropConnections(); // the stalled sockets the relay gave up on
        Duration recovery = recover();
        assertTrue(proxy.connections() > before, "the relay reconnected");
        System.out.printf("UpstreamFaultsIT stall: found after %d ms%n", detectMs);
        converged("stall without FIN", recovery);
    }

    @Test
    @Order(3)
    void slowTrickleKeepsTheStreamAndLosesNothing() throws Exception {
        proxy.trickle(256 * 1024);
        try {
            StockReplicasIT.workload0(primary, 200);
            awaitTrue("still streaming through the trickle", () -> relay.upstream().isStreaming());
            recover();
        } finally {
            proxy.trickle(0);
        }
        converged("slow trickle", recover());
    }

    @Test
    @Order(4)
    void primaryRestart() throws Exception {
        StockReplicasIT.workload0(primary, 20);
        long t0 = System.nanoTime();
        primary.restart();
        StockReplicasIT.workload0(primary, 20);
        recover();
        converged("primary restart", Duration.ofNanos(System.nanoTime() - t0));
    }

    @Test
    @Order(5)
    void binlogChecksumChangedBetweenFiles() throws Exception {
        primary.execute("SET GLOBAL binlog_checksum = 'NONE'");
        StockReplicasIT.workload0(primary, 20);
        primary.execute("SET GLOBAL binlog_checksum = 'CRC32'");
        StockReplicasIT.workload0(primary, 20);
        converged("binlog_checksum NONE then CRC32", recover());
    }

    @Test
    @Order(6)
    void purgedFileTheRelayNeedsStopsIngestionWithThePrimarysError() throws Exception {
        recover();
        var stored = relay.store().committedEnd().orElseThrow();
        proxy.stall(true);
        awaitTrue("the relay notices the silent connection", () -> !relay.upstream().isStreaming());
        // end the primary's side of the stalled connections too: its dump thread would keep the file in use
        proxy.dropConnections();
        awaitTrue("no dump thread left on the primary", () -> "0".equals(primary.queryString(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")));
        StockReplicasIT.workload0(primary, 10);
        primary.execute("FLUSH BINARY LOGS");
        String newest = primary.binlogFiles().get(primary.binlogFiles().size() - 1);
        // MariaDB keeps a file until its binlog checkpoint is written: purge until it is gone
        awaitTrue("the primary purges " + stored.file(), () -> {
            primary.execute("PURGE BINARY LOGS TO '" + newest + "'");
            return !primary.binlogFiles().contains(stored.file());
        });
        proxy.stall(false);
        proxy.dropConnections();
        awaitTrue("the dump is refused with the primary's error", () -> relay.upstream().lastError().contains("1236"));
        assertFalse(relay.upstream().isStreaming());
        assertEquals(stored, relay.store().committedEnd().orElseThrow(), "nothing stored from a stream that cannot continue");
        assertTrue(relay.upstream().consecutiveFailures() >= 1, "failures: " + relay.upstream().consecutiveFailures());
        // readers are still served what is stored
        var served = RawStreams.read(relay.port(), firstFile);
        assertEquals(stored.position(), dev.binlogrelay.core.binlog.Events.logPos(served.get(served.size() - 1)),
                "readers get everything stored, to " + stored);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + WAIT + "; upstream error: " + relay.upstream().lastError());
            }
            LockSupport.parkNanos(20_000_000L); // polling a condition, bounded by the deadline
        }
    }
}
