package dev.binlogrelay.bench;

import dev.binlogrelay.core.ByteSizes;
import dev.binlogrelay.bench.measure.MachineCpu;
import dev.binlogrelay.bench.measure.MachineInfo;
import dev.binlogrelay.bench.measure.ProcCpu;
import dev.binlogrelay.bench.measure.RelayBuild;
import dev.binlogrelay.bench.reader.BinlogFiles;
import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.bench.reader.ReaderConnection;
import dev.binlogrelay.bench.report.BenchReport;
import dev.binlogrelay.bench.report.FanOutChart;
import dev.binlogrelay.bench.report.PointSummary;
import dev.binlogrelay.bench.report.ResultFiles;
import dev.binlogrelay.bench.report.ResultsMarkdown;
import dev.binlogrelay.bench.report.RunResult;
import dev.binlogrelay.bench.setup.BinlogLoader;
import dev.binlogrelay.bench.scenario.BehindReaderBenchmark;
import dev.binlogrelay.bench.scenario.BenchContext;
import dev.binlogrelay.bench.scenario.CanalBenchmark;
import dev.binlogrelay.bench.scenario.CatchUpBenchmark;
import dev.binlogrelay.bench.scenario.IngestBenchmark;
import dev.binlogrelay.bench.scenario.LatencyBenchmark;
import dev.binlogrelay.bench.scenario.MemoryBenchmark;
import dev.binlogrelay.bench.scenario.ScaleBenchmark;
import dev.binlogrelay.bench.scenario.ScenarioResult;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.MariaDbServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The fan-out measurement, end to end: an embedded MariaDB primary, a binlog generated on it, the relay (its own
 * JVM) storing that binlog, then for every reader count and repetition N readers against the relay and N against
 * the primary (alternating which goes first), each checked against the binlog files on disk.
 */
final class FanOutBenchmark {
    private static final double QUIET_CORES = 0.05;
    private static final double MIN_READ_MB_PER_S = 10;
    /** Reader counts of the unrecorded warm-up runs: the relay's JIT needs a few passes to settle. */
    private static final int[] WARM_UP_READERS = {1, 1, 1, 4};

    /** What to run; sizes in bytes. */
    record Plan(String mode, long binlogBytes, String binlogFileSize, List<Integer> readers, int repetitions,
                int readerThreads, int loaderConnections, String innodbBufferPool, List<String> relayJvmOptions,
                boolean relayJfr, long seed, Path out, Path sourceTree, String command, java.util.Set<String> scenarios,
                BenchContext.Settings settings, int smallTransactions) {
        boolean runs(String scenario) {
            return scenarios.contains(scenario);
        }
    }

    private final Plan plan;
    private int runCounter;

    FanOutBenchmark(Plan plan) {
        this.plan = plan;
    }

    /** Runs everything; writes the result files, and RESULTS.md and the chart when those paths are given. */
    BenchReport run(Path resultsMd, Path chart, String note) throws Exception {
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        MachineInfo machine = MachineInfo.current();
        String relayBuild = RelayBuild.describe(plan.sourceTree()); // at the start: work may land during the run
        say("%s mode on %s", plan.mode(), machine.describe());
        say("results go to %s", plan.out());
        int maxReaders = Math.max(plan.readers().stream().mapToInt(Integer::intValue).max().orElse(1),
                plan.runs("scale") ? plan.settings().scale().readers() : 0);
        String mariadbOptions = "max_binlog_size " + plan.binlogFileSize() + ", binlog_checksum CRC32, ROW format, "
                + "max_allowed_packet 64M, innodb_buffer_pool_size " + plan.innodbBufferPool()
                + ", max_connections " + (maxReaders + 100);
        Path relayData = plan.settings().newStoreDir("binlog-relay-bench-store-");
        var builder = MariaDbServer.builder().name("bench-primary").serverId(1).maxAllowedPacket(64L << 20)
                .maxBinlogSize(ByteSizes.parse(plan.binlogFileSize()))
                .extraArg("--max-connections=" + (maxReaders + 100))
                .extraArg("--innodb-buffer-pool-size=" + plan.innodbBufferPool())
                .startTimeout(Duration.ofSeconds(120));
        if (plan.runs("scale")) {
            // each of the scale scenario's dump threads holds a socket and a binlog file open
            builder.extraArg("--open-files-limit=" + (2 * maxReaders + 4096));
            mariadbOptions += ", open_files_limit " + (2 * maxReaders + 4096);
        }
        try (MariaDbServer primary = builder.start()) {
            say("primary MariaDB %s on 127.0.0.1:%d; generating %s with %d connections ...", primary.version(),
                    primary.port(), plan.smallTransactions() > 0 ? BinlogLoader.small(plan.smallTransactions())
                            : "a " + mib(plan.binlogBytes()) + " binlog", plan.loaderConnections());
            long[] lastSaid = {System.nanoTime()};
            BinlogLoader.Loaded loaded = plan.smallTransactions() > 0
                    ? BinlogLoader.loadSmall(primary, plan.smallTransactions(), plan.loaderConnections())
                    : BinlogLoader.load(primary, plan.binlogBytes(), plan.loaderConnections(), plan.seed(), size -> {
                        if (System.nanoTime() - lastSaid[0] > 10_000_000_000L) {
                            lastSaid[0] = System.nanoTime();
                            say("  binlog at %s", mib(size));
                        }
                    });
            List<String> files = primary.binlogFiles();
            MariaDbServer.BinlogFilePos end = primary.binlogFilePos();
            BinlogFiles.Expected expected = BinlogFiles.expected(primary.binlogDir(), files, false);
            say("binlog: %s in %d files (%s .. %s), %,d events of %,d rounds, in %.1f s", mib(loaded.binlogBytes()),
                    files.size(), files.get(0), end.file() + ":" + end.pos(), expected.events(), loaded.rounds(),
                    loaded.seconds());

            long ingestStart = System.nanoTime();
            try (RelayProcess relay = RelayProcess.start(primary, relayData, plan.out(), plan.relayJvmOptions(),
                    Duration.ofSeconds(60))) {
                relay.awaitStored(end.file() + ":" + end.pos(),
                        Duration.ofSeconds(120 + (long) (loaded.binlogBytes() / 2e6)));
                double ingest = (System.nanoTime() - ingestStart) / 1e9;
                say("relay (pid %d) on 127.0.0.1:%d stored the binlog in %.1f s", relay.pid(), relay.port(), ingest);
                long primaryPid = mariadbPid(primary);
                BenchReport.Binlog binlog = new BenchReport.Binlog(loaded.binlogBytes(), files.size(), expected.events(),
                        expected.eventBytes(), loaded.rounds(), loaded.seconds(), ingest,
                        plan.smallTransactions() > 0 ? BinlogLoader.small(plan.smallTransactions()) : BinlogLoader.MIXED);
                BenchReport.Settings settings = new BenchReport.Settings(plan.readers(), plan.repetitions(),
                        plan.readerThreads(), String.join(" ", plan.relayJvmOptions()), mariadbOptions, plan.relayJfr());
                Targets t = new Targets(
                        new FanOut.Target(RunResult.RELAY, "127.0.0.1", relay.port(), RelayProcess.USER, RelayProcess.PASSWORD),
                        relay.pid(),
                        new FanOut.Target(RunResult.PRIMARY, primary.host(), primary.port(), MariaDbServer.REPL_USER,
                                MariaDbServer.REPL_PASSWORD),
                        primaryPid, files.get(0), expected);
                List<RunResult> runs = plan.runs("fanout") ? measure(t, relay) : List.of();
                List<PointSummary> summary = PointSummary.of(runs);
                BenchContext ctx = new BenchContext(primary, primaryPid, relay, files.get(0), end, files, expected,
                        plan.out(), plan.mode().equals("full"), plan.repetitions(), plan.settings());
                List<ScenarioResult> scenarios = scenarios(ctx);
                BenchReport report = new BenchReport(date, plan.mode(), plan.command(), machine, primary.version(),
                        relayBuild, binlog,
                        settings, runs, summary, scenarios);
                write(report, resultsMd, chart, note);
                return report;
            }
        } finally {
            deleteTree(relayData);
        }
    }

    /**
     * The other scenarios, in an order that keeps the generated binlog as it is for those that read all of it
     * (catch-up, ingest) before those that write (memory, latency, behind reader).
     */
    private List<ScenarioResult> scenarios(BenchContext ctx) throws Exception {
        List<ScenarioResult> results = new ArrayList<>();
        long t0 = System.nanoTime();
        if (plan.runs("catchup") || plan.runs("ingest")) {
            try (MariaDbServer replica = CatchUpBenchmark.startReplica()) {
                if (plan.runs("catchup")) {
                    results.add(timed(() -> new CatchUpBenchmark(ctx, replica).run()));
                }
                if (plan.runs("ingest")) {
                    results.add(timed(() -> new IngestBenchmark(ctx, replica).run()));
                }
            }
        }
        if (plan.runs("memory")) {
            results.add(timed(() -> new MemoryBenchmark(ctx).run()));
        }
        if (plan.runs("latency")) {
            results.add(timed(() -> new LatencyBenchmark(ctx).run()));
        }
        if (plan.runs("behind")) {
            results.add(timed(() -> new BehindReaderBenchmark(ctx).run()));
        }
        if (plan.runs("canal")) {
            results.add(timed(() -> new CanalBenchmark(ctx).run()));
        }
        if (plan.runs("scale")) {
            results.add(timed(() -> new ScaleBenchmark(ctx).run()));
        }
        say("scenarios took %.0f s", (System.nanoTime() - t0) / 1e9);
        return results;
    }

    private interface Scenario {
        ScenarioResult run() throws Exception;
    }

    private static ScenarioResult timed(Scenario s) throws Exception {
        long t0 = System.nanoTime();
        ScenarioResult r = s.run();
        say("%s: %s in %.0f s", r.name(), r.correct() ? "correct" : "FAILED (" + r.problem() + ")", (System.nanoTime() - t0) / 1e9);
        return r;
    }

    private record Targets(FanOut.Target relay, long relayPid, FanOut.Target primary, long primaryPid, String firstFile,
                           BinlogFiles.Expected expected) {
    }

    private List<RunResult> measure(Targets t, RelayProcess relay) throws Exception {
        say("waiting for both servers to go quiet (InnoDB purge, compaction); load average %.2f ...",
                MachineCpu.loadAverage());
        ProcCpu.awaitQuiet(QUIET_CORES, 120_000, t.primaryPid(), t.relayPid());
        // warm-up, not recorded (the relay's JIT, both page caches), and a first check of both streams
        for (int readers : WARM_UP_READERS) {
            for (FanOut.Target target : List.of(t.relay(), t.primary())) {
                RunResult w = runOnce(t, target, readers, 0);
                if (!w.correct()) {
                    throw new IllegalStateException("warm-up: " + w.failedReaders() + " of " + readers + " readers of the "
                            + target.name() + " did not get the binlog: " + w.problem());
                }
                say("warm-up %-7s %d reader(s): %,d bytes in %.2f s", target.name(), readers, w.wireBytes(), w.wallSeconds());
            }
        }
        Path jfr = plan.out().resolve("relay-fanout.jfr");
        if (plan.relayJfr()) {
            jcmd(relay.pid(), "JFR.start", "name=fanout", "settings=profile", "filename=" + jfr);
        }
        List<RunResult> runs = new ArrayList<>();
        for (int n : plan.readers()) {
            for (int rep = 1; rep <= plan.repetitions(); rep++) {
                List<FanOut.Target> order = rep % 2 == 1 ? List.of(t.primary(), t.relay()) : List.of(t.relay(), t.primary());
                for (FanOut.Target target : order) {
                    ProcCpu.awaitQuiet(QUIET_CORES, 15_000, t.primaryPid(), t.relayPid());
                    RunResult r = runOnce(t, target, n, rep);
                    runs.add(r);
                    say("%-7s N=%-4d run %d: %8.1f MB/s, %7.2f s, server CPU %6.2f s (%.2f s system), readers' CPU %5.2f s, "
                            + "others' CPU %5.2f s%s", r.target(), n, rep, r.mbPerSecond(), r.wallSeconds(),
                            r.serverCpuSeconds(), r.serverSystemSeconds(), r.readerCpuSeconds(), r.otherCpuSeconds(),
                            r.correct() ? "" : ", " + r.failedReaders() + " readers FAILED: " + r.problem());
                }
            }
        }
        if (plan.relayJfr()) {
            jcmd(relay.pid(), "JFR.stop", "name=fanout");
            say("relay profile of the fan-out runs: %s (jfr print --events jdk.ExecutionSample %s)", jfr, jfr);
        }
        return runs;
    }

    private RunResult runOnce(Targets t, FanOut.Target target, int readers, int rep) throws Exception {
        long pid = target == t.relay() ? t.relayPid() : t.primaryPid();
        long serverIdBase = 100_000 + (long) (runCounter++ % 1000) * 2_000;
        long perReader = t.expected().fileBytes();
        Duration timeout = Duration.ofSeconds(60 + (long) (readers * (double) perReader / (MIN_READ_MB_PER_S * 1e6)));
        try (FanOut fanOut = FanOut.connect(target, readers, 16, 0)) {
            ProcCpu.Sample cpu0 = ProcCpu.sample(pid);
            double self0 = ProcCpu.seconds(ProcessHandle.current().pid());
            double machine0 = MachineCpu.busySeconds();
            FanOut.Outcome o = fanOut.stream(t.firstFile(), ReaderConnection.DUMP_NON_BLOCK, serverIdBase,
                    plan.readerThreads(), true, timeout);
            ProcCpu.Sample cpu = ProcCpu.sample(pid).minus(cpu0);
            double self = ProcCpu.seconds(ProcessHandle.current().pid()) - self0;
            double other = Math.max(0, MachineCpu.busySeconds() - machine0 - cpu.total() - self);
            long first = o.readers().get(0).tally().wireBytes();
            int failed = 0;
            String problem = null;
            for (FanOut.ReaderResult r : o.readers()) {
                String p = t.expected().check(r.tally());
                if (p == null && r.tally().wireBytes() != first) {
                    p = "got " + r.tally().wireBytes() + " bytes on the wire, reader 0 got " + first;
                }
                if (p != null) {
                    failed++;
                    if (problem == null) {
                        problem = "reader " + r.index() + ": " + p;
                    }
                }
            }
            return new RunResult(target.name(), readers, rep, o.wallSeconds(), o.wireBytes(), first, cpu.total(),
                    cpu.system(), o.readerCpuSeconds(), other, failed, problem);
        }
    }

    private void write(BenchReport report, Path resultsMd, Path chart, String note) throws IOException {
        ResultFiles.write(report, plan.out());
        Path png = plan.out().resolve("fanout.png");
        String title = String.format(Locale.ROOT, "Fan-out: N readers each dump the whole %s binlog (%s mode, %s)",
                mib(report.binlog().bytes()), report.mode(), report.date());
        if (!report.summary().isEmpty()) {
            FanOutChart.draw(report.summary(), title, png);
        }
        if (chart != null && !report.summary().isEmpty()) {
            Files.copy(png, chart, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (resultsMd != null) {
            // results-raw/ is not committed: the section links a copy of its chart kept next to RESULTS.md
            Path mdDir = resultsMd.toAbsolutePath().getParent();
            String link = null;
            if (!report.summary().isEmpty()) {
                Path kept = mdDir.resolve("charts").resolve("fanout-" + plan.out().getFileName() + ".png");
                Files.createDirectories(kept.getParent());
                Files.copy(png, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                link = mdDir.relativize(kept).toString();
            }
            ResultsMarkdown.append(resultsMd, report, link, note);
            say("appended a section to %s", resultsMd);
        }
        say("wrote %s, %s and %s", plan.out().resolve(ResultFiles.JSON), plan.out().resolve(ResultFiles.CSV), png);
        System.out.print(ResultsMarkdown.section(report, null, note));
    }

    private static long mariadbPid(MariaDbServer primary) throws IOException {
        return Long.parseLong(Files.readString(primary.workDir().resolve("mysqld.pid")).trim());
    }

    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        dev.binlogrelay.bench.measure.JvmMemory.jcmd(pid, command);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
