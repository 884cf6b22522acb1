package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.Peers;
import dev.binlogrelay.testkit.ReplicaMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.binlogrelay.bench.scenario.BenchContext.say;
import static dev.binlogrelay.bench.scenario.ScenarioResult.row;

/**
 * Catch-up: the whole generated binlog read from its first event by two stock clients, through the relay and from
 * the primary, alternating which goes first:
 * <ul>
 *   <li>a MariaDB replica (binary log off), {@code CHANGE MASTER TO MASTER_LOG_FILE=first, MASTER_LOG_POS=4,
 *       MASTER_USE_GTID=no; START SLAVE}, timed until {@code Exec_Master_Log_Pos} reaches the binlog's end (polled
 *       every 50 ms, bounded), then checked with {@code CHECKSUM TABLE} against the primary;</li>
 *   <li>{@code mariadb-binlog --read-from-remote-server --raw --to-last-log} (non-blocking: it exits at the end),
 *       whose files must equal the primary's byte for byte.</li>
 * </ul>
 * The replica is reset between runs ({@code RESET SLAVE ALL}, the tables dropped, {@code gtid_slave_pos}
 * cleared), so every run applies the same binlog to the same empty server.
 */
public record CatchUpBenchmark(BenchContext ctx, MariaDbServer replica) {
    private static final List<String> TABLES = List.of("bench.small", "bench.medium", "bench.large");

    public ScenarioResult run() throws Exception {
        Optional<Path> tool = Peers.tool("mariadb-binlog", "mysqlbinlog");
        Map<String, String> primarySums = new java.util.LinkedHashMap<>();
        for (String t : TABLES) {
            primarySums.put(t, ctx.primary().checksumTable(t));
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        Duration timeout = Duration.ofSeconds(120 + ctx.expected().fileBytes() / 1_000_000);
        {
            say("catch-up: replica MariaDB %s on port %d; mariadb-binlog %s", replica.version(), replica.port(),
                    tool.map(Path::toString).orElse("NOT FOUND (install mariadb-client)"));
            for (int rep = 1; rep <= ctx.repetitions(); rep++) {
                List<FanOut.Target> order = rep % 2 == 1 ? List.of(ctx.primaryTarget(), ctx.relayTarget())
                        : List.of(ctx.relayTarget(), ctx.primaryTarget());
                for (FanOut.Target target : order) {
                    reset(replica);
                    settleDisk();
                    long t0 = System.nanoTime();
                    replica.startReplica(target.host(), target.port(), target.user(), target.password(),
                            ReplicaMode.FILE_POS, ctx.firstFile(), 4);
                    String p = null;
                    try {
                        replica.awaitReplicaExecuted(ctx.end().file(), ctx.end().pos(), timeout);
                    } catch (AssertionError e) {
                        p = target.name() + ": " + e.getMessage();
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (p == null) {
                        for (String t : TABLES) {
                            String got = replica.checksumTable(t);
                            if (!primarySums.get(t).equals(got)) {
                                p = target.name() + ": CHECKSUM TABLE " + t + " is " + got + " on the replica, "
                                        + primarySums.get(t) + " on the primary";
                                break;
                            }
                        }
                    }
                    runs.add(row("client", "replica", "target", target.name(), "repetition", rep, "seconds", seconds,
                            "mb_per_s", ctx.expected().fileBytes() / seconds / 1e6, "correct", p == null, "problem", p));
                    say("catch-up replica        %-7s run %d: %7.2f s%s", target.name(), rep, seconds, p == null ? "" : " FAILED: " + p);
                    problem = problem != null ? problem : p;
                    replica.execute("STOP SLAVE");
                }
                if (tool.isPresent()) {
                    Map<String, Path> dirs = new java.util.HashMap<>();
                    for (FanOut.Target target : order) {
                        Path dir = ctx.out().resolve("catchup-" + target.name() + "-" + rep);
                        dirs.put(target.name(), dir);
                        settleDisk();
                        long t0 = System.nanoTime();
                        String p = dumpRaw(tool.get(), target, dir);
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        if (p == null) {
                            p = compareWithPrimaryFiles(dir);
                        }
                        if (p == null) {
                            keepOnlyActiveFile(dir); // the next run then writes on top of 1 file, not 5
                        }
                        runs.add(row("client", "mariadb-binlog", "target", target.name(), "repetition", rep,
                                "seconds", seconds, "mb_per_s", ctx.expected().fileBytes() / seconds / 1e6,
                                "correct", p == null, "problem", p));
                        say("catch-up mariadb-binlog %-7s run %d: %7.2f s%s", target.name(), rep, seconds,
                                p == null ? "" : " FAILED: " + p);
                        problem = problem != null ? problem : p;
                    }
                    String p = compareDirs(dirs.get("relay"), dirs.get("primary"));
                    if (p != null) {
                        runs.get(runs.size() - 1).put("correct", false);
                        runs.get(runs.size() - 1).put("problem", p);
                        say("catch-up mariadb-binlog run %d FAILED: %s", rep, p);
                        problem = problem != null ? problem : p;
                    }
                    dirs.values().forEach(CatchUpBenchmark::deleteTree);
                }
            }
        }
        if (tool.isEmpty()) {
            problem = problem != null ? problem : "mariadb-binlog not found (apt-get install -y mariadb-client)";
        }
        Map<String, Object> summary = new java.util.LinkedHashMap<>();
        for (String client : List.of("replica", "mariadb-binlog")) {
            double relay = ScenarioResult.median(runs, "seconds", r -> client.equals(r.get("client")) && "relay".equals(r.get("target")));
            double primary = ScenarioResult.median(runs, "seconds", r -> client.equals(r.get("client")) && "primary".equals(r.get("target")));
            summary.put(client + "_relay_s", relay);
            summary.put(client + "_primary_s", primary);
            summary.put(client + "_ratio", relay / primary);
        }
        return new ScenarioResult("catchup", problem == null, problem, runs, summary, markdown(summary, problem));
    }

    private String markdown(Map<String, Object> s, String problem) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### Catch-up: the whole %s binlog from its first event%n%n",
                BenchContext.mib(ctx.expected().fileBytes())));
        md.append("Wall time of a stock MariaDB replica (SQL thread applying everything, until `Exec_Master_Log_Pos` "
                + "reaches the end) and of `mariadb-binlog --read-from-remote-server --raw --to-last-log`, through the relay "
                + "and from the primary; median of ").append(ctx.repetitions()).append(" run(s), alternating which goes first; "
                + "each run starts after a `sync`, and a run's files are deleted once checked (all but the active one), so that "
                + "no run writes on top of the one before. ")
                .append(problem == null ? "Correctness: the replica's `CHECKSUM TABLE` of every table equals the primary's; "
                        + "mariadb-binlog's files from either server equal the primary's files on disk, and the active file (whose in-use "
                        + "flag differs on disk) through the relay equals the one from the primary byte for byte." : "FAILED: " + problem).append("\n\n");
        md.append("| client | relay s | primary s | relay / primary (target ≤ 1.1×) |\n|---|---:|---:|---:|\n");
        for (String client : List.of("replica", "mariadb-binlog")) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f× |%n", client, (Double) s.get(client + "_relay_s"),
                    (Double) s.get(client + "_primary_s"), (Double) s.get(client + "_ratio")));
        }
        return md.toString();
    }

    /** The stock replica both catch-up and ingest use (binary log off), reset before each run. */
    public static MariaDbServer startReplica() {
        return MariaDbServer.builder().name("bench-replica").serverId(2).binlog(false).maxAllowedPacket(64L << 20)
                .extraArg("--innodb-buffer-pool-size=256M").startTimeout(Duration.ofSeconds(120)).start();
    }

    private static void reset(MariaDbServer replica) {
        replica.execute("STOP SLAVE", "RESET SLAVE ALL", "DROP DATABASE IF EXISTS bench", "SET GLOBAL gtid_slave_pos = ''");
    }

    /**
     * Writes the dirty page cache to disk ({@code sync}, at most 2 minutes) before a timed run: the replica's relay log
     * and data, and mariadb-binlog's gigabyte of files, would otherwise be written back during the next run and
     * throttle its writes (measured: the same mariadb-binlog run took 0.84 s or 3.88 s from the primary).
     */
    private static void settleDisk() throws Exception {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (!sync.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)) {
            sync.destroyForcibly();
        }
    }

    /** Runs mariadb-binlog into {@code dir}; null when it exited with 0, else what went wrong. */
    private String dumpRaw(Path tool, FanOut.Target target, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        List<String> cmd = List.of(tool.toString(), "--no-defaults", "--read-from-remote-server", "--raw", "--to-last-log",
                "--host=" + target.host(), "--port=" + target.port(), "--user=" + target.user(),
                "--password=" + target.password(), "--result-file=" + dir + "/", ctx.firstFile());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long limit = 60 + ctx.expected().fileBytes() / 5_000_000;
        if (!p.waitFor(limit, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            return target.name() + ": mariadb-binlog did not finish within " + limit + " s";
        }
        return p.exitValue() == 0 ? null : target.name() + ": mariadb-binlog exited with " + p.exitValue() + ": "
                + Files.readString(log).strip();
    }

    /**
     * Null when {@code dir} holds the primary's binlog files: the same names and sizes, and the same bytes except in
     * the last (active) file, whose format description the server sends with the "in use" flag cleared (and its
     * CRC32 adjusted); that file is compared between the two targets instead ({@link #compareDirs}).
     */
    private String compareWithPrimaryFiles(Path dir) throws IOException {
        for (String name : ctx.files()) {
            Path got = dir.resolve(name);
            Path want = ctx.primary().binlogDir().resolve(name);
            if (!Files.exists(got)) {
                return dir.getFileName() + ": no " + name;
            }
            if (Files.size(got) != Files.size(want)) {
                return dir.getFileName() + ": " + name + " has " + Files.size(got) + " bytes, the primary's "
                        + Files.size(want);
            }
            long at = name.equals(ctx.files().get(ctx.files().size() - 1)) ? -1 : Files.mismatch(got, want);
            if (at >= 0) {
                return dir.getFileName() + ": " + name + " differs from the primary's at byte " + at;
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            long n = s.count();
            if (n != ctx.files().size()) {
                return dir.getFileName() + ": " + n + " files, the primary has " + ctx.files().size();
            }
        }
        return null;
    }

    /** Null when mariadb-binlog wrote the same files through the relay as from the primary. */
    /** The active file (not compared with the primary's copy on disk, whose in-use flag differs) of each run. */
    private String compareDirs(Path relay, Path primary) throws IOException {
        String name = ctx.files().get(ctx.files().size() - 1);
        long at = Files.mismatch(relay.resolve(name), primary.resolve(name));
        if (at >= 0) {
            return "mariadb-binlog's " + name + " through the relay differs from the one from the primary at byte " + at;
        }
        return null;
    }

    /**
     * Deletes a run's files once each matched the primary's, all but the active one (compared between the two runs):
     * on this VM writing into page-cache pages the guest has not touched costs ~2.8 s per GiB of kernel time, and a
     * run writing on top of the previous run's gigabyte was the one that paid it (RESULTS.md, 2026-12-08 03:28).
     */
    private void keepOnlyActiveFile(Path dir) throws IOException {
        for (String name : ctx.files().subList(0, ctx.files().size() - 1)) {
            Files.deleteIfExists(dir.resolve(name));
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
