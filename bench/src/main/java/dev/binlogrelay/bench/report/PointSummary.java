package dev.binlogrelay.bench.report;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.List;

/** The medians of the repetitions of one reader count, for the relay and for the primary. */
public record PointSummary(int readers, Medians relay, Medians primary) {

    /** Relay throughput over the primary's; above 1 means the relay serves faster. */
    @JsonProperty
    public double throughputRatio() {
        return relay.mbPerSecond() / primary.mbPerSecond();
    }

    /** Relay CPU per byte served over the primary's; below 1 means the relay is cheaper. */
    @JsonProperty
    public double cpuPerByteRatio() {
        return relay.cpuSecondsPerGb() / primary.cpuSecondsPerGb();
    }

    /** Medians over repetitions of one target at one reader count. */
    public record Medians(int runs, double mbPerSecond, double wallSeconds, double cpuSeconds, double systemSeconds,
                          double cpuSecondsPerGb, double readerCpuSeconds, double otherCpuSeconds, boolean allCorrect) {
        static Medians of(List<RunResult> runs) {
            return new Medians(runs.size(), median(runs.stream().mapToDouble(RunResult::mbPerSecond).toArray()),
                    median(runs.stream().mapToDouble(RunResult::wallSeconds).toArray()),
                    median(runs.stream().mapToDouble(RunResult::serverCpuSeconds).toArray()),
                    median(runs.stream().mapToDouble(RunResult::serverSystemSeconds).toArray()),
                    median(runs.stream().mapToDouble(RunResult::cpuSecondsPerGb).toArray()),
                    median(runs.stream().mapToDouble(RunResult::readerCpuSeconds).toArray()),
                    median(runs.stream().mapToDouble(RunResult::otherCpuSeconds).toArray()),
                    runs.stream().allMatch(RunResult::correct));
        }
    }

    /** One summary per reader count, in the order the counts first appear in {@code runs}. */
    public static List<PointSummary> of(List<RunResult> runs) {
        return runs.stream().map(RunResult::readers).distinct().map(n -> new PointSummary(n,
                Medians.of(runs.stream().filter(r -> r.readers() == n && r.target().equals(RunResult.RELAY)).toList()),
                Medians.of(runs.stream().filter(r -> r.readers() == n && r.target().equals(RunResult.PRIMARY)).toList())))
                .toList();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
