package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;

/** Builds relay configs for tests and waits for a relay to catch up with its primary. */
final class RelayHarness {
    static final String USER = "repl";
    static final String PASSWORD = "secret";

    private RelayHarness() {
    }

    static RelayConfig config(MariaDbServer primary, Path dataDir, long serverId, String start) {
        RelayConfig c = new RelayConfig();
        c.serverId = serverId;
        c.dataDir = dataDir.toString();
        if (primary != null) {
            c.upstream = new RelayConfig.Upstream();
            c.upstream.host = primary.host();
            c.upstream.port = primary.port();
            c.upstream.user = USER;
            c.upstream.password = PASSWORD;
            c.upstream.start = start;
            c.upstream.heartbeatPeriod = 1.0;
            c.upstream.reconnectMinMs = 50L;
            c.upstream.reconnectMaxMs = 1000L;
        }
        c.downstream = new RelayConfig.Downstream();
        c.downstream.listen = "127.0.0.1:0";
        RelayConfig.User u = new RelayConfig.User();
        u.user = USER;
        u.password = PASSWORD;
        c.downstream.users = List.of(u);
        return c;
    }

    /** The app.t table that {@link StockReplicasIT#workload0} writes to. */
    static void createAppTable(MariaDbServer primary) {
        primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT, j JSON)");
    }

    /** Closes a relay and a server started in a @BeforeAll, whichever of them was started. */
    static void closeAll(Relay relay, MariaDbServer server) {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    /** Waits (bounded) until the relay's upstream dump is streaming. */
    static void awaitStreaming(Relay relay, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!relay.upstream().isStreaming()) {
            if (System.nanoTime() > deadline) {
                fail("the relay's upstream did not start streaming within " + timeout + ": " + relay.upstream().lastError());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
    }

    /** The primary's current binlog coordinates (SHOW MASTER STATUS). */
    static BinlogPosition masterStatus(MariaDbServer primary) {
        List<List<String>> rows = primary.query("SHOW MASTER STATUS");
        return new BinlogPosition(rows.get(0).get(0), Long.parseLong(rows.get(0).get(1)));
    }

    /**
     * Waits (bounded) until the relay has stored everything the primary has written so far. The primary's end is
     * read again each time: MariaDB writes a BINLOG_CHECKPOINT on its own shortly after a rotate, and the relay
     * may store it together with the transaction before it (one batch per network read).
     */
    static void awaitCaughtUp(Relay relay, MariaDbServer primary, Duration timeout) throws InterruptedException {
        BinlogPosition target = masterStatus(primary);
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<BinlogPosition> end = relay.store().committedEnd();
        while (System.nanoTime() < deadline) {
            target = masterStatus(primary);
            end = relay.store().committedEnd();
            if (end.isPresent() && end.get().equals(target)) {
                return;
            }
            if (end.isPresent() && end.get().file().equals(target.file()) && end.get().position() > target.position()) {
                // the primary wrote more since (MariaDB writes a file's BINLOG_CHECKPOINT after the commit): look again
                target = masterStatus(primary);
                continue;
            }
            if (end.isPresent()) {
                relay.store().awaitCommitBeyond(end.get(), 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // empty store: poll
            }
        }
        fail("relay did not catch up with the primary at " + target + " within " + timeout + "; it is at "
                + end.map(Object::toString).orElse("nothing") + "; upstream error: " + relay.upstream().lastError());
    }
}
