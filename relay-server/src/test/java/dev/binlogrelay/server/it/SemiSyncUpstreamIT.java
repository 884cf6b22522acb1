package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The relay as the only semi-sync replica of a live MariaDB primary (rpl_semi_sync_master_enabled, wait point
 * AFTER_SYNC): while the relay is up every commit is acknowledged ({@code Rpl_semi_sync_master_yes_tx} grows,
 * {@code no_tx} stays), so the primary commits only what the relay has made durable; with the relay killed
 * (SIGKILL) the primary waits {@code rpl_semi_sync_master_timeout} and goes asynchronous; once the relay is back
 * and caught up, acks resume. Run with {@code storage.sync: every_transaction} and with a 20 ms interval (acks then
 * wait for the interval's fsync). Prints the commit latencies it measured.
 */
class SemiSyncUpstreamIT {
    /** The primary's wait for an ack before it goes asynchronous, ms. */
    private static final int TIMEOUT_MS = 2000;

    @TempDir
    Path tmp;

    @Test
    void everyTransaction() throws Exception {
        run(MariaDbLine.MARIADB_10_11, "every_transaction");
    }

    @Test
    void interval() throws Exception {
        run(MariaDbLine.MARIADB_10_11, "20ms");
    }

    /** 11.x writes log_pos 0 on events inside a transaction: the ack names the end its commit event carries. */
    @Test
    void mariaDb114Primary() throws Exception {
        run(MariaDbLine.MARIADB_11_4, "every_transaction");
    }

    private void run(MariaDbLine line, String sync) throws Exception {
        try (MariaDbServer primary = semiSyncPrimary(line);
             RelayProcess relay = RelayProcess.configure(tmp.resolve("relay"), primary, RelayProcess.stablePort(), sync)) {
            enableSemiSync(tmp.resolve("relay").resolve("relay.yaml"));
            RelayHarness.createAppTable(primary);
            relay.start();
            relay.awaitReady(Duration.ofSeconds(60));
            await(primary, "Rpl_semi_sync_master_clients", v -> v == 1, Duration.ofSeconds(30));
            await(primary, "Rpl_semi_sync_master_status", v -> v == 1, Duration.ofSeconds(30));

            Map<String, Long> before = status(primary);
            long upNanos = commits(primary, 0, 40);
            Map<String, Long> up = status(primary);
            assertEquals(40, up.get("Rpl_semi_sync_master_yes_tx") - before.get("Rpl_semi_sync_master_yes_tx"),
                    "every commit acknowledged by the relay: " + up);
            assertEquals(before.get("Rpl_semi_sync_master_no_tx"), up.get("Rpl_semi_sync_master_no_tx"),
                    "no commit went asynchronous while the relay was up: " + up);
            assertEquals(1, up.get("Rpl_semi_sync_master_status"));
            relay.awaitCaughtUp(primary, Duration.ofSeconds(30));
            assertTrue(relay.logOfThisRun().contains("semi-sync replica of"), "the relay said it is a semi-sync replica");
            // one session throughout: the primary numbers its packets on from 1 after each event it waits for, which
            // a relay checking sequence ids strictly would take for a broken stream and reconnect every transaction
            assertEquals(1, relay.logOfThisRun().split("dumping from ", -1).length - 1, relay.logOfThisRun());
            try (var c = relay.connect()) {
                assertEquals("ON", relayStatus(c, "Rpl_semi_sync_slave_status"), "the relay reports its semi-sync upstream");
                assertTrue(Long.parseLong(relayStatus(c, "Relay_semi_sync_upstream_acks")) >= 40,
                        "acks sent, as the relay counts them: " + relayStatus(c, "Relay_semi_sync_upstream_acks"));
            }

            relay.kill();
            long downNanos = commits(primary, 1000, 3);
            Map<String, Long> down = status(primary);
            assertTrue(down.get("Rpl_semi_sync_master_no_tx") > up.get("Rpl_semi_sync_master_no_tx"),
                    "with the relay killed the primary committed asynchronously: " + down);
            assertEquals(0, down.get("Rpl_semi_sync_master_status"), "the primary switched semi-sync off: " + down);
            assertTrue(downNanos >= TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS - 100),
                    "the first commit without the relay waited for the timeout: " + downNanos / 1_000_000 + " ms");

            relay.start();
            relay.awaitReady(Duration.ofSeconds(60));
            await(primary, "Rpl_semi_sync_master_clients", v -> v == 1, Duration.ofSeconds(30));
            relay.awaitCaughtUp(primary, Duration.ofSeconds(30));
            commits(primary, 2000, 1); // the primary switches semi-sync back on when the relay acks a current event
            await(primary, "Rpl_semi_sync_master_status", v -> v == 1, Duration.ofSeconds(30));
            Map<String, Long> back = status(primary);
            long backNanos = commits(primary, 3000, 20);
            Map<String, Long> after = status(primary);
            assertEquals(20, after.get("Rpl_semi_sync_master_yes_tx") - back.get("Rpl_semi_sync_master_yes_tx"),
                    "acks resumed after the relay came back: " + after);
            assertEquals(back.get("Rpl_semi_sync_master_no_tx"), after.get("Rpl_semi_sync_master_no_tx"));
            relay.awaitCaughtUp(primary, Duration.ofSeconds(30));
            assertEquals(1, relay.logOfThisRun().split("dumping from ", -1).length - 1, relay.logOfThisRun());
            System.out.printf("semi-sync upstream (MariaDB %s, storage.sync %s): 40 commits acked in %d ms (%.2f ms each); "
                            + "relay killed: 3 commits in %d ms; relay back: 20 commits in %d ms (%.2f ms each); "
                            + "primary status after: %s%n", primary.version(), sync, upNanos / 1_000_000, upNanos / 40e6,
                    downNanos / 1_000_000, backNanos / 1_000_000, backNanos / 20e6, after);
        }
    }

    private static String relayStatus(java.sql.Connection relay, String name) throws java.sql.SQLException {
        try (var s = relay.createStatement(); var rs = s.executeQuery("SHOW STATUS LIKE '" + name + "'")) {
            return rs.next() ? rs.getString(2) : null;
        }
    }

    static MariaDbServer semiSyncPrimary(MariaDbLine line) {
        return line.builder().name("primary").serverId(1)
                .extraArg("--rpl-semi-sync-master-enabled=ON")
                .extraArg("--rpl-semi-sync-master-wait-point=AFTER_SYNC")
                .extraArg("--rpl-semi-sync-master-timeout=" + TIMEOUT_MS)
                .start();
    }

    /** Turns upstream.semi_sync on in a config RelayProcess wrote. */
    static void enableSemiSync(Path yaml) throws java.io.IOException {
        String text = Files.readString(yaml);
        String heartbeat = "  heartbeat_period: 1\n";
        assertTrue(text.contains(heartbeat), text);
        Files.writeString(yaml, text.replace(heartbeat, heartbeat + "  semi_sync: true\n"));
    }

    /** {@code n} autocommit inserts with ids from {@code first}, one after the other; returns how long they took. */
    private static long commits(MariaDbServer primary, int first, int n) throws Exception {
        long start = System.nanoTime();
        try (var c = primary.connect(); var s = c.createStatement()) {
            for (int i = 0; i < n; i++) {
                s.execute("INSERT INTO app.t (id, v) VALUES (" + (first + i) + ", 'semi-sync " + i + "')");
            }
        }
        return System.nanoTime() - start;
    }

    /** The primary's semi-sync status variables as numbers (ON = 1, OFF = 0). */
    static Map<String, Long> status(MariaDbServer primary) {
        Map<String, Long> m = new TreeMap<>();
        for (var row : primary.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_%'")) {
            String v = row.get(1);
            m.put(row.get(0), "ON".equals(v) ? 1L : "OFF".equals(v) ? 0L : parse(v));
        }
        return m;
    }

    private static long parse(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static void await(MariaDbServer primary, String variable, Predicate<Long> ok, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> s = status(primary);
        while (!ok.test(s.getOrDefault(variable, -1L))) {
            if (System.nanoTime() > deadline) {
                fail(variable + " did not reach the expected value within " + timeout + ": " + s);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            s = status(primary);
        }
    }
}
