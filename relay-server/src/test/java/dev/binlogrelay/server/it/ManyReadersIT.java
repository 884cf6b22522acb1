package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
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
 * Issue 2: many readers at once from one upstream connection, and a reader that stops reading its socket
 * stalls neither the upstream nor the other readers.
 */
class ManyReadersIT {
    private static final int READERS = 24;

    @TempDir
    Path tmp;

    @Test
    void aStalledReaderDoesNotHoldBackTheUpstreamOrOtherReaders() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"))) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT, j JSON)",
                    "CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB)");
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            try (RawDumpClient stalled = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                stalled.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                stalled.sendDump(firstFile, 4, 5555, 0); // blocking dump, and never read
                for (int i = 1; i <= 3; i++) {
                    StockReplicasIT.bigRow(primary, i, 8 * 1024 * 1024);
                }
                StockReplicasIT.workload0(primary, 100);
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));

                List<String> expected = BinlogConnectorIT.readAll(primary.port(), firstFile, 4, null);
                ExecutorService pool = Executors.newFixedThreadPool(READERS);
                try {
                    List<Future<List<String>>> results = new ArrayList<>();
                    for (int i = 0; i < READERS; i++) {
                        results.add(pool.submit(() -> BinlogConnectorIT.readAll(relay.port(), firstFile, 4, null)));
                    }
                    for (Future<List<String>> f : results) {
                        assertEquals(expected, f.get(120, TimeUnit.SECONDS));
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertTrue(relay.metrics().readersNow() >= 1, "the stalled reader is still connected");
            }
        }
    }
}
