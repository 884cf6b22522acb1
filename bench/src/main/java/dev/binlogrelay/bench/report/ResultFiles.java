package dev.binlogrelay.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine-readable results in the output directory: {@code results.json} (everything) and {@code runs.csv}. */
public final class ResultFiles {
    public static final String JSON = "results.json";
    public static final String CSV = "runs.csv";

    private ResultFiles() {
    }

    public static void write(BenchReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(JSON).toFile(), report);
        StringBuilder csv = new StringBuilder("target,readers,repetition,wall_s,wire_bytes,bytes_per_reader,mb_per_s,"
                + "server_cpu_s,server_system_s,server_cpu_s_per_gb,reader_cpu_s,other_cpu_s,failed_readers,problem\n");
        for (RunResult r : report.runs()) {
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%d,%d,%.1f,%.2f,%.2f,%.3f,%.2f,%.2f,%d,%s%n", r.target(), r.readers(),
                    r.repetition(), r.wallSeconds(), r.wireBytes(), r.bytesPerReader(), r.mbPerSecond(),
                    r.serverCpuSeconds(), r.serverSystemSeconds(), r.cpuSecondsPerGb(), r.readerCpuSeconds(),
                    r.otherCpuSeconds(), r.failedReaders(),
                    r.problem() == null ? "" : '"' + r.problem().replace('"', '\'') + '"'));
        }
        Files.writeString(dir.resolve(CSV), csv);
        for (var sc : report.scenarios()) {
            Files.writeString(dir.resolve(sc.name() + ".csv"), sc.csv());
        }
    }
}
