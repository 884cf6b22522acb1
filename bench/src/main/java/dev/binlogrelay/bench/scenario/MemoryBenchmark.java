package dev.binlogrelay.bench.scenario;

import dev.binlogrelay.bench.live.PacedWriter;
import dev.binlogrelay.bench.measure.JvmMemory;
import dev.binlogrelay.bench.reader.FanOut;
import dev.binlogrelay.bench.reader.LiveReader;
import dev.binlogrelay.bench.setup.RelayProcess;
import dev.binlogrelay.testkit.MariaDbServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.binlogrelay.bench.scenario.BenchContext.say;
import static dev.binlogrelay.bench.scenario.ScenarioResult.row;

/**
 * Memory: a relay in its own JVM with a small heap ({@code -Xmx1g} by default) stores the whole binlog, then N raw
 * readers (1,000 in full mode) each hold a blocking dump at the tail. Live heap after a full GC
 * ({@code jcmd GC.class_histogram}) and RSS ({@code /proc/PID/status}) are taken with no reader and with the N
 * readers idle; the difference divided by N is the cost of a reader. To prove the readers are served, not just
 * connected, one transaction is then written on the primary and every reader must receive it.
 */
public record MemoryBenchmark(BenchContext ctx) {
    public ScenarioResult run() throws Exception {
        int n = ctx.settings().idleReaders();
        List<Map<String, Object>> runs = new ArrayList<>();
        String problem = null;
        PacedWriter.createTable(ctx.primary());
        MariaDbServer.BinlogFilePos end = ctx.primary().binlogFilePos();
        Path data = ctx.settings().newStoreDir("binlog-relay-bench-memory-");
        String heap = ctx.settings().smallRelayHeap();
        try (RelayProcess relay = RelayProcess.start(ctx.primary(), data, ctx.out(), "relay-memory", 9200, List.of("-Xmx" + heap, RelayProcess.GC),
                Duration.ofSeconds(60))) {
            relay.awaitStored(end.file() + ":" + end.pos(), Duration.ofSeconds(120 + ctx.expected().fileBytes() / 1_000_000));
            FanOut.Target target = new FanOut.Target("relay-memory", "127.0.0.1", relay.port(), RelayProcess.USER,
                    RelayProcess.PASSWORD);
            say("memory: relay (pid %d, -Xmx%s) stored the binlog; %d idle readers per run", relay.pid(), heap, n);
            for (int rep = 1; rep <= ctx.repetitions(); rep++) {
                long heap0 = JvmMemory.liveHeapBytes(relay.pid());
                long rss0 = JvmMemory.rssBytes(relay.pid());
                MariaDbServer.BinlogFilePos at = ctx.primary().binlogFilePos();
                relay.awaitStored(at.file() + ":" + at.pos(), Duration.ofSeconds(60));
                long id = 900_000_000_000L + rep;
                List<LiveReader> readers = open(target, at, n, rep, id);
                String p = null;
                long heapN = 0;
                long rssN = 0;
                try {
                    for (LiveReader r : readers) {
                        r.awaitStarted(Duration.ofSeconds(60));
                    }
                    heapN = JvmMemory.liveHeapBytes(relay.pid());
                    rssN = JvmMemory.rssBytes(relay.pid());
                    ctx.primary().execute(String.format(Locale.ROOT, "INSERT INTO %s (id, tag, pad, ts) VALUES (%d, 'LAT:%012d', 'memory', %d)",
                            PacedWriter.TABLE, id, id, System.currentTimeMillis()));
                    int missing = 0;
                    for (LiveReader r : readers) {
                        if (!r.awaitArrivals(1, Duration.ofSeconds(30))) {
                            missing++;
                            if (p == null) {
                                p = r.name() + " did not receive the transaction written after the readers were idle"
                                        + (r.problem() == null ? "" : ": " + r.problem());
                            }
                        }
                    }
                    if (missing > 0) {
                        p = missing + " of " + n + " readers: " + p;
                    }
                } finally {
                    readers.forEach(LiveReader::close);
                }
                if (p == null && Files.readString(relay.log()).contains("OutOfMemoryError")) {
                    p = "OutOfMemoryError in " + relay.log();
                }
                double perReader = (heapN - heap0) / (double) n;
                double rssPerReader = (rssN - rss0) / (double) n;
                runs.add(row("readers", n, "repetition", rep, "xmx", heap, "heap_idle_bytes", heap0, "heap_readers_bytes", heapN,
                        "heap_per_reader_bytes", perReader, "rss_idle_bytes", rss0, "rss_readers_bytes", rssN,
                        "rss_per_reader_bytes", rssPerReader, "correct", p == null, "problem", p));
                say("memory run %d: live heap %s -> %s (%.0f B per reader), RSS %s -> %s (%.0f B per reader)%s", rep,
                        BenchContext.mib(heap0), BenchContext.mib(heapN), perReader, BenchContext.mib(rss0),
                        BenchContext.mib(rssN), rssPerReader, p == null ? "" : "; FAILED: " + p);
                problem = problem != null ? problem : p;
            }
        } finally {
            CatchUpBenchmark.deleteTree(data);
        }
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        for (String k : List.of("heap_idle_bytes", "heap_readers_bytes", "heap_per_reader_bytes", "rss_idle_bytes",
                "rss_readers_bytes", "rss_per_reader_bytes")) {
            s.put(k, ScenarioResult.median(runs, k, r -> true));
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "### Memory: %d raw readers idle at the tail of one relay (`-Xmx%s %s`)%n%n", n, heap, RelayProcess.GC));
        md.append("Live heap after a full GC (`jcmd GC.class_histogram`) and RSS of the relay JVM, with no reader and with "
                + n + " readers each holding a blocking dump at the end of the binlog (the hot-tail cache is full in both); "
                + "median of " + ctx.repetitions() + " run(s). ").append(problem == null
                ? "Correctness: with the readers idle, one transaction was written on the primary and every reader received it; "
                + "no OutOfMemoryError in the relay's log." : "FAILED: " + problem).append(" RSS counts the heap pages ZGC "
                + "(JDK 17) maps several times once per mapping, so it overstates the memory used.\n\n");
        md.append("| | no reader | " + n + " readers | per reader |\n|---|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| live heap | %s | %s | %.1f KiB |%n| RSS | %s | %s | %.1f KiB |%n",
                BenchContext.mib(((Double) s.get("heap_idle_bytes")).longValue()),
                BenchContext.mib(((Double) s.get("heap_readers_bytes")).longValue()),
                (Double) s.get("heap_per_reader_bytes") / 1024,
                BenchContext.mib(((Double) s.get("rss_idle_bytes")).longValue()),
                BenchContext.mib(((Double) s.get("rss_readers_bytes")).longValue()),
                (Double) s.get("rss_per_reader_bytes") / 1024));
        return new ScenarioResult("memory", problem == null, problem, runs, s, md.toString());
    }

    private static List<LiveReader> open(FanOut.Target target, MariaDbServer.BinlogFilePos at, int n, int rep, long id)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16, r -> new Thread(r, "bench-memory-login"));
        List<Future<LiveReader>> pending = new ArrayList<>();
        List<LiveReader> opened = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int index = i;
                pending.add(pool.submit(() -> new LiveReader("idle reader " + index, target, at.file(), at.pos(),
                        300_000L + rep * 2_000L + index, new long[1], id, -1)));
            }
            Exception failure = null;
            for (Future<LiveReader> f : pending) {
                try {
                    opened.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = failure != null ? failure : new IllegalStateException("cannot open an idle reader: "
                            + e.getCause(), e.getCause());
                }
            }
            if (failure != null) {
                opened.forEach(LiveReader::close);
                throw failure;
            }
            return opened;
        } finally {
            pool.shutdownNow();
        }
    }
}
