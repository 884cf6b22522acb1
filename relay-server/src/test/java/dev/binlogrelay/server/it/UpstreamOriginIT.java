package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.cli.MainAccess;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 4, point 3: a store remembers what it was filled from (upstream address, start, the primary's server_id),
 * and the relay refuses a different upstream or start on a non-empty store unless the operator asks: with real
 * MariaDB primaries (server_id 1 and 2), a relay in this JVM and the {@code run} command line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UpstreamOriginIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private MariaDbServer one;
    private MariaDbServer two;

    @BeforeAll
    void startPrimaries() throws Exception {
        one = MariaDbServer.builder().name("primary-1").serverId(1).start();
        try {
            two = MariaDbServer.builder().name("primary-2").serverId(2).start();
            for (MariaDbServer p : List.of(one, two)) {
                RelayHarness.createAppTable(p);
                StockReplicasIT.workload0(p, 10 + (int) p.serverId() * 5);
            }
        } catch (Exception | AssertionError e) {
            one.close();
            throw e;
        }
    }

    @AfterAll
    void stopPrimaries() {
        RelayHarness.closeAll(null, two);
        RelayHarness.closeAll(null, one);
    }

    @Test
    void aDifferentUpstreamOrStartIsRefusedOnTheCommandLineAndResetStartsOver() throws Exception {
        Path data = tmp.resolve("cli");
        try (Relay relay = Relay.start(RelayHarness.config(one, data, 9001, "earliest"))) {
            RelayHarness.awaitCaughtUp(relay, one, WAIT);
        }

        // another upstream: exit code 2, one line with the key, both values and the ways out
        MainAccess.Result r = MainAccess.run(yaml(tmp.resolve("two.yaml"), two.port(), data, "earliest"), "run");
        assertEquals(2, r.exitCode(), r.stderr());
        String line = r.stderr().strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        assertTrue(line.contains("upstream is " + two.host() + ":" + two.port()) && line.contains("filled from "
                + one.host() + ":" + one.port()), line);
        assertTrue(line.contains("--accept-upstream-change") && line.contains("--reset-store"), line);

        // another start on the same upstream
        r = MainAccess.run(yaml(tmp.resolve("start.yaml"), one.port(), data, "current"), "run");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("upstream.start is 'current'") && r.stderr().contains("'earliest'")
                && r.stderr().contains("--reset-store"), r.stderr());

        // the store is untouched by the refusals
        try (Relay relay = Relay.start(RelayHarness.config(one, data, 9001, "earliest"))) {
            RelayHarness.awaitCaughtUp(relay, one, WAIT);
            assertEquals(Optional.of(one.host() + ":" + one.port()), relay.store().state().origin().upstream());
        }

        // --reset-store: the store is deleted and filled from the new upstream
        try (Relay relay = Relay.start(RelayHarness.config(two, data, 9001, "earliest"), new Relay.StartOptions(true, false))) {
            RelayHarness.awaitCaughtUp(relay, two, WAIT);
            assertEquals(Optional.of(two.host() + ":" + two.port()), relay.store().state().origin().upstream());
            assertEquals(Optional.of("2"), relay.store().state().origin().serverId());
            List<String> relayed = BinlogConnectorIT.sameThroughRelay(relay, two,
                    () -> BinlogConnectorIT.readAll(two.port(), two.binlogFiles().get(0), 4, null),
                    () -> BinlogConnectorIT.readAll(relay.port(), two.binlogFiles().get(0), 4, null));
            assertTrue(relayed.stream().anyMatch(e -> e.startsWith("XID")), "the new primary's transactions, and only those");
        }
    }

    @Test
    void aNewAddressOfTheSamePrimaryNeedsTheFlagAndKeepsTheData() throws Exception {
        Path data = tmp.resolve("address");
        String storeId;
        try (Relay relay = Relay.start(RelayHarness.config(one, data, 9002, "earliest"))) {
            RelayHarness.awaitCaughtUp(relay, one, WAIT);
            storeId = relay.store().state().storeId(); // a new one if the store were reset
        }
        try (FaultProxy proxy = new FaultProxy(one.port())) {
            RelayConfig viaProxy = RelayHarness.config(one, data, 9002, "earliest");
            viaProxy.upstream.host = "127.0.0.1";
            viaProxy.upstream.port = proxy.port();
            ConfigException refused = assertThrows(ConfigException.class, () -> Relay.start(viaProxy).close());
            assertTrue(refused.getMessage().contains("--accept-upstream-change"), refused.getMessage());

            try (Relay relay = Relay.start(viaProxy, new Relay.StartOptions(false, true))) {
                StockReplicasIT.workload0(one, 5);
                RelayHarness.awaitCaughtUp(relay, one, WAIT);
                assertEquals(storeId, relay.store().state().storeId(), "the store was kept");
                assertEquals(Optional.of("127.0.0.1:" + proxy.port()), relay.store().state().origin().upstream());
                assertEquals(Optional.of("1"), relay.store().state().origin().serverId());
            }
            // the new address is remembered: no flag needed any more
            try (Relay relay = Relay.start(viaProxy)) {
                RelayHarness.awaitCaughtUp(relay, one, WAIT);
            }
        }
    }

    @Test
    void anotherPrimaryBehindTheSameAddressIsRefusedAndReadersAreStillServed() throws Exception {
        Path data = tmp.resolve("identity");
        try (FaultProxy proxy = new FaultProxy(one.port())) {
            RelayConfig config = RelayHarness.config(one, data, 9003, "earliest");
            config.upstream.host = "127.0.0.1";
            config.upstream.port = proxy.port();
            try (Relay relay = Relay.start(config)) {
                RelayHarness.awaitCaughtUp(relay, one, WAIT);
                BinlogPosition end = relay.store().committedEnd().orElseThrow();
                long connects = relay.upstream().connectAttempts();

                proxy.retarget(two.port());
                proxy.dropConnections();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (relay.upstream().refusal() == null) {
                    if (System.nanoTime() > deadline) {
                        fail("the relay did not refuse server_id 2 behind " + proxy.port() + "; last error: "
                                + relay.upstream().lastError());
                    }
                    Thread.sleep(20);
                }
                String refusal = relay.upstream().refusal();
                assertTrue(refusal.contains("server_id 2") && refusal.contains("server_id 1")
                        && refusal.contains("--accept-upstream-change"), refusal);
                assertTrue(relay.upstream().connectAttempts() > connects, "it reconnected");
                assertEquals(Optional.of(end), relay.store().committedEnd(), "nothing was stored from the other primary");

                // readers are still served; the status says why ingestion stopped
                try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user="
                        + RelayHarness.USER + "&password=" + RelayHarness.PASSWORD);
                     Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'Relay_ingest_status'")) {
                        assertTrue(rs.next());
                        assertTrue(rs.getString(2).startsWith("stopped: ") && rs.getString(2).contains("server_id 2"), rs.getString(2));
                    }
                    assertEquals(Optional.of(end), RelayProcess.masterStatus(c));
                }
                List<String> events = BinlogConnectorIT.readAll(relay.port(), one.binlogFiles().get(0), 4, null);
                assertTrue(events.stream().filter(e -> e.startsWith("XID")).count() >= 15, "a reader got the stored binlog");
                long attempts = relay.upstream().connectAttempts();
                Thread.sleep(500); // bounded: checks that no reconnect follows a refusal
                assertEquals(attempts, relay.upstream().connectAttempts(), "no reconnecting after a refusal");
            }
        }
    }

    private Path yaml(Path file, int upstreamPort, Path data, String start) throws Exception {
        Files.writeString(file, String.join("\n",
                "server_id: 9001",
                "data_dir: " + data,
                "upstream:",
                "  host: 127.0.0.1",
                "  port: " + upstreamPort,
                "  user: " + RelayHarness.USER,
                "  password: " + RelayHarness.PASSWORD,
                "  start: " + start,
                "downstream:",
                "  listen: 127.0.0.1:0",
                "  users:",
                "    - user: " + RelayHarness.USER,
                "      password: " + RelayHarness.PASSWORD,
                ""));
        return file;
    }
}
