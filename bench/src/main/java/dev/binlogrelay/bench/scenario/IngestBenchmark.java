package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.bench.reader.ReaderConnection;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.MariaDbServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.binlogrelay.bench.scenario.BenchContext.say;
import static dev.binlogrelay.bench.scenario.ScenarioResult.row;

/**
 * Ingest: how fast the whole generated binlog gets stored from the primary, by a fresh relay (its own JVM, an empty
 * store, {@code start: earliest}; timed from process start, JVM start-up included, until its SHOW MASTER STATUS
 * equals the primary's, polled every 20 ms) vs a MariaDB replica's IO thread writing its relay log ({@code START
 * SLAVE IO_THREAD} from the first file at position 4, SQL thread stopped; timed until {@code Read_Master_Log_Pos}
 * reaches the end, polled every 20 ms). After each relay run one non-blocking dump of the new relay must deliver
 * the whole binlog.
 */
public record IngestBenchmark(BenchContext ctx, MariaDbServer replica) {
    public ScenarioResult run() throws Exception {
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        Duration timeout = Duration.ofSeconds(120 + ctx.expected().fileBytes() / 1_000_000);
        String end = ctx.end().file() + ":" + ctx.end().pos();
        // steady state: the files after the first, timed from the moment each writer first reports the second
        // file (the relay's JVM has then warmed up on the first file's events; the IO thread needs no warm-up)
        long firstFileBytes = Long.parseLong(ctx.primary().query("SHOW BINARY LOGS").get(0).get(1));
        long laterBytes = ctx.expected().fileBytes() - firstFileBytes;
        for (int rep = 1; rep <= ctx.repetitions(); rep++) {
            List<String> order = rep % 2 == 1 ? List.of("primary-io-thread", "relay") : List.of("relay", "primary-io-thread");
            for (String who : order) {
                String p = null;
                double seconds;
                double startup = Double.NaN;
                double[] secondFileAt = {Double.NaN};
                if (who.equals("relay")) {
                    Path data = ctx.settings().newStoreDir("binlog-relay-bench-ingest-");
                    long t0 = System.nanoTime();
                    List<String> jvm = new ArrayList<>(List.of("-Xmx" + ctx.settings().smallRelayHeap(), RelayProcess.GC));
                    if (ctx.settings().ingestJfr()) {
                        jvm.add("-XX:StartFlightRecording=settings=profile,filename="
                                + ctx.out().resolve("relay-ingest-" + rep + ".jfr"));
                    }
                    try (RelayProcess relay = RelayProcess.start(ctx.primary(), data, ctx.out(), "relay-ingest-" + rep, 9100 + rep,
                            jvm, Duration.ofSeconds(60))) {
                        startup = (System.nanoTime() - t0) / 1e9;
                        seconds = awaitRelay(relay, end, timeout, t0, secondFileAt);
                        if (Double.isNaN(seconds)) {
                            p = "relay did not store up to " + end + " within " + timeout;
                        } else {
                            p = checkDump(relay, rep);
                        }
                    } finally {
                        CatchUpBenchmark.deleteTree(data);
                    }
                } else {
                    seconds = ioThread(timeout, secondFileAt);
                    if (Double.isNaN(seconds)) {
                        p = "replica IO thread did not read up to " + end + " within " + timeout + ": " + replica.replicaStatus();
                    }
                }
                // after start-up: from the relay answering (its upstream dump is already under way by then, so this
                // slightly favours the relay) to caught up
                double afterStartup = Double.isNaN(startup) ? seconds : seconds - startup;
                double laterMbPerS = laterBytes / (seconds - secondFileAt[0]) / 1e6;
                runs.add(row("writer", who, "repetition", rep, "seconds", seconds, "mb_per_s",
                        ctx.expected().fileBytes() / seconds / 1e6, "relay_startup_s", startup,
                        "mb_per_s_after_startup", ctx.expected().fileBytes() / afterStartup / 1e6,
                        "mb_per_s_later_files", laterMbPerS, "correct", p == null, "problem", p));
                say("ingest %-17s run %d: %7.2f s, %7.1f MB/s (%.1f MB/s after start-up, %.1f MB/s over the files after the first)%s",
                        who, rep, seconds, ctx.expected().fileBytes() / seconds / 1e6, ctx.expected().fileBytes() / afterStartup / 1e6,
                        laterMbPerS, p == null ? "" : " FAILED: " + p);
                problem = problem != null ? problem : p;
            }
        }
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        s.put("relay_mb_per_s", ScenarioResult.median(runs, "mb_per_s", r -> "relay".equals(r.get("writer"))));
        s.put("io_thread_mb_per_s", ScenarioResult.median(runs, "mb_per_s", r -> "primary-io-thread".equals(r.get("writer"))));
        s.put("relay_s", ScenarioResult.median(runs, "seconds", r -> "relay".equals(r.get("writer"))));
        s.put("io_thread_s", ScenarioResult.median(runs, "seconds", r -> "primary-io-thread".equals(r.get("writer"))));
        s.put("relay_startup_s", ScenarioResult.median(runs, "relay_startup_s", r -> "relay".equals(r.get("writer"))));
        s.put("relay_mb_per_s_after_startup",
                ScenarioResult.median(runs, "mb_per_s_after_startup", r -> "relay".equals(r.get("writer"))));
        s.put("relay_mb_per_s_later_files", ScenarioResult.median(runs, "mb_per_s_later_files", r -> "relay".equals(r.get("writer"))));
        s.put("io_thread_mb_per_s_later_files",
                ScenarioResult.median(runs, "mb_per_s_later_files", r -> "primary-io-thread".equals(r.get("writer"))));
        s.put("ratio_later_files", (Double) s.get("relay_mb_per_s_later_files") / (Double) s.get("io_thread_mb_per_s_later_files"));
        s.put("ratio", (Double) s.get("relay_mb_per_s") / (Double) s.get("io_thread_mb_per_s"));
        s.put("ratio_after_startup", (Double) s.get("relay_mb_per_s_after_startup") / (Double) s.get("io_thread_mb_per_s"));
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### Ingest: storing the whole %s binlog from the primary%n%n",
                BenchContext.mib(ctx.expected().fileBytes())));
        md.append("A fresh relay (own JVM, `-Xmx").append(ctx.settings().smallRelayHeap()).append(' ').append(RelayProcess.GC).append("`, empty store) from process "
                + "start (JVM start-up included) until its `SHOW MASTER STATUS` equals the primary's, vs a MariaDB replica's IO "
                + "thread (`START SLAVE IO_THREAD`, SQL thread stopped) until `Read_Master_Log_Pos` reaches the end; median of ")
                .append(ctx.repetitions()).append(" run(s). ").append(problem == null
                        ? "Correctness: each relay then served the whole binlog to a non-blocking dump (events, bytes, fingerprint)."
                        : "FAILED: " + problem).append("\n\n");
        md.append("| writer | s | MB/s |\n|---|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| relay (start-up %.1f s included) | %.2f | %.0f |%n| MariaDB IO thread | %.2f | %.0f |%n",
                (Double) s.get("relay_startup_s"), (Double) s.get("relay_s"), (Double) s.get("relay_mb_per_s"),
                (Double) s.get("io_thread_s"), (Double) s.get("io_thread_mb_per_s")));
        if (laterBytes > 0) {
            md.append(String.format(Locale.ROOT, "| over the files after the first (%s; steady state) | relay %.0f MB/s | IO thread %.0f MB/s |%n",
                    BenchContext.mib(laterBytes), (Double) s.get("relay_mb_per_s_later_files"), (Double) s.get("io_thread_mb_per_s_later_files")));
        }
        String sync = RelayProcess.storageSync();
        md.append(String.format(Locale.ROOT, "%nRelay / IO thread throughput: %.2f× (target ≥ 1×); %.0f MB/s and %.2f× counted "
                + "from the relay answering, without its JVM start-up; %s. The relay ran with `storage.sync: %s`%s; the IO thread leaves its relay log to the page "
                + "cache (sync_relay_log=10000, MariaDB's default).%n", (Double) s.get("ratio"),
                (Double) s.get("relay_mb_per_s_after_startup"), (Double) s.get("ratio_after_startup"),
                laterBytes > 0 ? String.format(Locale.ROOT, "%.2f× over the files after the first, once the relay's JIT has "
                        + "warmed up", (Double) s.get("ratio_later_files")) : "the binlog is one file, so no steady-state figure", sync,
                sync.equals("every_transaction") ? " (each transaction fsynced before it is visible; group commit: an fsync "
                        + "as soon as the previous one ends)" : sync.equals("none") ? " (no fsync)" : " (group commit on an interval)"));
        return new ScenarioResult("ingest", problem == null, problem, runs, s, md.toString());
    }

    /** Seconds from {@code t0} until the relay stored up to {@code end}, or NaN on timeout. */
    private double awaitRelay(RelayProcess relay, String end, Duration timeout, long t0, double[] secondFileAt) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (ReaderConnection c = ReaderConnection.open("127.0.0.1", relay.port(), RelayProcess.USER, RelayProcess.PASSWORD, 0)) {
            while (System.nanoTime() < deadline) {
                var rows = c.query("SHOW MASTER STATUS").rows();
                if (!rows.isEmpty() && Double.isNaN(secondFileAt[0]) && !ctx.firstFile().equals(rows.get(0).get(0))) {
                    secondFileAt[0] = (System.nanoTime() - t0) / 1e9;
                }
                if (!rows.isEmpty() && end.equals(rows.get(0).get(0) + ":" + rows.get(0).get(1))) {
                    return (System.nanoTime() - t0) / 1e9;
                }
                Thread.sleep(20);
            }
        }
        return Double.NaN;
    }

    private double ioThread(Duration timeout, double[] secondFileAt) throws InterruptedException {
        replica.execute("STOP SLAVE", "RESET SLAVE ALL");
        replica.execute("CHANGE MASTER TO MASTER_HOST='" + ctx.primary().host() + "', MASTER_PORT=" + ctx.primary().port()
                + ", MASTER_USER='" + MariaDbServer.REPL_USER + "', MASTER_PASSWORD='" + MariaDbServer.REPL_PASSWORD
                + "', MASTER_USE_GTID=no, MASTER_LOG_FILE='" + ctx.firstFile() + "', MASTER_LOG_POS=4");
        long t0 = System.nanoTime();
        replica.execute("START SLAVE IO_THREAD");
        long deadline = t0 + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Map<String, String> st = replica.replicaStatus();
                if (Double.isNaN(secondFileAt[0]) && st.get("Master_Log_File") != null && !st.get("Master_Log_File").isEmpty()
                        && !ctx.firstFile().equals(st.get("Master_Log_File"))) {
                    secondFileAt[0] = (System.nanoTime() - t0) / 1e9;
                }
                if (ctx.end().file().equals(st.get("Master_Log_File"))
                        && Long.toString(ctx.end().pos()).equals(st.get("Read_Master_Log_Pos"))) {
                    return (System.nanoTime() - t0) / 1e9;
                }
                if (!"0".equals(st.getOrDefault("Last_IO_Errno", "0"))) {
                    return Double.NaN;
                }
                Thread.sleep(20);
            }
            return Double.NaN;
        } finally {
            replica.execute("STOP SLAVE", "RESET SLAVE ALL");
        }
    }

    private String checkDump(RelayProcess relay, int rep) throws Exception {
        FanOut.Target t = new FanOut.Target("relay-ingest", "127.0.0.1", relay.port(), RelayProcess.USER, RelayProcess.PASSWORD);
        try (FanOut f = FanOut.connect(t, 1, 1, 0)) {
            FanOut.Outcome o = f.stream(ctx.firstFile(), ReaderConnection.DUMP_NON_BLOCK, 70_000 + rep, 1, true,
                    Duration.ofSeconds(60 + ctx.expected().fileBytes() / 10_000_000));
            String p = ctx.expected().check(o.readers().get(0).tally());
            return p == null ? null : "dump of the ingesting relay: " + p;
        }
    }
}
