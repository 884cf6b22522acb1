package dev.binlogrelay.bench;

import dev.binlogrelay.core.ByteSizes;
import dev.binlogrelay.bench.setup.RelayProcess;

import dev.binlogrelay.bench.report.BenchReport;
import dev.binlogrelay.bench.scenario.BenchContext;
import dev.binlogrelay.bench.scenario.ScaleBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * The benchmark harness: relay vs MariaDB's own dump thread on the same binlog, in the same run.
 *
 * <pre>
 * mvn -q -DskipTests install
 * mvn -q -pl bench exec:java@bench -Dexec.args="--mode quick"     # under 3 minutes, checks correctness
 * mvn -q -pl bench exec:java@bench -Dexec.args="--mode full"      # 1 GiB binlog, 1..1000 readers, 3 runs each
 * </pre>
 *
 * Scenarios ({@code --scenarios}, all by default, in this order): fan-out ({@link FanOutBenchmark}), catch-up,
 * ingest, memory, live latency and a reader far behind (package {@code scenario}), and, only when named, canal
 * (Canal clients through the relay vs a real Canal server); they share the primary, the
 * generated binlog and the relay. Quick mode is also run by {@code BenchSmokeIT}. Full mode appends a section
 * to {@code bench/RESULTS.md} and, when fan-out ran, redraws {@code bench/fanout.png} ({@code --record}); every
 * mode writes {@code results.json}, {@code runs.csv}, one CSV per other scenario and {@code fanout.png} to
 * {@code --out}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Relay vs MariaDB's own dump thread on the same binlog in the same run: fan-out (N raw readers "
                + "each dump the whole binlog; MB/s and CPU), catch-up (a stock replica and mariadb-binlog), ingest, "
                + "memory with idle readers, live latency, and a reader far behind.")
public final class Bench implements Callable<Integer> {
    enum Mode { quick, full }

    static final List<String> ALL_SCENARIOS = List.of("fanout", "catchup", "ingest", "memory", "latency", "behind");
    /**
     * Scenarios run only when named in {@code --scenarios}: canal starts a real Canal server per run, scale opens
     * thousands of connections to the relay and to the primary.
     */
    static final List<String> OPT_IN_SCENARIOS = List.of("canal", "scale");

    @Option(names = "--mode", description = "quick (small, under 3 minutes; the CI smoke test) or full. Default: quick.")
    Mode mode = Mode.quick;

    @Option(names = "--out", description = "Directory for results.json, runs.csv, fanout.png and the relay's log. "
            + "Default: bench/results-raw/<UTC timestamp>.")
    Path out;

    @Option(names = "--binlog-size", description = "Binlog to generate, like 8M or 1G. Default: quick 8M, full 1G.")
    String binlogSize;

    @Option(names = "--small-transactions", description = "Generate N small transactions (one autocommitted single-row "
            + "INSERT each) instead of --binlog-size of mixed ones: the ingest target's small-transaction case.")
    int smallTransactions;

    @Option(names = "--binlog-file-size", description = "max_binlog_size of the primary. Default: quick 1M, full 256M.")
    String binlogFileSize;

    @Option(names = "--readers", split = ",", description = "Reader counts. Default: quick 1,8; full 1,8,64,256,1000.")
    List<Integer> readers;

    @Option(names = "--repetitions", description = "Runs per reader count and target (the median is reported). "
            + "Default: quick 1, full 3.")
    Integer repetitions;

    @Option(names = "--reader-threads", description = "Selector threads reading all the readers' sockets. Default: 2.")
    int readerThreads = 2;

    @Option(names = "--loader-connections", description = "Connections generating the binlog. Default: 4.")
    int loaderConnections = 4;

    @Option(names = "--innodb-buffer-pool", description = "innodb_buffer_pool_size of the primary. Default: 256M.")
    String innodbBufferPool = "256M";

    @Option(names = "--relay-jvm-options", description = "JVM options of the relay process. Default: -Xmx2g -XX:+UseZGC "
            + "(docs/configuration.md recommends it).")
    String relayJvmOptions = "-Xmx2g " + RelayProcess.GC;

    @Option(names = "--relay-jfr", description = "Record a JFR profile of the relay during the fan-out runs "
            + "(out/relay-fanout.jfr); adds a little overhead.")
    boolean relayJfr;

    @Option(names = "--record", negatable = true, description = "Append to bench/RESULTS.md and redraw bench/fanout.png. "
            + "Default: on in full mode, off in quick mode.")
    Boolean record;

    @Option(names = "--note", description = "A sentence added to the RESULTS.md section (e.g. what else ran).")
    String note;

    @Option(names = "--seed", description = "Seed of the generated rows. Default: 42.")
    long seed = 42;

    @Option(names = "--scenarios", split = ",", description = "Scenarios to run, of fanout, catchup, ingest, memory, "
            + "latency, behind, canal, scale. Default: all but canal and scale.")
    List<String> scenarios;

    @Option(names = "--canal-inserts", description = "Rows the canal scenario inserts (a multiple of 100; a quarter "
            + "of them are then updated and a tenth deleted). Default: quick 40000 (54,000 row changes), full 160000.")
    Integer canalInserts;

    @Option(names = "--canal-batch", description = "Batch size (entries) of the canal scenario's clients. Default: 1000.")
    int canalBatch = 1000;

    @Option(names = "--canal-clients", split = ",", description = "Clients at once of the canal scenario's points "
            + "(e.g. 1 alone for runs too big for 8 Canal instances in Canal's 1 GiB heap). Default: 1,8.")
    List<Integer> canalClients = List.of(1, 8);

    @Option(names = "--rate", description = "Transactions per second of the paced writer (latency, behind reader). "
            + "Default: 2000.")
    double rate = 2000;

    @Option(names = "--behind-rate", description = "Transactions per second of the writer in the behind-reader scenario. "
            + "Default: 500, below the rate the relay sustains today (it fsyncs every transaction), so that the tail "
            + "readers' latency shows the behind reader's effect rather than an ingest backlog.")
    double behindRate = 500;

    @Option(names = "--latency-seconds", description = "Measured seconds of each latency run (after 1 s of warm-up). "
            + "Default: quick 5, full 30.")
    Double latencySeconds;

    @Option(names = "--writer-connections", description = "Connections of the paced writer. Default: 8.")
    int writerConnections = 8;

    @Option(names = "--idle-readers", description = "Readers idle at the tail in the memory scenario. Default: quick 100, full 1000.")
    Integer idleReaders;

    @Option(names = "--tail-readers", description = "Readers at the tail in the behind-reader scenario. Default: quick 4, full 16.")
    Integer tailReaders;

    @Option(names = "--behind-phase-seconds", description = "Length of the windows before and after the behind reader. "
            + "Default: quick 3, full 20.")
    Double behindPhaseSeconds;

    @Option(names = "--scale-readers", description = "Readers at the tail in the scale scenario, on the relay and then on "
            + "the primary. Default: quick 200, full 10000.")
    Integer scaleReaders;

    @Option(names = "--scale-seconds", description = "Measured seconds of the scale scenario's writer (after 1 s of "
            + "warm-up). Default: quick 3, full 20.")
    Double scaleSeconds;

    @Option(names = "--scale-rate", description = "Transactions per second of the scale scenario's writer. Default: 500.")
    double scaleRate = 500;

    @Option(names = "--scale-wave", description = "Readers logging in per wave in the scale scenario. Default: 500.")
    int scaleWave = 500;

    @Option(names = "--scale-sample", description = "Every how many-th reader of the scale scenario keeps arrival times "
            + "(every reader is checked for completeness). Default: 10.")
    int scaleSample = 10;

    @Option(names = "--scale-primary-max-rss", description = "The scale scenario stops opening dump connections to the "
            + "primary once mariadbd's RSS passes this. Default: 6G.")
    String scalePrimaryMaxRss = "6G";

    @Option(names = "--store-dir", description = "Where the relays' stores are created (e.g. /dev/shm to see what "
            + "fsync costs). Default: the system's temporary directory.")
    Path storeDir;

    @Option(names = "--ingest-jfr", description = "Record a JFR profile of each ingesting relay "
            + "(out/relay-ingest-N.jfr, JFR 'profile' settings); adds a little overhead.")
    boolean ingestJfr;

    @Option(names = "--relay-sync", description = "storage.sync of the relays: every_transaction (default) or a "
            + "group-commit interval such as 100ms.")
    String relaySync = "every_transaction";

    @Option(names = "--relay-storage", split = ",", description = "Further storage keys of the relays, as key=value "
            + "(dotted keys nest one level), e.g. rocksdb.bottommost_compression=lz4,segment_cache_bytes=128M.")
    List<String> relayStorage = List.of();

    @Option(names = "--small-relay-heap", description = "-Xmx of the relays of the ingest and memory scenarios. Default: 1g.")
    String smallRelayHeap = "1g";

    private String[] args = new String[0];
    private BenchReport report;

    public static void main(String[] args) {
        System.exit(commandLine(new Bench(), args).execute(args));
    }

    /** Runs the bench in this JVM and returns what it measured (for tests); throws on bad arguments. */
    public static BenchReport run(String... args) throws Exception {
        Bench bench = new Bench();
        commandLine(bench, args).parseArgs(args);
        bench.call();
        return bench.report;
    }

    private static CommandLine commandLine(Bench bench, String[] args) {
        bench.args = args.clone();
        return new CommandLine(bench).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() throws Exception {
        boolean full = mode == Mode.full;
        RelayProcess.storageSync(relaySync);
        RelayProcess.storageSettings(relayStorage);
        if (!relayStorage.isEmpty()) {
            String settings = "Relays ran with storage settings " + String.join(", ", relayStorage) + ".";
            note = note == null ? settings : note + " " + settings;
        }
        if (!"every_transaction".equals(relaySync)) {
            String sync = "Relays ran with `storage.sync: " + relaySync + "` (group commit) instead of the default every_transaction.";
            note = note == null ? sync : note + " " + sync;
        }
        Path benchDir = benchDir();
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        FanOutBenchmark.Plan plan = new FanOutBenchmark.Plan(mode.name(),
                ByteSizes.parse(binlogSize != null ? binlogSize : full ? "1G" : "8M"),
                binlogFileSize != null ? binlogFileSize : full ? "256M" : "1M",
                readers != null ? List.copyOf(readers) : full ? List.of(1, 8, 64, 256, 1000) : List.of(1, 8),
                repetitions != null ? repetitions : full ? 3 : 1,
                readerThreads, loaderConnections, innodbBufferPool,
                Arrays.stream(relayJvmOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList(), relayJfr, seed,
                (out != null ? out : benchDir.resolve("results-raw").resolve(started)).toAbsolutePath(),
                benchDir.toAbsolutePath().getParent(),
                "mvn -q -pl bench exec:java@bench -Dexec.args=\"" + Arrays.stream(args).map(Bench::quoted)
                        .collect(Collectors.joining(" ")) + "\"",
                new java.util.LinkedHashSet<>(scenarios != null ? scenarios : ALL_SCENARIOS),
                new BenchContext.Settings(rate, behindRate, latencySeconds != null ? latencySeconds : full ? 30 : 5, writerConnections,
                        idleReaders != null ? idleReaders : full ? 1000 : 100, tailReaders != null ? tailReaders : full ? 16 : 4,
                        behindPhaseSeconds != null ? behindPhaseSeconds : full ? 20 : 3, smallRelayHeap,
                        storeDir != null ? storeDir.toAbsolutePath() : null, ingestJfr,
                        canalInserts != null ? canalInserts : full ? 160_000 : 40_000, canalBatch, canalClients,
                        new ScaleBenchmark.Settings(scaleReaders != null ? scaleReaders : full ? 10_000 : 200,
                                scaleSeconds != null ? scaleSeconds : full ? 20 : 3, scaleRate, scaleWave, scaleSample,
                                ByteSizes.parse(scalePrimaryMaxRss))), smallTransactions);
        List<String> known = new java.util.ArrayList<>(ALL_SCENARIOS);
        known.addAll(OPT_IN_SCENARIOS);
        if (!known.containsAll(plan.scenarios())) {
            throw new CommandLine.ParameterException(new CommandLine(this), "unknown scenario in " + plan.scenarios()
                    + "; known: " + known);
        }
        if (plan.settings().canalInserts() < 100 || plan.settings().canalInserts() % 100 != 0 || canalBatch < 1
                || canalClients.isEmpty() || canalClients.stream().anyMatch(n -> n < 1 || n > 8)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--canal-inserts must be a positive multiple "
                    + "of 100, --canal-batch at least 1 and --canal-clients from 1 to 8");
        }
        ScaleBenchmark.Settings scale = plan.settings().scale();
        if (scale.readers() < 1 || scale.seconds() <= 0 || scale.rate() <= 0 || scale.wave() < 1 || scale.sampleEvery() < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--scale-readers, --scale-seconds, --scale-rate, "
                    + "--scale-wave and --scale-sample must be positive");
        }
        if (plan.readers().stream().anyMatch(n -> n < 1) || plan.repetitions() < 1 || readerThreads < 1 || loaderConnections < 1
                || smallTransactions < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "reader counts, repetitions, threads and "
                    + "connections must be at least 1");
        }
        Files.createDirectories(plan.out());
        boolean recording = record != null ? record : full;
        report = new FanOutBenchmark(plan).run(recording ? benchDir.resolve("RESULTS.md") : null,
                recording ? benchDir.resolve("fanout.png") : null, note);
        return report.allCorrect() ? 0 : 1;
    }

    /** An argument as it must be written inside exec.args: single-quoted when it holds spaces. */
    private static String quoted(String arg) {
        return arg.matches("[A-Za-z0-9_./:,=@+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    /** bench/ of the source tree: the working directory when run from there (surefire), else ./bench if present. */
    static Path benchDir() {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.exists(cwd.resolve("bench").resolve("pom.xml"))) {
            return cwd.resolve("bench");
        }
        return cwd;
    }
}
