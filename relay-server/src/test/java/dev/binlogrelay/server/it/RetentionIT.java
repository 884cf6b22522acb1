package dev.binlogrelay.server.it;

import com.github.shyiko.mysql.binlog.network.ServerException;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 4 point 2: storage.retention against a real primary. Whole files go, oldest first, the newest stays;
 * readers asking for a purged file or a GTID state older than the purge get ERR 1236 naming what is still
 * available; a GTID reader exactly at the purge boundary is served from the first available file.
 */
class RetentionIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static MariaDbServer primary;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        primary.execute("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v TEXT, j JSON)");
        for (int i = 0; i < 3; i++) {
            StockReplicasIT.workload0(primary, 20);
            primary.execute("FLUSH BINARY LOGS");
        }
        StockReplicasIT.workload0(primary, 5);
    }

    @AfterAll
    static void stop() {
        if (primary != null) {
            primary.close();
        }
    }

    private static RelayConfig config(String dir, long serverId) {
        RelayConfig c = RelayHarness.config(primary, tmp.resolve(dir), serverId, "earliest");
        c.storage.retention = new RelayConfig.Retention();
        c.storage.retention.checkInterval = "100ms";
        return c;
    }

    @Test
    void bySizeTheOldestFilesGoAndReadersOfThemGet1236() throws Exception {
        // keep the two newest files: max_bytes fits them, with room for a checkpoint event, but not the third newest
        List<List<String>> logs = primary.query("SHOW BINARY LOGS");
        int n = logs.size();
        assertTrue(n >= 4, "the primary has " + logs);
        long newest = stored(logs.get(n - 1));
        long second = stored(logs.get(n - 2));
        long third = stored(logs.get(n - 3));
        String firstKept = logs.get(n - 2).get(0);
        String lastPurged = logs.get(n - 3).get(0);
        String oldestPurged = logs.get(0).get(0);
        RelayConfig config = config("by-size", 9201);
        config.storage.retention.maxBytes = Long.toString(newest + second + third / 2);
        config.metrics = new RelayConfig.Metrics();
        int metricsPort = dev.binlogrelay.testkit.FreePorts.find();
        config.metrics.listen = "127.0.0.1:" + metricsPort;

        try (Relay relay = Relay.start(config)) {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            List<String> expected = List.of(firstKept, logs.get(n - 1).get(0));
            await(() -> relayFiles(relay).equals(expected), () -> "files kept by size: " + relayFiles(relay));
            assertEquals(expected, showBinaryLogs(relay), "SHOW BINARY LOGS lists only the available files");
            String purgedFiles = "binlog_relay_retention_purged_files_total " + (double) (n - 2);
            await(() -> scrape(metricsPort).contains(purgedFiles), () -> "no '" + purgedFiles + "' in " + scrape(metricsPort));
            assertTrue(scrape(metricsPort).contains("binlog_relay_storage_bytes "), scrape(metricsPort));

            for (String purged : List.of(oldestPurged, lastPurged)) {
                ServerException e = dumpError(relay, purged, 4, null);
                assertEquals(1236, e.getErrorCode());
                assertTrue(e.getMessage().contains(purged + " was purged from the relay; the oldest available position is "
                        + firstKept + ":4"), e.getMessage());
            }

            String boundary = gtidAt(firstKept);
            String older = gtidAt(lastPurged);
            ServerException tooOld = dumpError(relay, null, 0, older);
            assertEquals(1236, tooOld.getErrorCode());
            assertTrue(tooOld.getMessage().contains("was purged from the relay; the oldest available GTID state is " + boundary
                    + " (at " + firstKept + ":4)"), tooOld.getMessage());

            // exactly at the boundary: served from the first available file, as the primary serves it
            List<String> relayed = BinlogConnectorIT.sameThroughRelay(relay, primary,
                    () -> fromFirstGtid(BinlogConnectorIT.readAll(primary.port(), null, 0, boundary)),
                    () -> fromFirstGtid(BinlogConnectorIT.readAll(relay.port(), null, 0, boundary)));
            assertTrue(relayed.size() > 20 && relayed.get(0).contains(firstKept), "from " + boundary + ": " + relayed);
            // and by file from the first available one
            List<String> byFile = BinlogConnectorIT.sameThroughRelay(relay, primary,
                    () -> BinlogConnectorIT.readAll(primary.port(), firstKept, 4, null),
                    () -> BinlogConnectorIT.readAll(relay.port(), firstKept, 4, null));
            assertTrue(byFile.size() > 20, "from " + firstKept + ":4: " + byFile);
        }
    }

    @Test
    void byAgeAFileGoesOnceItsLastEventIsOlderThanMaxAge() throws Exception {
        RelayConfig config = config("by-age", 9202);
        config.storage.retention.maxAge = "3s";
        try (Relay relay = Relay.start(config)) {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            // the files written before the relay started end long enough ago (or soon will): all but the newest go
            String newest = RelayHarness.masterStatus(primary).file();
            await(() -> relayFiles(relay).equals(List.of(newest)), () -> "files kept by age: " + relayFiles(relay));

            long rotated = System.nanoTime();
            primary.execute("FLUSH BINARY LOGS"); // the rotate event at the end of 'newest' is written now
            StockReplicasIT.workload0(primary, 3);
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            assertTrue(relayFiles(relay).contains(newest), "a file written to a moment ago stays: " + relayFiles(relay));

            await(() -> !relayFiles(relay).contains(newest), () -> newest + " still held: " + relayFiles(relay));
            long waited = Duration.ofNanos(System.nanoTime() - rotated).toMillis();
            assertTrue(waited >= 2000, "purged " + waited + " ms after its last event; max_age is 3 s (timestamps in whole seconds)");
            assertEquals(List.of(RelayHarness.masterStatus(primary).file()), relayFiles(relay));
            ServerException e = dumpError(relay, newest, 4, null);
            assertEquals(1236, e.getErrorCode());
            assertTrue(e.getMessage().contains(newest + " was purged from the relay"), e.getMessage());
        }
    }

    private static String scrape(int port) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stored bytes of a SHOW BINARY LOGS row: the file from position 4 to its end. */
    private static long stored(List<String> row) {
        return Long.parseLong(row.get(1)) - 4;
    }

    private static String gtidAt(String file) {
        return primary.queryString("SELECT BINLOG_GTID_POS('" + file + "', 4)");
    }

    private static List<String> relayFiles(Relay relay) {
        return relay.store().files().stream().map(BinlogFileInfo::name).toList();
    }

    private static List<String> showBinaryLogs(Relay relay) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user=repl&password=secret");
             ResultSet rs = c.createStatement().executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static void await(BooleanSupplier done, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT + ": " + what.get());
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** The events from the first GTID group on (the preambles of a GTID dump differ only in artificial events). */
    private static List<String> fromFirstGtid(List<String> events) {
        int first = 0;
        while (first < events.size() && !events.get(first).startsWith("MARIADB_GTID ")) {
            first++;
        }
        return events.subList(first, events.size());
    }

    /** A dump (by file, or by GTID when {@code gtid} is set) that the relay refuses. */
    private static ServerException dumpError(Relay relay, String file, long position, String gtid) {
        return BinlogConnectorIT.refusedDump(relay.port(), 7778, file, position, gtid);
    }
}
