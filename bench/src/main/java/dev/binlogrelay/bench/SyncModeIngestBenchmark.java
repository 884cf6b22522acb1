package dev.binlogrelay.bench;

import dev.binlogrelay.bench.setup.BinlogLoader;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.RelayJvm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Ingest speed by {@code storage.sync} setting (and, to compare builds, by classpath): how fast a relay stores a
 * primary's binlog from {@code start: earliest} (a backfill, where transactions arrive back to back). Loads a MariaDB
 * primary with {@link BinlogLoader} once, then for each run starts a relay process ({@link RelayProcess}) on an empty
 * data directory and times it from answering SQL to SHOW MASTER STATUS equal to the primary's. Prints MB/s and
 * transactions/s per run. (The bench's ingest scenario, {@code scenario.IngestBenchmark}, compares the relay with a
 * replica's IO thread instead.)
 *
 * <pre>
 * java -cp BENCH_CP dev.binlogrelay.bench.SyncModeIngestBenchmark [MiB=300] [RUN...]
 *   RUN = label=sync[@classpath]  e.g. burst=every_transaction  10ms=10ms  before=every_transaction@/tmp/old/cp
 * </pre>
 * The data directories go under {@code -Dingest.dir} (default a temp directory), on the same disk as the primary.
 * {@code -Dingest.small=N} first adds N single-row transactions; {@code -Dingest.repeat=R} repeats the runs.
 */
public final class SyncModeIngestBenchmark {
    private SyncModeIngestBenchmark() {
    }

    record Run(String label, String sync, String classpath) {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 300;
        List<Run> runs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] labelRest = args[i].split("=", 2);
            String[] syncCp = labelRest[1].split("@", 2);
            runs.add(new Run(labelRest[0], syncCp[0], syncCp.length > 1 ? syncCp[1] : System.getProperty("java.class.path")));
        }
        if (runs.isEmpty()) {
            runs.add(new Run("every_transaction", "every_transaction", System.getProperty("java.class.path")));
            runs.add(new Run("10ms", "10ms", System.getProperty("java.class.path")));
        }
        Path dir = Files.createDirectories(Path.of(System.getProperty("ingest.dir",
                Files.createTempDirectory("ingest-bench").toString())));
        try (MariaDbServer primary = MariaDbServer.builder().name("ingest-primary").serverId(1).start()) {
            int small = Integer.getInteger("ingest.small", 0);
            if (small > 0) {
                BinlogLoader.Loaded l = BinlogLoader.loadSmall(primary, small, 8);
                System.out.printf("loaded %d small transactions in %.1f s%n", small, l.seconds());
            }
            BinlogLoader.Loaded loaded = BinlogLoader.load(primary, mib << 20, 4, 42, size -> { });
            MariaDbServer.BinlogFilePos end = primary.binlogFilePos();
            String gtid = primary.gtidBinlogPos();
            long transactions = Long.parseLong(gtid.substring(gtid.lastIndexOf('-') + 1));
            System.out.printf("primary: %.1f MiB of binlog in %d files, %d transactions (GTID %s), end %s:%d%n",
                    loaded.binlogBytes() / 1048576.0, loaded.files(), transactions, gtid, end.file(), end.pos());
            for (int repeat = 0; repeat < Integer.getInteger("ingest.repeat", 1); repeat++) {
                for (Run run : runs) {
                    double seconds = ingest(primary, run, dir.resolve(run.label() + "-" + repeat), end);
                    System.out.printf("%-20s sync=%-17s %7.2f s  %7.1f MB/s  %8.0f tx/s%n", run.label(), run.sync(), seconds,
                            loaded.binlogBytes() / 1e6 / seconds, transactions / seconds);
                }
            }
        }
    }

    /**
     * {@code -Dingest.small=N}: first N autocommitted single-row INSERTs (~150 bytes of binlog each, from 8
     * connections): a binlog of many small transactions, where the cost per transaction (an fsync) dominates.
     */
    private static double ingest(MariaDbServer primary, Run run, Path dir, MariaDbServer.BinlogFilePos end) throws Exception {
        Files.createDirectories(dir);
        RelayProcess.storageSync(run.sync());
        String target = end.file() + ":" + end.pos();
        try (RelayProcess relay = RelayProcess.start(primary, dir.resolve("data"), dir, "relay", 9001, List.of("-Xmx1g"),
                run.classpath(), Duration.ofMinutes(10));
             Connection c = RelayJvm.connect(relay.port(), RelayProcess.USER, RelayProcess.PASSWORD);
             Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            long deadline = t0 + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
                    if (rs.next() && target.equals(rs.getString(1) + ":" + rs.getLong(2))) {
                        return (System.nanoTime() - t0) / 1e9;
                    }
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException(run.label() + ": the relay did not store up to " + target + " in 10 minutes");
        } finally {
            deleteTree(dir.resolve("data"));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
