package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.canal.CanalClients;
import dev.binlogrelay.bench.canal.CanalRates;
import dev.binlogrelay.bench.canal.CanalServerMain;
import dev.binlogrelay.bench.canal.CanalServerProcess;
import dev.binlogrelay.bench.canal.CanalWorkload;
import dev.binlogrelay.bench.measure.ProcCpu;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.FreePorts;
import dev.binlogrelay.testkit.RelayJvm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.binlogrelay.bench.scenario.BenchContext.say;
import static dev.binlogrelay.bench.scenario.ScenarioResult.row;

/**
 * Canal clients (issue 13): row changes per second delivered to 1 and to 8 stock {@code canal.client} 1.1.8 clients
 * ({@code getWithoutAck} + {@code ack}, {@code --canal-batch} entries a batch), through the relay vs a real Canal
 * server (canal.server 1.1.7, {@link CanalServerMain} in its own JVM), both reading the same {@link CanalWorkload}
 * on the primary. Each client has a destination of its own ({@code bench0..}): the stock client is always client
 * 1001, and Canal's destinations are its independent consumers (each a replica connection of its own on Canal's
 * side; on the relay's, one upstream connection and a cursor per destination).
 *
 * <p>The relay is a fresh one (its own JVM and store) replicating from the workload's start with a {@code canal:}
 * section of 8 destinations ({@code start: earliest}); it has stored the whole workload before the clients connect,
 * so its runs measure decoding and serving from the store. Its clients unsubscribe at the end of a run (forgetting
 * their cursors), so the next run starts at the earliest event again. One Canal server serves the whole scenario
 * with 9 destinations per repetition, each used by one run only; a run's destinations are started (each connects
 * to the primary and parses its binlog from the workload's start) just before its clients connect, and stopped
 * after the run (freeing its memory store). Both servers are thus as
 * warm in each run: cold in the first, warmed by the earlier runs in the later ones. The clock and the CPU samples
 * start when every client has subscribed and stop when the last client has every row change. A run is correct
 * when every client received exactly the workload's row changes.
 */
public record CanalBenchmark(BenchContext ctx) {
    private static final List<String> JVM = List.of("-Xmx1g", RelayProcess.GC);

    public ScenarioResult run() throws Exception {
        List<Integer> clients = ctx.settings().canalClients();
        CanalWorkload w = CanalWorkload.write(ctx.primary(), ctx.settings().canalInserts(), 42);
        say("canal: %,d row changes written on the primary (%s:%d .. %s:%d)", w.rows(), w.start().file(), w.start().pos(),
                w.end().file(), w.end().pos());
        ctx.primary().execute("CREATE USER IF NOT EXISTS 'canal'@'%' IDENTIFIED BY 'canal'",
                "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO 'canal'@'%'");
        int batch = ctx.settings().canalBatch();
        Duration timeout = Duration.ofSeconds(120 + w.rows() / 2_000);
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        int canalPort = FreePorts.find();
        List<String> canalYaml = new ArrayList<>(List.of("canal:", "  listen: 127.0.0.1:" + canalPort, "  destinations:"));
        for (int i = 0; i < 8; i++) {
            canalYaml.addAll(List.of("    - name: bench" + i, "      start: earliest"));
        }
        Path store = ctx.settings().newStoreDir("binlog-relay-bench-canal-");
        String classpath = RelayJvm.classpathOfThisJvm();
        try (RelayProcess relay = RelayProcess.start(ctx.primary(), store, ctx.out(), "relay-canal", 9301, JVM, classpath,
                w.start().file() + ":" + w.start().pos(), canalYaml, Duration.ofSeconds(60))) {
            relay.awaitStored(w.end().file() + ":" + w.end().pos(), timeout);
            int perRep = clients.stream().mapToInt(Integer::intValue).sum();
            try (CanalServerProcess canal = CanalServerProcess.start(ctx.primary(), "canal", "canal", w.start().file(),
                    w.start().pos(), perRep * ctx.repetitions(), CanalWorkload.FILTER, classpath, JVM,
                    ctx.out().resolve("canal-server.log"), Duration.ofSeconds(90))) {
                int canalNext = 0;
                for (int rep = 1; rep <= ctx.repetitions(); rep++) {
                    for (int n : clients) {
                        Map<String, Object> r = measure("relay", relay.pid(), canalPort, 0, n, w, batch, timeout, true, rep);
                        runs.add(r);
                        problem = problem != null ? problem : (String) r.get("problem");
                        canal.startDestinations(canalNext, n, Duration.ofSeconds(60));
                        r = measure("canal", canal.pid(), canal.port(), canalNext, n, w, batch, timeout, false, rep);
                        canal.stopDestinations(canalNext, n, Duration.ofSeconds(60));
                        canalNext += n;
                        runs.add(r);
                        problem = problem != null ? problem : (String) r.get("problem");
                    }
                }
            }
        } finally {
            CatchUpBenchmark.deleteTree(store);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("row_changes", w.rows());
        summary.put("batch", batch);
        for (int n : clients) {
            for (String server : List.of("relay", "canal")) {
                summary.put(server + "_" + n + "_rows_per_s", ScenarioResult.median(runs, "rows_per_s", r -> is(r, server, n)));
                summary.put(server + "_" + n + "_cpu_s_per_m_rows", ScenarioResult.median(runs, "cpu_s_per_m_rows", r -> is(r, server, n)));
                summary.put(server + "_" + n + "_primary_cpu_s", ScenarioResult.median(runs, "primary_cpu_s", r -> is(r, server, n)));
            }
            summary.put("ratio_" + n + "_rows_per_s", CanalRates.ratio((Double) summary.get("relay_" + n + "_rows_per_s"),
                    (Double) summary.get("canal_" + n + "_rows_per_s")));
            summary.put("ratio_" + n + "_cpu_per_row", CanalRates.ratio((Double) summary.get("relay_" + n + "_cpu_s_per_m_rows"),
                    (Double) summary.get("canal_" + n + "_cpu_s_per_m_rows")));
        }
        return new ScenarioResult("canal", problem == null, problem, runs, summary, markdown(summary, problem));
    }

    private static boolean is(Map<String, Object> r, String server, int n) {
        return server.equals(r.get("server")) && Integer.valueOf(n).equals(r.get("clients"));
    }

    private Map<String, Object> measure(String server, long pid, int port, int first, int n, CanalWorkload w, int batch,
                                        Duration timeout, boolean unsubscribe, int rep) throws Exception {
        double[] cpu0 = new double[2];
        CanalClients.Outcome o = CanalClients.run(port, first, n, CanalWorkload.FILTER, batch, w.rows(), timeout, unsubscribe, () -> {
            cpu0[0] = ProcCpu.seconds(pid);
            cpu0[1] = ProcCpu.seconds(ctx.primaryPid());
        });
        double cpu = ProcCpu.seconds(pid) - cpu0[0];
        double primaryCpu = ProcCpu.seconds(ctx.primaryPid()) - cpu0[1];
        CanalRates.Run run = new CanalRates.Run(server, n, o.totalRows(), o.seconds(), cpu);
        say("canal %-5s %d client(s) run %d: %,d rows in %.2f s = %,.0f rows/s, %.2f CPU s (%.2f per million rows)%s",
                server, n, rep, o.totalRows(), o.seconds(), run.rowsPerSecond(), cpu, run.cpuSecondsPerMillionRows(),
                o.problem() == null ? "" : " FAILED: " + o.problem());
        return row("server", server, "clients", n, "repetition", rep, "rows", o.totalRows(), "seconds", o.seconds(),
                "rows_per_s", run.rowsPerSecond(), "cpu_s", cpu, "cpu_s_per_m_rows", run.cpuSecondsPerMillionRows(),
                "primary_cpu_s", primaryCpu, "correct", o.problem() == null,
                "problem", o.problem() == null ? null : server + " with " + n + " client(s): " + o.problem());
    }

    private String markdown(Map<String, Object> s, String problem) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### Canal clients: %,d row changes to 1 and 8 clients, relay vs Canal 1.1.7%n%n",
                (Long) s.get("row_changes")));
        md.append("Stock `canal.client` 1.1.8 clients (`getWithoutAck(").append(s.get("batch")).append(")` + `ack`), one "
                + "destination each, through the relay (the workload stored beforehand) and from a real Canal server "
                + "(`canal.server` 1.1.7 with `CanalServerWithNetty`, its own JVM, one instance per destination reading "
                + "the primary; both JVMs `" + String.join(" ", JVM) + "`); the same MariaDB primary (`binlog_row_metadata=FULL`), rows of `canalbench.t` (integers, "
                + "DECIMAL, DOUBLE, utf8mb4 VARCHAR, DATETIME(3), ENUM, BLOB, NULLs). Rows/s of all clients together; CPU "
                + "of the server process (/proc) while the clients consumed, and of the primary meanwhile; median of ")
                .append(ctx.repetitions())
                .append(" run(s). ").append(problem == null ? "Correctness: every client received exactly every row change."
                        : "FAILED: " + problem).append("\n\n");
        md.append("| clients | relay rows/s | Canal rows/s | relay / Canal (target ≥ 2×) | relay CPU s / M rows | "
                + "Canal CPU s / M rows | relay / Canal CPU per row (target ≤ 1×) | primary CPU s (relay / Canal) |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : ctx.settings().canalClients()) {
            md.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f× | %.2f | %.2f | %.2f× | %.2f / %.2f |%n", n,
                    (Double) s.get("relay_" + n + "_rows_per_s"), (Double) s.get("canal_" + n + "_rows_per_s"),
                    (Double) s.get("ratio_" + n + "_rows_per_s"), (Double) s.get("relay_" + n + "_cpu_s_per_m_rows"),
                    (Double) s.get("canal_" + n + "_cpu_s_per_m_rows"), (Double) s.get("ratio_" + n + "_cpu_per_row"),
                    (Double) s.get("relay_" + n + "_primary_cpu_s"), (Double) s.get("canal_" + n + "_primary_cpu_s")));
        }
        return md.toString();
    }
}
