package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.live.PacedWriter;
import dev.binlogrelay.bench.live.Percentiles;
import dev.binlogrelay.bench.measure.JvmMemory;
import dev.binlogrelay.bench.measure.ProcCpu;
import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.bench.reader.TailReaders;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.RelayJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.binlogrelay.bench.scenario.BenchContext.say;
import static dev.binlogrelay.bench.scenario.ScenarioResult.row;

/**
 * Scale beyond a primary (issue 14): N raw readers (10,000 in full mode) in this JVM ({@link TailReaders}: a few
 * selector threads, logins in waves) hold blocking dumps at the tail of one relay ({@code -Xmx1g}, its
 * {@code downstream.max_connections} raised to N + 100, replicating from the primary's current end), then a
 * {@link PacedWriter} commits at {@code rate} (500/s) for {@code seconds}; every reader must receive every
 * transaction (a bit per transaction per reader, all readers checked) and the arrival latency (start of the commit
 * call to the read that brought the rows event) is pooled over every {@code sampleEvery}-th reader, the first
 * second left out as warm-up. The same is then tried on the primary itself with its {@code max_connections} above
 * N: the report says how many dump connections it held (the opening stops at the first refused one, or when
 * mariadbd's RSS passes {@code primaryMaxRss} or the machine's available memory falls under 3 GiB), its memory and
 * threads, and the latency of those it held. Live heap (after a full GC) and RSS of the relay, RSS and threads of
 * mariadbd, and CPU seconds of both in the write window are recorded.
 */
public record ScaleBenchmark(BenchContext ctx) {
    /** Settings of this scenario (Bench's {@code --scale-*} options). */
    public record Settings(int readers, double seconds, double rate, int wave, int sampleEvery, long primaryMaxRss) {
    }

    private static final long MIN_AVAILABLE = 3L << 30;
    private static final int FD_HEADROOM = 256;
    private static final int SELECTOR_THREADS = 2;
    private static final int LOGIN_THREADS = 16;

    public ScenarioResult run() throws Exception {
        Settings st = ctx.settings().scale();
        PacedWriter.createTable(ctx.primary());
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        Path store = ctx.settings().newStoreDir("binlog-relay-bench-scale-");
        MariaDbServer.BinlogFilePos from = ctx.primary().binlogFilePos();
        String heap = ctx.settings().smallRelayHeap();
        try (RelayProcess relay = RelayProcess.start(ctx.primary(), store, ctx.out(), "relay-scale", 9400,
                List.of("-Xmx" + heap, RelayProcess.GC), RelayJvm.classpathOfThisJvm(), from.file() + ":" + from.pos(),
                List.of("  max_connections: " + (st.readers() + 100)), List.of(), Duration.ofSeconds(60))) {
            say("scale: relay (pid %d, -Xmx%s, max_connections %d) from %s:%d; %d readers, %.0f tx/s for %.0f s",
                    relay.pid(), heap, st.readers() + 100, from.file(), from.pos(), st.readers(), st.rate(), st.seconds());
            FanOut.Target target = new FanOut.Target("relay", "127.0.0.1", relay.port(), RelayProcess.USER, RelayProcess.PASSWORD);
            Map<String, Object> r = measure(target, relay, relay.pid(), 500_000_000_000L, () -> null);
            if (Files.readString(relay.log()).contains("OutOfMemoryError")) {
                r.put("correct", false);
                r.put("problem", "OutOfMemoryError in " + relay.log());
            }
            runs.add(r);
        } finally {
            CatchUpBenchmark.deleteTree(store);
        }
        long pid = ctx.primaryPid();
        Map<String, Object> p = measure(ctx.primaryTarget(), null, pid, 500_100_000_000L, () -> primaryTooBig(pid, st));
        runs.add(p);
        for (Map<String, Object> r : runs) {
            if (!Boolean.TRUE.equals(r.get("correct")) && problem == null) {
                problem = r.get("server") + ": " + r.get("problem");
            }
        }
        return new ScenarioResult("scale", problem == null, problem, runs, Map.of(), ScaleReport.markdown(st, runs, heap, problem));
    }

    /**
     * One server: N readers to the tail, memory with them idle, the write window, then every reader checked. The
     * relay must hold all N; the primary is reported with what it held.
     */
    private Map<String, Object> measure(FanOut.Target target, RelayProcess relay, long pid, long firstId,
                                        Supplier<String> guard) throws Exception {
        Settings st = ctx.settings().scale();
        String server = relay != null ? "relay" : "primary";
        int warm = (int) st.rate();
        int count = warm + (int) (st.rate() * st.seconds());
        // one transaction before the readers' start, so that a relay replicating from the primary's end has stored something
        ctx.primary().execute(String.format(java.util.Locale.ROOT, "INSERT INTO %s (id, tag, pad, ts) VALUES (%d, 'scale', "
                + "'before the readers', %d)", PacedWriter.TABLE, firstId - 1, System.currentTimeMillis()));
        MariaDbServer.BinlogFilePos at = ctx.primary().binlogFilePos();
        if (relay != null) {
            relay.awaitStored(at.file() + ":" + at.pos(), Duration.ofSeconds(60));
        }
        Map<String, Object> r = row("server", server, "readers_asked", st.readers());
        long fdLimit = raiseFileLimit(pid, 2L * st.readers() + 4096);
        long base = System.nanoTime();
        long rss0 = JvmMemory.rssBytes(pid);
        long heap0 = relay != null ? JvmMemory.liveHeapBytes(pid) : -1;
        try (TailReaders readers = new TailReaders(SELECTOR_THREADS)) {
            long t0 = System.nanoTime();
            TailReaders.Opened opened = readers.open(target, at.file(), at.pos(), st.readers(),
                    relay != null ? 1_000_000 : 2_000_000, firstId, count, st.sampleEvery(), base, st.wave(), LOGIN_THREADS,
                    Duration.ofSeconds(60), guard);
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            String[] failure = {null};
            int dropped = readers.dropFailed(failure);
            if (dropped > 0) {
                opened = new TailReaders.Opened(readers.size(), opened.stoppedBecause() + "; " + dropped
                        + " connection(s) logged in but their dump failed: " + failure[0]);
            }
            say("scale %s: %d of %d readers at the tail in %.1f s%s", server, opened.readers(), st.readers(), openSeconds,
                    opened.stoppedBecause() == null ? "" : " (stopped: " + opened.stoppedBecause() + ")");
            long rssN = JvmMemory.rssBytes(pid);
            long heapN = relay != null ? JvmMemory.liveHeapBytes(pid) : -1;
            int threadsN = threads(pid);
            r.putAll(row("fd_limit", fdLimit, "readers_held", opened.readers(), "stopped_because", opened.stoppedBecause(),
                    "open_seconds", openSeconds, "heap_idle_bytes", heap0, "heap_readers_bytes", heapN,
                    "rss_idle_bytes", rss0, "rss_readers_bytes", rssN, "threads_readers", threadsN));
            say("scale %s: live heap %s, RSS %s -> %s, %d threads", server, relay != null ? BenchContext.mib(heapN) : "-",
                    BenchContext.mib(rss0), BenchContext.mib(rssN), threadsN);
            if (opened.readers() == 0) {
                r.putAll(row("correct", relay == null, "problem", "no reader reached the tail: " + opened.stoppedBecause()));
                return r;
            }
            ProcCpu.Sample cpu0 = ProcCpu.sample(pid);
            double bench0 = readers.readerCpuSeconds();
            PacedWriter writer = new PacedWriter(ctx.primary(), ctx.settings().writerConnections(), st.rate(), firstId, count);
            try {
                writer.run();
            } catch (IllegalStateException e) {
                r.putAll(row("correct", false, "problem", e.getMessage()));
                say("scale %s FAILED: %s", server, e.getMessage());
                return r;
            }
            int n = writer.committed();
            long drain0 = System.nanoTime();
            int incomplete = readers.awaitArrivals(n, Duration.ofSeconds(60 + 10 * (long) st.seconds()));
            double drain = (System.nanoTime() - drain0) / 1e9;
            double deliveryRate = (double) n * opened.readers() / ((System.nanoTime() - writer.sentNanos(0)) / 1e9);
            ProcCpu.Sample cpu = ProcCpu.sample(pid).minus(cpu0);
            double benchCpu = readers.readerCpuSeconds() - bench0;
            long rssAfter = JvmMemory.rssBytes(pid);
            long heapAfter = relay != null ? JvmMemory.liveHeapBytes(pid) : -1;
            String readerProblem = readers.firstProblem();
            readers.close();
            long[] missing = readers.missing(n);
            Percentiles lat = Percentiles.of(readers.sampledLatencies(warm, n, writer::sentNanos));
            String p = null;
            if (n < count) {
                p = "the writer committed " + n + " of " + count + " transactions";
            } else if (incomplete > 0 || missing[0] > 0 || readerProblem != null) {
                p = Math.max(incomplete, missing[0]) + " of " + opened.readers() + " readers missed " + missing[1]
                        + " transaction(s) in all" + (readerProblem == null ? "" : "; first problem: " + readerProblem);
            } else if (relay != null && opened.readers() < st.readers()) {
                p = "the relay held " + opened.readers() + " of " + st.readers() + " readers: " + opened.stoppedBecause();
            }
            r.putAll(row("transactions", n, "rate_achieved", writer.achievedRate(n), "late_share", writer.lateShare(n),
                    "readers_complete", opened.readers() - (int) missing[0], "sampled_readers", readers.sampledReaders(),
                    "samples", lat.samples(), "p50_ms", lat.p50(), "p99_ms", lat.p99(), "p999_ms", lat.p999(), "max_ms", lat.max(),
                    "drain_seconds", drain, "deliveries_per_s", deliveryRate, "cpu_user_s", cpu.user(), "cpu_system_s", cpu.system(), "bench_reader_cpu_s", benchCpu,
                    "rss_after_bytes", rssAfter, "heap_after_bytes", heapAfter, "correct", p == null, "problem", p));
            say("scale %s: %d tx at %.0f/s to %d readers; %d complete; latency p50/p99/p99.9/max %.1f/%.1f/%.1f/%.1f ms "
                            + "(%d samples of %d readers); drained %.1f s after the last commit (%.0f deliveries/s); CPU %.1f s "
                            + "user + %.1f s system, the bench's readers %.1f s%s",
                    server, n, writer.achievedRate(n), opened.readers(), opened.readers() - missing[0], lat.p50(), lat.p99(),
                    lat.p999(), lat.max(), lat.samples(), readers.sampledReaders(), drain, deliveryRate, cpu.user(), cpu.system(), benchCpu,
                    p == null ? "" : "; FAILED: " + p);
            return r;
        }
    }

    /**
     * The open-files limit of process {@code pid}, raised to {@code wanted} with prlimit(1) when it is lower and this
     * user may (root, or the hard limit allows it); what it is afterwards.
     */
    static long raiseFileLimit(long pid, long wanted) throws IOException, InterruptedException {
        long now = fileLimit(pid);
        if (now < wanted) {
            Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + wanted + ":" + wanted)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                say("scale: cannot raise the open-files limit of %d from %d to %d: %s", pid, now, wanted, out.trim());
            }
            now = fileLimit(pid);
        }
        return now;
    }

    private static long fileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no open-files limit in /proc/" + pid + "/limits");
    }

    /** Why the primary should take no more dump connections, or null. */
    private static String primaryTooBig(long pid, Settings st) {
        try {
            long rss = JvmMemory.rssBytes(pid);
            if (rss > st.primaryMaxRss()) {
                return "mariadbd's RSS " + BenchContext.mib(rss) + " passed the cap of " + BenchContext.mib(st.primaryMaxRss());
            }
            long fds;
            try (var open = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds = open.count();
            }
            long limit = fileLimit(pid);
            if (fds + 2L * st.wave() + FD_HEADROOM > limit) {
                return "another wave would leave mariadbd under " + FD_HEADROOM + " free file descriptors (" + fds
                        + " open, limit " + limit + "; a dump thread holds two: its socket and the binlog file), and a "
                        + "mariadbd out of them accepts no connection, not even the writer's";
            }
            long available = memAvailable();
            if (available < MIN_AVAILABLE) {
                return "the machine has only " + BenchContext.mib(available) + " available";
            }
            return null;
        } catch (IOException e) {
            return "cannot read mariadbd's memory: " + e.getMessage();
        }
    }

    static long memAvailable() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.substring(13).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no MemAvailable in /proc/meminfo");
    }

    static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        throw new IOException("no Threads in /proc/" + pid + "/status");
    }
}
