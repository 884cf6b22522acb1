package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.live.PacedWriter;
import dev.binlogrelay.bench.live.Percentiles;
import dev.binlogrelay.bench.reader.BinlogFiles;
import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.bench.reader.LiveReader;
import dev.binlogrelay.testkit.MariaDbServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.binlogrelay.bench.scenario.BenchContext.say;
import static dev.binlogrelay.bench.scenario.ScenarioResult.row;

/**
 * A reader far behind must not hurt the readers at the tail. K raw readers hold blocking dumps at the relay's tail
 * while a {@link PacedWriter} commits at a steady rate, in three windows: A, tail readers only ({@code phase}
 * seconds); B, one more reader dumps from the first binlog file at position 4 (the whole generated binlog
 * behind: ~1 GiB in full mode) until it holds every event up to where the binlog ended when it started, checked
 * against the primary's files (count, bytes, fingerprint of the CRC32s); C, tail readers only again. Per window:
 * the tail readers' commit-to-arrival percentiles (all K pooled) and the relay's hot-tail cache hits and misses
 * ({@code binlog_relay_cache_hits_total}/{@code _misses_total} from its Prometheus endpoint). The behind reader's
 * own reads count in B; A and C show whether the tail is still served from the cache.
 */
public record BehindReaderBenchmark(BenchContext ctx) {
    public ScenarioResult run() throws Exception {
        BenchContext.Settings st = ctx.settings();
        PacedWriter.createTable(ctx.primary());
        int k = st.tailReaders();
        long phaseNanos = (long) (st.behindPhaseSeconds() * 1e9);
        Duration behindTimeout = Duration.ofSeconds(60 + ctx.expected().fileBytes() / 5_000_000);
        int count = (int) (st.behindRate() * (2 * st.behindPhaseSeconds() + 1 + behindTimeout.toSeconds()));
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        for (int rep = 1; rep <= ctx.repetitions(); rep++) {
            // the same scenario on the primary itself, alternating which goes first: what a reader catching up costs
            // the tail readers on this machine when MariaDB's own dump threads serve them all
            List<Boolean> order = rep % 2 == 1 ? List.of(true, false) : List.of(false, true);
            for (boolean onRelay : order) {
                String p = runOnce(rep, onRelay, k, phaseNanos, behindTimeout, count, runs);
                problem = problem != null ? problem : p;
            }
        }
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        for (String key : List.of("behind_bytes", "behind_seconds", "behind_mb_per_s", "rate_achieved", "late_share",
                "a_p50_ms", "a_p99_ms", "a_p999_ms", "b_p50_ms", "b_p99_ms", "b_p999_ms", "b_samples", "c_p50_ms",
                "c_p99_ms", "c_p999_ms", "a_hit_ratio", "b_hit_ratio", "c_hit_ratio", "b_hits", "b_misses")) {
            s.put(key, ScenarioResult.median(runs, key, x -> "relay".equals(x.get("server"))));
            s.put("primary_" + key, ScenarioResult.median(runs, key, x -> "primary".equals(x.get("server"))));
        }
        return new ScenarioResult("behind", problem == null, problem, runs, s, markdown(s, problem, k));
    }

    /** One repetition against the relay or the primary; adds its row to {@code runs}; returns the problem or null. */
    private String runOnce(int rep, boolean onRelay, int k, long phaseNanos, Duration behindTimeout, int count,
                           List<Map<String, Object>> runs) throws Exception {
        BenchContext.Settings st = ctx.settings();
        long firstId = 500_000_000_000L + (2L * (rep - 1) + (onRelay ? 0 : 1)) * 100_000_000L;
        MariaDbServer.BinlogFilePos end = ctx.primary().binlogFilePos();
        ctx.relay().awaitStored(end.file() + ":" + end.pos(), Duration.ofSeconds(60));
        FanOut.Target target = onRelay ? ctx.relayTarget() : ctx.primaryTarget();
        String who = onRelay ? "relay" : "primary";
        List<long[]> arrivals = new ArrayList<>();
        List<LiveReader> tail = new ArrayList<>();
        PacedWriter writer = new PacedWriter(ctx.primary(), st.writerConnections(), st.behindRate(), firstId, count);
        String p = null;
        Thread writing = null;
        Throwable[] writerFailure = new Throwable[1];
        LiveReader behind = null;
        try {
            for (int i = 0; i < k; i++) {
                long[] a = new long[count];
                arrivals.add(a);
                tail.add(new LiveReader("tail reader " + i, target, end.file(), end.pos(), 410_000 + rep * 100 + (onRelay ? 0 : 50) + i,
                        a, firstId, -1));
            }
            for (LiveReader r : tail) {
                r.awaitStarted(Duration.ofSeconds(30));
            }
            double[] m0 = cache(onRelay);
            long t0 = System.nanoTime();
            writing = new Thread(() -> {
                try {
                    writer.run();
                } catch (Throwable e) {
                    writerFailure[0] = e;
                }
            }, "bench-behind-writer");
            writing.start();
            Thread.sleep(phaseNanos / 1_000_000 + 1000); // window A (and the writer's warm-up second)
            long tA = System.nanoTime();
            double[] mA = cache(onRelay);
            MariaDbServer.BinlogFilePos bound = ctx.primary().binlogFilePos();
            List<String> files = ctx.primary().binlogFiles();
            files = files.subList(files.indexOf(ctx.firstFile()), files.indexOf(bound.file()) + 1);
            BinlogFiles.Expected expected = BinlogFiles.expected(ctx.primary().binlogDir(), files, false, bound.pos());
            behind = new LiveReader("behind reader", target, ctx.firstFile(), 4, 420_000 + rep * 2 + (onRelay ? 0 : 1), null, 0,
                    expected.eventBytes());
            long tB0 = System.nanoTime();
            boolean reached = behind.awaitBound(behindTimeout);
            long tB = System.nanoTime();
            double[] mB = cache(onRelay);
            String bp = reached ? behind.check(expected) : "did not reach " + bound + " within " + behindTimeout
                    + " (" + behind.realEventBytes() + " of " + expected.eventBytes() + " bytes)"
                    + (behind.problem() == null ? "" : ": " + behind.problem());
            if (bp != null) {
                p = "behind reader: " + bp;
            }
            double behindSeconds = (behind.boundNanos() - behind.startNanos()) / 1e9;
            behind.close();
            behind = null;
            Thread.sleep(phaseNanos / 1_000_000);
            long tC = System.nanoTime();
            double[] mC = cache(onRelay);
            writer.stop();
            writing.join(60_000);
            if (writerFailure[0] != null) {
                throw new IllegalStateException("writer failed: " + writerFailure[0], writerFailure[0]);
            }
            int n = writer.committed();
            for (LiveReader r : tail) {
                if (!r.awaitArrivals(n, Duration.ofSeconds(30)) && p == null) {
                    p = r.name() + " got " + r.arrived() + " of " + n + " transactions"
                            + (r.problem() == null ? "" : ": " + r.problem());
                }
            }
            int warm = (int) st.behindRate();
            Percentiles a = window(writer, arrivals, warm, n, t0, tA);
            Percentiles b = window(writer, arrivals, warm, n, tB0, tB);
            Percentiles c = window(writer, arrivals, warm, n, tB, tC);
            Map<String, Object> r = row("server", who, "repetition", rep, "tail_readers", k, "rate_target", st.behindRate(),
                    "rate_achieved", writer.achievedRate(n), "late_share", writer.lateShare(n),
                    "behind_bytes", expected.fileBytes(), "behind_seconds", behindSeconds,
                    "behind_mb_per_s", expected.fileBytes() / behindSeconds / 1e6,
                    "a_p50_ms", a.p50(), "a_p99_ms", a.p99(), "a_p999_ms", a.p999(), "a_samples", a.samples(),
                    "b_p50_ms", b.p50(), "b_p99_ms", b.p99(), "b_p999_ms", b.p999(), "b_samples", b.samples(),
                    "c_p50_ms", c.p50(), "c_p99_ms", c.p99(), "c_p999_ms", c.p999(), "c_samples", c.samples(),
                    "a_hits", mA[0] - m0[0], "a_misses", mA[1] - m0[1], "a_hit_ratio", ratio(m0, mA),
                    "b_hits", mB[0] - mA[0], "b_misses", mB[1] - mA[1], "b_hit_ratio", ratio(mA, mB),
                    "c_hits", mC[0] - mB[0], "c_misses", mC[1] - mB[1], "c_hit_ratio", ratio(mB, mC),
                    "correct", p == null, "problem", p);
            runs.add(r);
            say("behind %-7s run %d: behind reader %s in %.2f s (%.0f MB/s); tail p99 A/B/C %.2f/%.2f/%.2f ms (%d/%d/%d samples); "
                            + "cache hit ratio A/B/C %.3f/%.3f/%.3f%s", who, rep, BenchContext.mib(expected.fileBytes()),
                    behindSeconds, expected.fileBytes() / behindSeconds / 1e6, a.p99(), b.p99(), c.p99(), a.samples(),
                    b.samples(), c.samples(), ratio(m0, mA), ratio(mA, mB), ratio(mB, mC), p == null ? "" : "; FAILED: " + p);
        } finally {
            writer.stop();
            if (writing != null) {
                writing.join(60_000);
            }
            if (behind != null) {
                behind.close();
            }
            tail.forEach(LiveReader::close);
        }
        return p;
    }

    private String markdown(Map<String, Object> s, String problem, int k) {
        BenchContext.Settings st = ctx.settings();
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### A reader %s behind while %d readers stay at the tail%n%n",
                BenchContext.mib(((Double) s.get("behind_bytes")).longValue()), k));
        md.append(String.format(Locale.ROOT, "%d raw readers hold blocking dumps at the relay's tail while a writer commits "
                        + "%.0f transactions/s (achieved %.0f/s); window A (%.0f s): tail readers only; B: one more reader dumps "
                        + "the whole binlog from its first event up to where it ended when the reader started (%.2f s, %.0f MB/s); "
                        + "C (%.0f s): tail readers only again. Tail latency = commit call to arrival, all tail readers pooled; "
                        + "cache = increases of `binlog_relay_cache_hits_total`/`_misses_total` in the window (B counts the "
                        + "behind reader's reads too); median of %d run(s). The same runs on the primary itself (all "
                        + "readers on MariaDB's dump threads; behind reader at %.0f MB/s) show what a catch-up costs the tail "
                        + "readers on this machine without the relay. ",
                k, st.behindRate(), (Double) s.get("rate_achieved"), st.behindPhaseSeconds(), (Double) s.get("behind_seconds"),
                (Double) s.get("behind_mb_per_s"), st.behindPhaseSeconds(), ctx.repetitions(),
                (Double) s.get("primary_behind_mb_per_s")));
        md.append(problem == null ? "Correctness: the behind reader got exactly the primary's events (count, bytes, "
                + "fingerprint of their CRC32s); every tail reader got every transaction." : "FAILED: " + problem).append("\n\n");
        md.append("| window | relay: tail p50 ms | p99 ms | p99.9 ms | cache hit ratio | primary: tail p50 ms | p99 ms | p99.9 ms |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String w : List.of("a", "b", "c")) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f | %.2f |%n",
                    switch (w) {
                        case "a" -> "A: before (tail only)";
                        case "b" -> "B: during the catch-up";
                        default -> "C: after (tail only)";
                    }, (Double) s.get(w + "_p50_ms"), (Double) s.get(w + "_p99_ms"), (Double) s.get(w + "_p999_ms"),
                    (Double) s.get(w + "_hit_ratio"), (Double) s.get("primary_" + w + "_p50_ms"),
                    (Double) s.get("primary_" + w + "_p99_ms"), (Double) s.get("primary_" + w + "_p999_ms")));
        }
        return md.toString();
    }

    /** Tail latencies (all readers) of transactions whose commit call started in [from, to), after the warm-up. */
    private static Percentiles window(PacedWriter w, List<long[]> arrivals, int warm, int n, long from, long to) {
        List<Long> v = new ArrayList<>();
        for (int i = warm; i < n; i++) {
            long sent = w.sentNanos(i);
            if (sent >= from && sent < to) {
                for (long[] a : arrivals) {
                    if (a[i] != 0) {
                        v.add(a[i] - sent);
                    }
                }
            }
        }
        return Percentiles.of(v.stream().mapToLong(Long::longValue).toArray());
    }

    /** {hits, misses} of the relay's hot-tail cache so far; NaN on the primary (no such cache). */
    private double[] cache(boolean onRelay) throws java.io.IOException {
        if (!onRelay) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {ctx.relay().metric("binlog_relay_cache_hits_total"),
                ctx.relay().metric("binlog_relay_cache_misses_total")};
    }

    private static double ratio(double[] before, double[] after) {
        double h = after[0] - before[0];
        double m = after[1] - before[1];
        return h + m == 0 ? Double.NaN : h / (h + m);
    }
}
