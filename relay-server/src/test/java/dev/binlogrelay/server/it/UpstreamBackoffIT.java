package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.upstream.UpstreamClient;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15, part 3: a stream the relay refuses backs off like a lost connection. A proxy between the primary and the
 * relay corrupts the same transaction on every connection, so every login and dump succeeds and every stream then
 * fails with a bad event: the reconnect delay keeps doubling up to reconnect_max_ms (before the fix it went back to
 * the minimum at each successful dump, reconnecting every 200-300 ms forever). Once the bytes arrive intact, the
 * relay stores the transaction and the backoff starts over.
 */
class UpstreamBackoffIT {
    private static final long MIN_MS = 100;
    private static final long MAX_MS = 1600;

    @TempDir
    Path tmp;

    @Test
    void aStreamRefusedAtTheSameEventBacksOffExponentiallyAndRecovers() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             FaultProxy proxy = new FaultProxy(primary.port())) {
            RelayHarness.createAppTable(primary);
            RelayConfig config = RelayHarness.config(primary, tmp.resolve("relay"), 9401, "earliest");
            config.upstream.port = proxy.port();
            config.upstream.reconnectMinMs = MIN_MS;
            config.upstream.reconnectMaxMs = MAX_MS;
            Relay relay = Relay.start(config);
            try {
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(30));
                // from now on the first transaction after the relay's resume point is a 60 KB row, and the proxy
                // flips a byte 32 KiB into every dump: inside that transaction, on every connection
                proxy.corruptAfterDump(32 * 1024);
                bigRow(primary);
                proxy.dropConnections();

                UpstreamClient upstream = relay.upstream();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (upstream.nextReconnectDelayMs() < MAX_MS || upstream.consecutiveFailures() < 6) {
                    if (System.nanoTime() > deadline) {
                        fail("the backoff did not reach " + MAX_MS + " ms: failures " + upstream.consecutiveFailures()
                                + ", delay " + upstream.nextReconnectDelayMs() + " ms, last error " + upstream.lastError());
                    }
                    Thread.sleep(50); // polling a status, bounded by the deadline
                }
                assertTrue(upstream.lastError().contains("CRC") || upstream.lastError().contains("packet")
                        || upstream.lastError().contains("event"), upstream.lastError());
                // at the ceiling, a window of 4 s holds at most 3 or 4 attempts (200-300 ms retries would be ~16)
                long before = upstream.connectAttempts();
                long windowEnd = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                while (System.nanoTime() < windowEnd) {
                    Thread.sleep(100); // observing the retry rate over a fixed window
                }
                long attempts = upstream.connectAttempts() - before;
                assertTrue(attempts <= 4, attempts + " reconnects in 4 s at a " + MAX_MS + " ms ceiling");
                assertTrue(gauge(relay, "binlog_relay_upstream_consecutive_failures") >= 6, "the failures are a metric");
                assertEquals(MAX_MS / 1000.0, gauge(relay, "binlog_relay_upstream_reconnect_delay_seconds"), 1e-9);

                proxy.corruptAfterDump(-1);
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(30));
                assertEquals(0, upstream.consecutiveFailures(), "the backoff starts over once the relay stores again");
                assertEquals(primary.gtidBinlogPos(), relay.store().state().mariaGtidPosition().toString());
            } finally {
                relay.close();
            }
        }
    }

    private static double gauge(Relay relay, String name) {
        return relay.metrics().registry().scrape().stream().filter(s -> s.getMetadata().getName().equals(name))
                .map(s -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) s).getDataPoints().get(0).getValue())
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    private static void bigRow(MariaDbServer primary) throws Exception {
        byte[] blob = new byte[256 * 1024];
        new Random(7).nextBytes(blob);
        try (Connection c = primary.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO app.t (id, v) VALUES (?, ?)")) {
            ps.setInt(1, 1_000_000);
            ps.setString(2, java.util.HexFormat.of().formatHex(blob, 0, 30_000));
            ps.executeUpdate();
        }
    }
}
