package dev.binlogrelay.server.it;

import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
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
 * Issue 16 acceptance: the whole attack set at once against a relay with {@code -Xmx512m} and the default limits (its
 * own process), while a writer commits and a stock GTID replica and a raw reader follow through the relay:
 * <ul>
 *   <li>1,000 connections that never answer the handshake (the raw attacks come from 127.0.0.2, the healthy clients from
 *       127.0.0.1: the per-host limits are meant to keep one host from locking out the others);</li>
 *   <li>30 connections that announce a packet one byte short of 16 MiB before login and stall;</li>
 *   <li>two readers with 1 ms heartbeats and two readers that never read;</li>
 *   <li>dumps by a GTID set of 32,000 intervals;</li>
 *   <li>user variables grown past their limit, and CONCATs past max_allowed_packet;</li>
 *   <li>handshake responses with a malformed connect-attributes length, and 100 KB user names with newlines;</li>
 *   <li>wrong passwords (the per-host throttle is off here: attacker and healthy clients share 127.0.0.1).</li>
 * </ul>
 * Asserts: no OutOfMemoryError, a fresh login answered within a second throughout, RSS under 768 MiB, the replica
 * equal to the primary and the raw reader with every event byte for byte. Prints the figures: attacks per class,
 * peak RSS, connections refused per limit (from the relay's metrics).
 */
class AttackSetIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final long ATTACK_NANOS = TimeUnit.SECONDS.toNanos(25);
    private static final long MIB = 1024 * 1024;
    private static final int METRICS_PORT = dev.binlogrelay.testkit.FreePorts.find();

    @TempDir
    Path tmp;

    @Test
    void theWholeAttackSetAgainstARelayWith512MiB() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Socket> held = new ArrayList<>();
        List<RawDumpClient> readers = new ArrayList<>();
        Map<String, AtomicLong> attacks = new TreeMap<>();
        for (String k : List.of("silent connections", "stalled 16 MiB packets", "1 ms heartbeat non-readers",
                "non-reading readers", "32,000-interval GTID set dumps", "user variable bloat", "malformed connect attributes",
                "100 KB user names", "wrong passwords")) {
            attacks.put(k, new AtomicLong());
        }
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             RelayProcess relay = RelayProcess.configure(tmp.resolve("relay"), primary, RelayProcess.stablePort(),
                     // (continues the downstream section) attacker and healthy clients share 127.0.0.1: no throttle
                     "  auth_failure_threshold: 0\nstorage:\n  cache_bytes: 67108864\nmetrics:\n  listen: 127.0.0.1:"
                             + METRICS_PORT + "\n",
                     tmp.resolve("relay").resolve("data")).maxHeap("-Xmx512m");
             MariaDbServer replica = MariaDbServer.builder().name("replica").serverId(2).binlog(false).start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(1000))");
            relay.start();
            relay.awaitReady(WAIT);
            relay.awaitCaughtUp(primary, WAIT);
            int port = relay.port();
            replica.startReplica("127.0.0.1", port, RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.SLAVE_POS, null, 0);
            SoakIT.GapFreeReader healthy = new SoakIT.GapFreeReader(port, firstFile);
            long baseline = relay.rssBytes();

            // standing attacks: silent and stalled connections, readers that do not read
            for (int i = 0; i < 1000; i++) {
                held.add(open(port));
                attacks.get("silent connections").incrementAndGet();
            }
            for (int i = 0; i < 30; i++) {
                Socket s = open(port);
                held.add(s);
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[]{(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, 1}); // 16 MiB - 2, sequence 1
                    out.write(new byte[64 * 1024]);
                    out.flush();
                } catch (IOException closedByTheRelay) {
                    // refused on the header (max_login_packet) or by the per-host cap: what it should do
                }
                attacks.get("stalled 16 MiB packets").incrementAndGet();
            }
            for (int i = 0; i < 4; i++) {
                RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD, 4096);
                readers.add(c);
                c.query("SET @master_binlog_checksum = 'CRC32'");
                if (i < 2) {
                    c.query("SET @master_heartbeat_period = 1000000");
                    attacks.get("1 ms heartbeat non-readers").incrementAndGet();
                } else {
                    attacks.get("non-reading readers").incrementAndGet();
                }
                c.sendDump(firstFile, 4, 8000 + i, 0);
            }

            Future<?> writer = pool.submit(() -> {
                try (Connection c = primary.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO app.t (v) VALUES (REPEAT('a', 500))")) {
                    while (running.get()) {
                        ps.executeUpdate();
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the workload's pace
                    }
                }
                return null;
            });
            // repeated attacks
            List<Future<?>> attackers = new ArrayList<>();
            attackers.add(pool.submit(() -> {
                while (running.get()) {
                    gtidSetDump(port);
                    attacks.get("32,000-interval GTID set dumps").incrementAndGet();
                }
                return null;
            }));
            attackers.add(pool.submit(() -> {
                while (running.get()) {
                    userVariableBloat(port);
                    attacks.get("user variable bloat").incrementAndGet();
                }
                return null;
            }));
            attackers.add(pool.submit(() -> {
                while (running.get()) {
                    hostileHandshake(port, true);
                    attacks.get("malformed connect attributes").incrementAndGet();
                    hostileHandshake(port, false);
                    attacks.get("100 KB user names").incrementAndGet();
                    try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, "wrong")) {
                        fail("a wrong password was accepted");
                    } catch (IOException refused) {
                        attacks.get("wrong passwords").incrementAndGet();
                    }
                }
                return null;
            }));

            long peakRss = baseline;
            long slowestLogin = 0;
            long end = System.nanoTime() + ATTACK_NANOS;
            while (System.nanoTime() < end) {
                assertTrue(relay.isAlive(), "the relay died:\n" + RelayProcess.tail(relay.logOfThisRun()));
                peakRss = Math.max(peakRss, relay.rssBytes());
                long t0 = System.nanoTime();
                try (RawDumpClient fresh = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
                    fresh.query("SET @master_binlog_checksum = 'NONE'");
                }
                slowestLogin = Math.max(slowestLogin, System.nanoTime() - t0);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // the sampling interval
            }
            running.set(false);
            writer.get(30, TimeUnit.SECONDS);
            for (Future<?> f : attackers) {
                f.get(60, TimeUnit.SECONDS);
            }
            String refusals = refusals();

            relay.awaitCaughtUp(primary, WAIT);
            replica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT);
            assertEquals(primary.checksumTable("app.t"), replica.checksumTable("app.t"), "the stock replica");
            List<byte[]> got = healthy.closeHavingReceived(RawStreams.read(primary.port(), firstFile), WAIT);
            String log = relay.logOfThisRun();
            System.out.printf("AttackSetIT: -Xmx512m relay, 25 s; attacks %s; RSS %d MiB before, peak %d MiB; slowest"
                            + " fresh login %d ms; refused by limit: %s; raw reader %d events%n", attacks, baseline >> 20,
                    peakRss >> 20, TimeUnit.NANOSECONDS.toMillis(slowestLogin), refusals, got.size());
            assertFalse(log.contains("OutOfMemoryError"), "the relay ran out of memory:\n" + RelayProcess.tail(log));
            assertTrue(slowestLogin < TimeUnit.SECONDS.toNanos(1), "a fresh login took "
                    + TimeUnit.NANOSECONDS.toMillis(slowestLogin) + " ms");
            assertTrue(peakRss < 768 * MIB, "RSS grew from " + (baseline >> 20) + " to " + (peakRss >> 20) + " MiB");
        } finally {
            running.set(false);
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
            for (Socket s : held) {
                s.close();
            }
            for (RawDumpClient c : readers) {
                c.close();
            }
        }
    }

    /**
     * A raw attacking connection from 127.0.0.2: the relay counts unauthenticated connections per host, and the healthy
     * clients of this test come from 127.0.0.1 (on Linux all of 127/8 is loopback).
     */
    private static Socket open(int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress("127.0.0.2", 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void gtidSetDump(int port) throws IOException {
        UUID source = UUID.randomUUID();
        int n = 32_000;
        ByteBuf set = Unpooled.buffer(8 + 24 + 16 * n).writeLongLE(1).writeLong(source.getMostSignificantBits())
                .writeLong(source.getLeastSignificantBits()).writeLongLE(n);
        for (long i = n - 1; i >= 0; i--) {
            set.writeLongLE(2 * i + 1).writeLongLE(2 * i + 2);
        }
        try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.sendCommand(Unpooled.buffer().writeByte(Commands.COM_BINLOG_DUMP_GTID).writeShortLE(1).writeIntLE(0)
                    .writeIntLE(0).writeLongLE(4).writeIntLE(set.readableBytes()).writeBytes(set));
            c.nextPacket(); // an error (a GTID the relay never had) or the start of a dump: either way, leave
        }
    }

    private static void userVariableBloat(int port) throws IOException {
        try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @a = '" + "x".repeat(400_000) + "'");
            try {
                c.query("SET @b = CONCAT(@a, @a, @a)"); // past the session's 1 MiB: refused whole
                fail("user variables past max_user_variables_bytes were accepted");
            } catch (IOException refused) {
                // ERR 1290, as it should be
            }
            // past max_allowed_packet (16 MiB): NULL with a warning, never built
            c.query("SET @c = CONCAT(" + String.join(", ", java.util.Collections.nCopies(45, "@a")) + ")");
        }
    }

    /** A handshake response with a connect-attributes length of 2^64-1, or a 100 KB user name with newlines. */
    private static void hostileHandshake(int port, boolean badAttributes) throws IOException {
        try (Socket s = open(port)) {
            s.getInputStream().read(new byte[512]); // the handshake
            ByteBuf p = Unpooled.buffer();
            int caps = 0x0200 | 0x8000 | 0x80000 | (badAttributes ? 0x100000 : 0); // 4.1, secure, plugin auth, attrs
            p.writeIntLE(caps).writeIntLE(1 << 24).writeByte(45).writeZero(23);
            String user = badAttributes ? "repl" : ("x\n01:00:00 [main] INFO all is well\n" + "u".repeat(100_000));
            p.writeBytes(user.getBytes(java.nio.charset.StandardCharsets.UTF_8)).writeByte(0);
            p.writeByte(20).writeZero(20).writeBytes("mysql_native_password".getBytes()).writeByte(0);
            if (badAttributes) {
                p.writeByte(0xFE).writeLongLE(-1L);
            }
            byte[] body = new byte[p.readableBytes()];
            p.readBytes(body);
            OutputStream out = s.getOutputStream();
            out.write(new byte[]{(byte) body.length, (byte) (body.length >> 8), (byte) (body.length >> 16), 1});
            out.write(body);
            out.flush();
            s.getInputStream().read(new byte[512]); // the relay's ERR (or its close)
        } catch (IOException closed) {
            // closed by the relay: what it should do with such a packet
        }
    }

    /** binlog_relay_downstream_connections_refused_total by limit, from the relay's /metrics. */
    private static String refusals() throws Exception {
        var client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String body = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + METRICS_PORT
                        + "/metrics")).timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\n")) {
            if (line.startsWith("binlog_relay_downstream_connections_refused_total{") || line.startsWith("binlog_relay_downstream_auth_failures_total ")
                    || line.startsWith("binlog_relay_downstream_protocol_errors_total ")) {
                out.append(line.replace("binlog_relay_downstream_", "")).append("; ");
            }
        }
        return out.toString();
    }
}
