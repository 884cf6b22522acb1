package dev.binlogrelay.bench;

import dev.binlogrelay.bench.report.BenchReport;
import dev.binlogrelay.bench.report.ResultFiles;
import dev.binlogrelay.bench.report.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's quick mode end to end, as CI runs it: correctness, not speed. */
class BenchSmokeTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void quickModeDeliversTheWholeBinlogToEveryReaderOfBothServers() throws Exception {
        Path out = Path.of("target", "bench-smoke").toAbsolutePath();
        BenchReport report = Bench.run("--mode", "quick", "--out", out.toString(), "--no-record");

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
    }
}
