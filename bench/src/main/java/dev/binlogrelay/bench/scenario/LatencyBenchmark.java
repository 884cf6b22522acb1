package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.live.PacedWriter;
import dev.binlogrelay.bench.live.Percentiles;
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
 * Live latency: a {@link PacedWriter} commits at a steady rate on the primary while two raw readers in this JVM
 * hold blocking dumps from the binlog's end, one through the relay and one directly on the primary, so both see
 * the same transactions at the same time. A transaction's latency at a reader is the time from the start of its
 * commit call to the arrival of its rows event ({@link System#nanoTime()} on both sides, same JVM); the first
 * second is left out as warm-up. "Added" is the relay reader's percentile minus the direct reader's; the
 * per-transaction difference (relay arrival minus direct arrival) is reported too.
 */
public record LatencyBenchmark(BenchContext ctx) {
    public ScenarioResult run() throws Exception {
        BenchContext.Settings st = ctx.settings();
        PacedWriter.createTable(ctx.primary());
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        int warm = (int) st.latencyRate();
        int count = warm + (int) (st.latencyRate() * st.latencySeconds());
        for (int rep = 1; rep <= ctx.repetitions(); rep++) {
            long firstId = 1 + (rep - 1) * 100_000_000L;
            MariaDbServer.BinlogFilePos end = ctx.primary().binlogFilePos();
            ctx.relay().awaitStored(end.file() + ":" + end.pos(), Duration.ofSeconds(60));
            long[] viaRelay = new long[count];
            long[] direct = new long[count];
            PacedWriter writer = new PacedWriter(ctx.primary(), st.writerConnections(), st.latencyRate(), firstId, count);
            String p = null;
            try (LiveReader r = new LiveReader("relay", ctx.relayTarget(), end.file(), end.pos(), 400_001 + rep, viaRelay, firstId, -1);
                 LiveReader d = new LiveReader("primary", ctx.primaryTarget(), end.file(), end.pos(), 400_501 + rep, direct, firstId, -1)) {
                r.awaitStarted(Duration.ofSeconds(30));
                d.awaitStarted(Duration.ofSeconds(30));
                writer.run();
                int n = writer.committed();
                for (LiveReader x : List.of(r, d)) {
                    if (!x.awaitArrivals(n, Duration.ofSeconds(30))) {
                        p = p != null ? p : x.name() + " reader got " + x.arrived() + " of " + n + " transactions"
                                + (x.problem() == null ? "" : ": " + x.problem());
                    }
                }
                if (n < count) {
                    p = p != null ? p : "the writer committed " + n + " of " + count + " transactions";
                }
                if (p == null) {
                    long[] lr = new long[n - warm];
                    long[] ld = new long[n - warm];
                    long[] diff = new long[n - warm];
                    long[] commit = new long[n - warm];
                    for (int i = warm; i < n; i++) {
                        lr[i - warm] = viaRelay[i] - writer.sentNanos(i);
                        ld[i - warm] = direct[i] - writer.sentNanos(i);
                        diff[i - warm] = viaRelay[i] - direct[i];
                        commit[i - warm] = writer.ackedNanos(i) - writer.sentNanos(i);
                    }
                    Percentiles pr = Percentiles.of(lr);
                    Percentiles pd = Percentiles.of(ld);
                    Percentiles pdiff = Percentiles.of(diff);
                    Percentiles pc = Percentiles.of(commit);
                    runs.add(row("repetition", rep, "transactions", n - warm, "rate_target", st.latencyRate(),
                            "rate_achieved", writer.achievedRate(n), "late_share", writer.lateShare(n),
                            "relay_p50_ms", pr.p50(), "relay_p99_ms", pr.p99(), "relay_p999_ms", pr.p999(), "relay_max_ms", pr.max(),
                            "direct_p50_ms", pd.p50(), "direct_p99_ms", pd.p99(), "direct_p999_ms", pd.p999(), "direct_max_ms", pd.max(),
                            "added_p50_ms", pr.p50() - pd.p50(), "added_p99_ms", pr.p99() - pd.p99(), "added_p999_ms", pr.p999() - pd.p999(),
                            "diff_p50_ms", pdiff.p50(), "diff_p99_ms", pdiff.p99(), "diff_p999_ms", pdiff.p999(),
                            "commit_call_p50_ms", pc.p50(), "commit_call_p99_ms", pc.p99(), "correct", true, "problem", null));
                    say("latency run %d: %d tx at %.0f/s (%.1f%% late >1 ms): relay p50/p99/p99.9 %.2f/%.2f/%.2f ms, direct %.2f/%.2f/%.2f ms, "
                                    + "added p99 %.2f ms", rep, n - warm, writer.achievedRate(n), 100 * writer.lateShare(n),
                            pr.p50(), pr.p99(), pr.p999(), pd.p50(), pd.p99(), pd.p999(), pr.p99() - pd.p99());
                }
            }
            if (p != null) {
                runs.add(row("repetition", rep, "correct", false, "problem", p));
                say("latency run %d FAILED: %s", rep, p);
                problem = problem != null ? problem : p;
            }
        }
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        for (String k : List.of("rate_achieved", "late_share", "relay_p50_ms", "relay_p99_ms", "relay_p999_ms", "direct_p50_ms",
                "direct_p99_ms", "direct_p999_ms", "added_p50_ms", "added_p99_ms", "added_p999_ms", "diff_p50_ms",
                "diff_p99_ms", "diff_p999_ms", "commit_call_p50_ms")) {
            s.put(k, ScenarioResult.median(runs, k, r -> Boolean.TRUE.equals(r.get("correct"))));
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### Live latency at %.0f transactions/s%n%n", st.latencyRate()));
        md.append(String.format(Locale.ROOT, "An open-loop writer (%d connections; transaction i due at start + i/rate, "
                        + "one autocommitted INSERT each) commits for %.0f s (+1 s warm-up, not counted); two raw readers in the "
                        + "bench JVM hold blocking dumps at the tail at the same time, one through the relay, one on the primary. "
                        + "Latency = start of the commit call to arrival of the transaction's rows event at the reader "
                        + "(same clock); median over %d run(s) of each run's percentile. Achieved rate %.0f/s, %.1f%% of commits "
                        + "went out more than 1 ms late; the commit call itself took %.2f ms (p50). ",
                st.writerConnections(), st.latencySeconds(), ctx.repetitions(), (Double) s.get("rate_achieved"),
                100 * (Double) s.get("late_share"), (Double) s.get("commit_call_p50_ms")));
        md.append(problem == null ? "Correctness: both readers received every transaction." : "FAILED: " + problem).append("\n\n");
        md.append("| reader | p50 ms | p99 ms | p99.9 ms |\n|---|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| through the relay | %.2f | %.2f | %.2f |%n", (Double) s.get("relay_p50_ms"),
                (Double) s.get("relay_p99_ms"), (Double) s.get("relay_p999_ms")));
        md.append(String.format(Locale.ROOT, "| directly on the primary | %.2f | %.2f | %.2f |%n", (Double) s.get("direct_p50_ms"),
                (Double) s.get("direct_p99_ms"), (Double) s.get("direct_p999_ms")));
        md.append(String.format(Locale.ROOT, "| added by the relay (difference of percentiles; target p99 ≤ 2 ms) | %.2f | %.2f | %.2f |%n",
                (Double) s.get("added_p50_ms"), (Double) s.get("added_p99_ms"), (Double) s.get("added_p999_ms")));
        md.append(String.format(Locale.ROOT, "| per transaction, relay arrival − direct arrival | %.2f | %.2f | %.2f |%n",
                (Double) s.get("diff_p50_ms"), (Double) s.get("diff_p99_ms"), (Double) s.get("diff_p999_ms")));
        return new ScenarioResult("latency", problem == null, problem, runs, s, md.toString());
    }
}
