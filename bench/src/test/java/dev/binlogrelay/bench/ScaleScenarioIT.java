package dev.binlogrelay.bench;

import dev.binlogrelay.bench.report.BenchReport;
import dev.binlogrelay.bench.scenario.ScenarioResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opt-in scale scenario at a small size (200 readers, 2 s at 500 tx/s, logins in waves of 64): both the relay
 * and the primary hold every reader, every reader gets every transaction, and latency, heap and RSS are measured.
 */
class ScaleScenarioIT {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyTailReaderOfTheRelayAndOfThePrimaryGetsEveryTransaction() throws Exception {
        Path out = Path.of("target", "bench-scale").toAbsolutePath();
        BenchReport report = Bench.run("--mode", "quick", "--scenarios", "scale", "--out", out.toString(), "--no-record",
                "--binlog-size", "2M", "--scale-readers", "200", "--scale-seconds", "2", "--scale-wave", "64");

        assertTrue(report.runs().isEmpty(), "fan-out was not asked for");
        ScenarioResult scale = report.scenario("scale");
        assertTrue(scale.correct(), scale.problem());
        List<Map<String, Object>> runs = scale.runs();
        assertEquals(List.of("relay", "primary"), runs.stream().map(r -> r.get("server")).toList());
        for (Map<String, Object> r : runs) {
            assertEquals(200, r.get("readers_held"), "readers at the tail: " + r);
            assertNull(r.get("stopped_because"), "opening stopped: " + r);
            assertEquals(200, r.get("readers_complete"), "readers with every transaction: " + r);
            assertEquals(1500, r.get("transactions"), "1 s of warm-up and 2 s at 500/s: " + r);
            assertEquals(20, r.get("sampled_readers"), "every 10th reader keeps arrival times: " + r);
            assertEquals(20 * 1000, r.get("samples"), "the measured 2 s at each sampled reader: " + r);
            double p50 = (Double) r.get("p50_ms");
            double p99 = (Double) r.get("p99_ms");
            assertTrue(p50 > 0 && p99 >= p50, "latency measured: " + r);
            assertTrue(((Number) r.get("rss_readers_bytes")).longValue() > 0, "RSS measured: " + r);
        }
        assertTrue(((Number) runs.get(0).get("heap_readers_bytes")).longValue() > 0, "the relay's live heap measured");
        assertTrue(Files.size(out.resolve("scale.csv")) > 0);
        assertTrue(scale.markdown().startsWith("### Scale: 200 readers"), scale.markdown());
        assertTrue(report.allCorrect());
    }
}
