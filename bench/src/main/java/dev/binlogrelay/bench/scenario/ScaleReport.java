package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.setup.RelayProcess;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The RESULTS.md section of {@link ScaleBenchmark}: one row per server (the relay, then the primary). */
final class ScaleReport {
    private ScaleReport() {
    }

    static String markdown(ScaleBenchmark.Settings st, List<Map<String, Object>> runs, String heap, String problem) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### Scale: %,d readers at the tail, %.0f transactions/s%n%n", st.readers(), st.rate()));
        md.append(String.format(Locale.ROOT, "%,d raw readers in the bench's JVM (2 selector threads; logins on 16 threads "
                        + "in waves of %d) hold blocking dumps at the tail of one relay (`-Xmx%s %s`, "
                        + "`downstream.max_connections: %d`, replicating from the primary's end), then an open-loop writer "
                        + "commits %.0f transactions/s on the primary for %.0f s (+1 s warm-up, not counted). Every reader must "
                        + "receive every transaction (checked on all readers); latency = start of the commit call to the read "
                        + "that brought the transaction's rows event, pooled over every %d-th reader. Then the same on the "
                        + "primary with `max_connections` above N: the opening stops at the first refused or unanswered connection, "
                        + "when another wave would leave mariadbd under 256 free file descriptors (a dump thread holds two), "
                        + "when its RSS passes %s or the machine has under 3 GiB available. The writer's achieved rate and "
                        + "its share of commits sent more than 1 ms late are in the table: latency counts from the commit "
                        + "call's start, so a server that slows the writer down shows it there, not in the latency. Live heap after a full GC "
                        + "(`jcmd GC.class_histogram`); RSS and threads from /proc; CPU seconds of the server from the "
                        + "first commit until the last reader had everything; deliveries/s = readers × transactions / that time. "
                        + "The bench's readers run on the same cores as the servers. ",
                st.readers(), st.wave(), heap, RelayProcess.GC, st.readers() + 100, st.rate(), st.seconds(),
                st.sampleEvery(), BenchContext.mib(st.primaryMaxRss())));
        md.append(problem == null ? "Correctness: every reader held received every transaction." : "FAILED: " + problem);
        md.append("\n\n| server | readers held | live heap with them | RSS idle → with them | threads | transactions | writer tx/s (late) "
                + "| complete readers | p50 ms | p99 ms | p99.9 ms | max ms | drained after last commit | deliveries/s | server CPU s (user + sys) | bench readers' CPU s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : runs) {
            long heapN = num(r, "heap_readers_bytes").longValue();
            md.append(String.format(Locale.ROOT, "| %s | %,d of %,d%s | %s | %s → %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.get("server"), num(r, "readers_held").intValue(), num(r, "readers_asked").intValue(),
                    String.format(Locale.ROOT, " (open-files limit %,d)", num(r, "fd_limit").longValue())
                            + (r.get("stopped_because") == null ? "" : " (" + r.get("stopped_because") + ")"),
                    heapN < 0 ? "–" : BenchContext.mib(heapN),
                    BenchContext.mib(num(r, "rss_idle_bytes").longValue()), BenchContext.mib(num(r, "rss_readers_bytes").longValue()),
                    num(r, "threads_readers").intValue(), text(r, "transactions", "%,.0f"),
                    r.get("rate_achieved") == null ? "–" : String.format(Locale.ROOT, "%.0f (%.0f%%)",
                            num(r, "rate_achieved").doubleValue(), 100 * num(r, "late_share").doubleValue()),
                    text(r, "readers_complete", "%,.0f"),
                    text(r, "p50_ms", "%.1f"), text(r, "p99_ms", "%.1f"), text(r, "p999_ms", "%.1f"), text(r, "max_ms", "%.1f"),
                    text(r, "drain_seconds", "%.1f s"), text(r, "deliveries_per_s", "%,.0f"),
                    r.get("cpu_user_s") == null ? "–" : String.format(Locale.ROOT, "%.1f + %.1f", num(r, "cpu_user_s").doubleValue(),
                            num(r, "cpu_system_s").doubleValue()), text(r, "bench_reader_cpu_s", "%.1f")));
        }
        return md.toString();
    }

    private static Number num(Map<String, Object> r, String key) {
        return r.get(key) instanceof Number n ? n : Double.NaN;
    }

    private static String text(Map<String, Object> r, String key, String format) {
        return r.get(key) instanceof Number n ? String.format(Locale.ROOT, format, n.doubleValue()) : "–";
    }
}
