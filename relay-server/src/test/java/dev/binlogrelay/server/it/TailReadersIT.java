package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many blocking readers waiting at the tail: every one gets every new transaction, the writer wakes them
 * through one commit listener per event loop (not one per reader), and they are served from the hot tail.
 */
class TailReadersIT {
    private static final int READERS = 40;
    private static final int TRANSACTIONS = 25;

    @TempDir
    Path tmp;

    @Test
    void everyTailReaderGetsEveryTransactionFromTheHotTail() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"))) {
            RelayHarness.createAppTable(primary);
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            BinlogPosition end = relay.store().committedEnd().orElseThrow();

            List<RawDumpClient> clients = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(READERS);
            try {
                List<Future<Integer>> commits = new ArrayList<>();
                for (int i = 0; i < READERS; i++) {
                    RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD);
                    clients.add(c);
                    c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                    c.sendDump(end.file(), end.position(), 7000 + i, 0); // blocking: waits at the tail
                    commits.add(pool.submit(() -> {
                        int xids = 0;
                        while (xids < TRANSACTIONS) {
                            byte[] e = c.readEvent(); // the socket timeout bounds the wait
                            if (e != null && Events.type(e) == EventType.XID) {
                                xids++;
                            }
                        }
                        return xids;
                    }));
                }
                awaitReaders(relay, READERS);
                int loops = Math.max(2, Runtime.getRuntime().availableProcessors());
                int listeners = relay.store().stats().commitListeners();
                assertTrue(listeners >= 1 && listeners <= loops + 1,
                        READERS + " readers, " + listeners + " commit listeners");

                long hitsBefore = relay.store().stats().cacheStats().hitCount();
                for (int t = 0; t < TRANSACTIONS; t++) {
                    primary.execute("INSERT INTO app.t (id, v) VALUES (" + (1000 + t) + ", 'tail')");
                }
                for (Future<Integer> f : commits) {
                    assertEquals(TRANSACTIONS, f.get(60, TimeUnit.SECONDS));
                }
                for (RawDumpClient c : clients) {
                    c.close();
                }
                awaitReaders(relay, 0);
                long hits = relay.store().stats().cacheStats().hitCount() - hitsBefore;
                assertTrue(hits >= (long) READERS * TRANSACTIONS * 3,
                        "each reader read each transaction's events from the hot tail: " + hits + " hits, misses "
                                + relay.store().stats().cacheStats().missCount());
            } finally {
                pool.shutdownNow();
                for (RawDumpClient c : clients) {
                    c.close();
                }
            }
        }
    }

    private static void awaitReaders(Relay relay, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (relay.metrics().readersNow() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " readers, relay has " + relay.metrics().readersNow());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // polling a gauge, bounded above
        }
    }
}
