package dev.binlogrelay.server.it;

import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16, the send-path attacks against a relay with {@code -Xmx512m} and the default memory settings (its own
 * process): readers that set {@code @master_heartbeat_period} to 1 ms and never read, a tail reader and a reader
 * from the first file that never read, while a writer commits single-row transactions as fast as it can and a
 * stock replica follows. No OutOfMemoryError, a fresh login answered within a second throughout, RSS within the
 * budget, and the replica ends with every transaction.
 *
 * <p>Before the fix the heartbeat readers alone took a 64 KiB buffer per heartbeat, uncounted, and ran the
 * relay's direct memory out within seconds.
 */
class SendPathAttackIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long ATTACK_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final int SMALL_RCVBUF = 4096;
    private static final int METRICS_PORT = dev.binlogrelay.testkit.FreePorts.find();
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    private static java.net.http.HttpClient relayMetricsClient;

    /** binlog_relay_downstream_pending_write_bytes from the relay's /metrics. */
    private static long pendingWriteBytes() throws Exception {
        if (relayMetricsClient == null) {
            relayMetricsClient = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        String body = relayMetricsClient.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + METRICS_PORT + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith("binlog_relay_downstream_pending_write_bytes ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new AssertionError("no binlog_relay_downstream_pending_write_bytes in the relay's metrics");
    }

    @Test
    void readersThatDoNotReadCannotExhaustARelayWith512MiB() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<RawDumpClient> attackers = new ArrayList<>();
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             RelayProcess relay = RelayProcess.configure(tmp.resolve("relay"), primary, RelayProcess.stablePort(),
                     "storage:\n  cache_bytes: 67108864\nmetrics:\n  listen: 127.0.0.1:" + METRICS_PORT + "\n",
                     tmp.resolve("relay").resolve("data")).maxHeap("-Xmx512m");
             MariaDbServer replica = MariaDbServer.builder().name("replica").serverId(2).start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(1000))",
                    "CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB)");
            for (int i = 1; i <= 12; i++) { // 12 MiB of binlog: more than a socket's kernel buffers and a reader's share
                StockReplicasIT.bigRow(primary, i, 1024 * 1024);
            }
            relay.start();
            relay.awaitReady(WAIT);
            BinlogPosition end = relay.awaitCaughtUp(primary, WAIT);
            replica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.SLAVE_POS, null, 0);
            long baseline = relay.rssBytes();

            for (int i = 0; i < 2; i++) { // 1 ms heartbeats, from the first file, never read
                RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF);
                attackers.add(c);
                c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                c.query("SET @master_heartbeat_period = 1000000");
                c.sendDump(firstFile, 4, 8000 + i, 0);
            }
            RawDumpClient tail = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF);
            attackers.add(tail);
            tail.query("SET @master_binlog_checksum = @@global.binlog_checksum");
            tail.sendDump(end.file(), end.position(), 8010, 0);
            RawDumpClient behind = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF);
            attackers.add(behind);
            behind.query("SET @master_binlog_checksum = @@global.binlog_checksum");
            behind.sendDump(firstFile, 4, 8011, 0);

            Future<Integer> writer = pool.submit(() -> {
                int n = 0;
                try (Connection c = primary.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO app.t (v) VALUES (REPEAT('w', 200))")) {
                    while (writing.get()) {
                        ps.executeUpdate(); // autocommit: single-row transactions
                        n++;
                    }
                }
                return n;
            });

            long peakRss = baseline;
            long peakPending = 0;
            long slowestLoginNanos = 0;
            int logins = 0;
            long start = System.nanoTime();
            long nextLogin = start;
            while (System.nanoTime() - start < ATTACK_NANOS) {
                peakRss = Math.max(peakRss, relay.rssBytes());
                peakPending = Math.max(peakPending, pendingWriteBytes());
                if (System.nanoTime() >= nextLogin) {
                    long t0 = System.nanoTime();
                    try (RawDumpClient fresh = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                        fresh.query("SET @master_binlog_checksum = 'NONE'");
                    }
                    slowestLoginNanos = Math.max(slowestLoginNanos, System.nanoTime() - t0);
                    logins++;
                    nextLogin = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
                assertTrue(relay.isAlive(), "the relay process died; its log:\n" + RelayProcess.tail(relay.logOfThisRun()));
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // the sampling interval
            }
            writing.set(false);
            int commits = writer.get(30, TimeUnit.SECONDS);

            relay.awaitCaughtUp(primary, WAIT);
            replica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT);
            assertEquals(primary.checksumTable("app.t"), replica.checksumTable("app.t"));
            assertEquals(primary.checksumTable("app.t_blob"), replica.checksumTable("app.t_blob"));

            String log = relay.logOfThisRun();
            System.out.printf("attack on a -Xmx512m relay: %d single-row commits in 20 s, 4 non-reading readers (2 with"
                            + " 1 ms heartbeats), %d fresh logins (slowest %d ms), RSS %d MiB before, peak %d MiB,"
                            + " readers' pending writes peak %d KiB%n",
                    commits, logins, TimeUnit.NANOSECONDS.toMillis(slowestLoginNanos), baseline >> 20, peakRss >> 20,
                    peakPending >> 10);
            assertFalse(log.contains("OutOfMemoryError"), "the relay ran out of memory:\n" + RelayProcess.tail(log));
            assertFalse(log.contains("A task raised an exception"), "an error escaped a task:\n" + RelayProcess.tail(log));
            assertTrue(slowestLoginNanos < TimeUnit.SECONDS.toNanos(1),
                    "a fresh login took " + TimeUnit.NANOSECONDS.toMillis(slowestLoginNanos) + " ms");
            // what the readers hold: each its share (4 MiB by capacity) plus one pump, whatever they ask for
            assertTrue(peakPending > 0 && peakPending <= 4 * (4 * MIB + 192 * 1024), "readers' pending writes peaked at "
                    + peakPending + " bytes");
            // the process: the 512 MiB heap (caches included), the 128 MiB pending-write budget, RocksDB's
            // memtables and block cache and the JVM's own memory stay under 768 MiB
            assertTrue(peakRss < 768 * MIB, "RSS grew from " + (baseline >> 20) + " to " + (peakRss >> 20) + " MiB");
        } finally {
            writing.set(false);
            relayMetricsClient = null;
            pool.shutdownNow();
            for (RawDumpClient c : attackers) {
                c.close();
            }
        }
    }
}
