package dev.binlogrelay.bench;

import dev.binlogrelay.bench.report.BenchReport;
import dev.binlogrelay.bench.report.ResultFiles;
import dev.binlogrelay.bench.report.RunResult;
import dev.binlogrelay.bench.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's quick mode end to end, as CI runs it: correctness of every scenario, not speed. */
class BenchSmokeIT {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void quickModeDeliversTheWholeBinlogToEveryReaderOfBothServers() throws Exception {
        Path out = Path.of("target", "bench-smoke").toAbsolutePath();
        BenchReport report = Bench.run("--mode", "quick", "--out", out.toString(), "--no-record", "--idle-readers", "50",
                "--latency-seconds", "2", "--behind-phase-seconds", "2");

        assertEquals(2 * 2, report.runs().size(), "1 and 8 readers, relay and primary, one run each");
        for (RunResult r : report.runs()) {
            assertTrue(r.correct(), r.target() + " with " + r.readers() + " readers: " + r.failedReaders()
                    + " readers did not get the whole binlog: " + r.problem());
            assertEquals(r.readers() * r.bytesPerReader(), r.wireBytes(), r.target() + " N=" + r.readers());
            assertTrue(r.bytesPerReader() > report.binlog().eventBytes(), "a reader gets at least every event");
        }
        assertTrue(report.binlog().bytes() >= 8 << 20, "an 8 MiB binlog: " + report.binlog().bytes());
        assertTrue(report.binlog().files() > 1, "the binlog spans several files");
        assertTrue(Files.size(out.resolve(ResultFiles.JSON)) > 0);
        assertTrue(Files.size(out.resolve(ResultFiles.CSV)) > 0);
        assertTrue(Files.size(out.resolve("fanout.png")) > 0);

        for (String name : Bench.ALL_SCENARIOS.subList(1, Bench.ALL_SCENARIOS.size())) {
            ScenarioResult s = report.scenario(name);
            assertNotNull(s, name + " ran");
            assertTrue(s.correct(), name + ": " + s.problem());
            assertTrue(s.runs().stream().allMatch(r -> Boolean.TRUE.equals(r.get("correct"))), name + ": " + s.runs());
            assertTrue(Files.size(out.resolve(name + ".csv")) > 0, name + ".csv");
            assertTrue(s.markdown().startsWith("### "), name + " has a RESULTS.md section");
        }
        // catch-up: a replica and mariadb-binlog, each through the relay and from the primary
        List<Map<String, Object>> catchUp = report.scenario("catchup").runs();
        for (String client : List.of("replica", "mariadb-binlog")) {
            for (String target : List.of("relay", "primary")) {
                assertEquals(1, catchUp.stream().filter(r -> client.equals(r.get("client")) && target.equals(r.get("target"))).count(),
                        client + " via " + target + ": " + catchUp);
            }
        }
        // ingest: the relay and the IO thread each stored the binlog once
        assertEquals(2, report.scenario("ingest").runs().size());
        // memory: 50 readers were idle at the tail and each then received the transaction written after
        Map<String, Object> memory = report.scenario("memory").runs().get(0);
        assertEquals(50, memory.get("readers"));
        assertTrue(((Number) memory.get("heap_readers_bytes")).longValue() > 0, "heap measured: " + memory);
        // latency: both readers received every transaction written in the measured seconds (2 s at 2,000/s)
        Map<String, Object> latency = report.scenario("latency").runs().get(0);
        assertEquals(4000, latency.get("transactions"), "measured transactions: " + latency);
        // behind reader: it read the whole generated binlog and the tail readers were measured in all three windows
        List<Map<String, Object>> behindRuns = report.scenario("behind").runs();
        Map<String, Object> behind = behindRuns.stream().filter(r -> "relay".equals(r.get("server"))).findFirst().orElseThrow();
        // and the same on the primary, whose tail readers were measured too
        Map<String, Object> onPrimary = behindRuns.stream().filter(r -> "primary".equals(r.get("server"))).findFirst().orElseThrow();
        assertTrue(((Number) onPrimary.get("b_samples")).longValue() > 0, "primary's tail readers measured during B: " + onPrimary);
        assertTrue(((Number) behind.get("behind_bytes")).longValue() >= report.binlog().bytes(), "behind reader: " + behind);
        for (String w : List.of("a", "b", "c")) {
            assertTrue(((Number) behind.get(w + "_hits")).doubleValue() > 0, "cache hits counted in window " + w + ": " + behind);
        }
        assertTrue(report.allCorrect());
    }
}
