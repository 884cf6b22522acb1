package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.reader.BinlogFiles;
import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.MariaDbServer;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What every scenario shares: the primary with the generated binlog, the relay (its own JVM) that stored it, the
 * binlog as generated ({@code firstFile} from position 4 to {@code end}; later scenarios may write more), and
 * the run's settings.
 */
public record BenchContext(MariaDbServer primary, long primaryPid, RelayProcess relay, String firstFile,
                           MariaDbServer.BinlogFilePos end, List<String> files, BinlogFiles.Expected expected,
                           Path out, boolean full, int repetitions, Settings settings) {

    /**
     * Scenario parameters (see Bench's options); {@code canalInserts} rows inserted by the canal scenario's workload,
     * {@code canalBatch} its clients' batch size (entries), {@code canalClients} its points (clients at once),
     * {@code scale} the scale scenario's.
     */
    public record Settings(double latencyRate, double behindRate, double latencySeconds, int writerConnections, int idleReaders,
                           int tailReaders, double behindPhaseSeconds, String smallRelayHeap, Path storeParent,
                           boolean ingestJfr, int canalInserts, int canalBatch, java.util.List<Integer> canalClients,
                           ScaleBenchmark.Settings scale) {
        /** A fresh directory for a relay's store: under {@code storeParent}, or the system's temporary directory. */
        public Path newStoreDir(String prefix) throws java.io.IOException {
            return storeParent == null ? java.nio.file.Files.createTempDirectory(prefix)
                    : java.nio.file.Files.createTempDirectory(java.nio.file.Files.createDirectories(storeParent), prefix);
        }
    }

    public FanOut.Target relayTarget() {
        return new FanOut.Target("relay", "127.0.0.1", relay.port(), RelayProcess.USER, RelayProcess.PASSWORD);
    }

    public FanOut.Target primaryTarget() {
        return new FanOut.Target("primary", primary.host(), primary.port(), MariaDbServer.REPL_USER,
                MariaDbServer.REPL_PASSWORD);
    }

    public static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
