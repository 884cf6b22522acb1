package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 16, point 9: a bounded soak. A relay with {@code -Xmx512m} (its own process) serves a live workload while
 * clients connect, dump and disconnect at random: readers that read a while and leave, readers that read slowly,
 * readers that never read, logins without a dump, connections dropped in the middle of the handshake. A stock GTID
 * replica and a raw reader from the first file stay connected throughout. RSS is sampled every second and a fresh
 * login is timed every second.
 *
 * <p>Asserts: no OutOfMemoryError; every fresh login answered within a second; RSS flat (the second half's peak at most
 * 25% + 64 MiB over the first half's) and under 768 MiB; the replica ends equal to the primary and the raw reader got
 * every event of the primary's binlog, byte for byte, in order.
 *
 * <p>Half a minute in the normal run; {@code -Plong} runs it for 10 minutes ({@code -Dsoak.seconds=N} for any length).
 */
class SoakIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long MIB = 1024 * 1024;
    private static final int CHURN_THREADS = 4;

    @TempDir
    Path tmp;

    @Test
    void randomReadersComeAndGoWhileHealthyReadersGetEveryTransaction() throws Exception {
        long seconds = Long.getLong("soak.seconds", 30);
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.println("SoakIT: " + seconds + " s, seed " + seed + " (rerun with -Dsoak.seed=" + seed + ")");
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(CHURN_THREADS + 2);
        AtomicLong sessions = new AtomicLong();
        AtomicLong commits = new AtomicLong();
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             RelayProcess relay = RelayProcess.configure(tmp.resolve("relay"), primary, RelayProcess.stablePort(),
                     "storage:\n  cache_bytes: 67108864\n", tmp.resolve("relay").resolve("data")).maxHeap("-Xmx512m");
             MariaDbServer replica = MariaDbServer.builder().name("replica").serverId(2).binlog(false).start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(2000))");
            relay.start();
            relay.awaitReady(WAIT);
            relay.awaitCaughtUp(primary, WAIT);
            replica.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.SLAVE_POS, null, 0);
            GapFreeReader healthy = new GapFreeReader(relay.port(), firstFile);

            Future<?> writer = pool.submit(() -> {
                Random r = new Random(seed);
                try (Connection c = primary.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO app.t (v) VALUES (REPEAT('s', ?))")) {
                    while (running.get()) {
                        ps.setInt(1, 1 + r.nextInt(2000));
                        ps.executeUpdate();
                        commits.incrementAndGet();
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the workload's pace: ~150 tx/s
                    }
                }
                return null;
            });
            List<Future<?>> churn = new ArrayList<>();
            for (int i = 0; i < CHURN_THREADS; i++) {
                long s = seed + i;
                churn.add(pool.submit(() -> {
                    Random r = new Random(s);
                    while (running.get()) {
                        churnOnce(r, relay.port(), firstFile);
                        sessions.incrementAndGet();
                    }
                    return null;
                }));
            }

            List<Long> rss = new ArrayList<>();
            long slowestLogin = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                assertTrue(relay.isAlive(), "the relay died:\n" + RelayProcess.tail(relay.logOfThisRun()));
                rss.add(relay.rssBytes());
                long t0 = System.nanoTime();
                try (RawDumpClient fresh = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                    fresh.query("SET @master_binlog_checksum = 'NONE'");
                }
                slowestLogin = Math.max(slowestLogin, System.nanoTime() - t0);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1)); // the sampling interval
            }
            running.set(false);
            writer.get(30, TimeUnit.SECONDS);
            for (Future<?> f : churn) {
                f.get(60, TimeUnit.SECONDS);
            }

            relay.awaitCaughtUp(primary, WAIT);
            replica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT);
            assertEquals(primary.checksumTable("app.t"), replica.checksumTable("app.t"), "the stock replica");
            List<byte[]> got = healthy.closeHavingReceived(RawStreams.read(primary.port(), firstFile), WAIT);

            String log = relay.logOfThisRun();
            List<Long> firstHalf = rss.subList(0, rss.size() / 2);
            List<Long> secondHalf = rss.subList(rss.size() / 2, rss.size());
            long peakFirst = Collections.max(firstHalf);
            long peakSecond = Collections.max(secondHalf);
            System.out.printf("SoakIT: %d s, %d commits, %d churn sessions, slowest fresh login %d ms, RSS first half"
                            + " peak %d MiB, second half peak %d MiB, raw reader %d events%n", seconds, commits.get(),
                    sessions.get(), TimeUnit.NANOSECONDS.toMillis(slowestLogin), peakFirst >> 20, peakSecond >> 20, got.size());
            assertFalse(log.contains("OutOfMemoryError"), "the relay ran out of memory:\n" + RelayProcess.tail(log));
            assertTrue(slowestLogin < TimeUnit.SECONDS.toNanos(1), "a fresh login took "
                    + TimeUnit.NANOSECONDS.toMillis(slowestLogin) + " ms");
            assertTrue(peakSecond <= peakFirst * 5 / 4 + 64 * MIB, "RSS grew: first half peak " + (peakFirst >> 20)
                    + " MiB, second half " + (peakSecond >> 20) + " MiB; samples " + rss);
            assertTrue(peakSecond < 768 * MIB, "RSS " + (peakSecond >> 20) + " MiB");
            assertTrue(sessions.get() > seconds, "only " + sessions.get() + " churn sessions");
        } finally {
            running.set(false);
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** One random client: reads a while, reads slowly, never reads, logs in only, or drops the handshake. */
    private static void churnOnce(Random r, int port, String firstFile) throws Exception {
        int mode = r.nextInt(5);
        long serverId = 20_000 + r.nextInt(10_000);
        try {
            switch (mode) {
                case 0 -> { // reads from the first file or the tail for a while, then leaves mid-stream
                    try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
                        c.query("SET @mariadb_slave_capability=4");
                        c.query("SET @master_binlog_checksum='CRC32'");
                        c.sendDump(firstFile, 4, serverId, 0);
                        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200 + r.nextInt(2000));
                        while (System.nanoTime() < until && c.readEvent() != null) {
                            // reading as fast as it comes
                        }
                    }
                }
                case 1 -> { // a slow reader with a small socket buffer
                    try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD, 4096)) {
                        c.query("SET @master_binlog_checksum='NONE'");
                        c.query("SET @master_heartbeat_period=" + (1 + r.nextInt(100)) * 1_000_000L);
                        c.sendDump(firstFile, 4, serverId, 0);
                        for (int i = 0; i < 20; i++) {
                            c.readEvent();
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // reading slowly on purpose
                        }
                    }
                }
                case 2 -> { // never reads, then disappears
                    try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD, 4096)) {
                        c.query("SET @master_heartbeat_period=1000000");
                        c.sendDump(firstFile, 4, serverId, 0);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + r.nextInt(2000))); // holding without reading
                    }
                }
                case 3 -> { // a login and a query, no dump
                    try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
                        c.query("SET @master_binlog_checksum='CRC32'");
                    }
                }
                default -> { // gone in the middle of the handshake
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        s.getInputStream().read(new byte[16]);
                    }
                }
            }
        } catch (IOException e) {
            // a churning client may be cut (its write timeout, its own close): that is part of the soak
        }
    }

    /** A raw reader that stays from the first file to the end and keeps every event it gets (artificial ones left out). */
    static final class GapFreeReader {
        private final RawDumpClient client;
        private final List<byte[]> events = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile Throwable failure;

        GapFreeReader(int port, String firstFile) throws IOException {
            client = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD);
            client.query("SET @mariadb_slave_capability=4");
            client.query("SET @master_binlog_checksum='CRC32'");
            client.query("SET @master_heartbeat_period=1000000000");
            client.sendDump(firstFile, 4, 19_999, 2);
            thread = new Thread(() -> {
                try {
                    for (byte[] e; (e = client.readEvent()) != null; ) {
                        if (!Events.isArtificial(e) && Events.type(e) != EventType.HEARTBEAT) {
                            events.add(e);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e;
                }
            }, "soak-healthy-reader");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitCount(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (events.size() < n) {
                if (failure != null) {
                    throw new AssertionError("the healthy raw reader failed after " + events.size() + " events", failure);
                }
                if (System.nanoTime() > deadline) {
                    fail("the healthy raw reader has " + events.size() + " of " + n + " events");
                }
                LockSupport.parkNanos(20_000_000L); // polling its count, bounded by the deadline
            }
        }

        /**
         * Waits until the reader has as many events as {@code expected}, closes it, and asserts they are those, byte for
         * byte and in order; returns what it received.
         */
        List<byte[]> closeHavingReceived(List<byte[]> expected, Duration timeout) throws IOException {
            awaitCount(expected.size(), timeout);
            List<byte[]> got = close();
            for (int i = 0; i < expected.size(); i++) {
                if (!Arrays.equals(expected.get(i), got.get(i))) {
                    fail("the raw reader's event " + i + " (" + EventType.name(Events.type(expected.get(i))) + ") differs");
                }
            }
            return got;
        }

        List<byte[]> close() throws IOException {
            client.close();
            synchronized (events) {
                return new ArrayList<>(events);
            }
        }
    }
}
