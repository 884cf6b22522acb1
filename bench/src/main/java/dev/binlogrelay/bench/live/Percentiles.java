package dev.binlogrelay.bench.live;

import java.util.Arrays;

/** Percentiles of latency samples (nanoseconds in, milliseconds out), nearest-rank on a sorted copy. */
public record Percentiles(int samples, double p50, double p99, double p999, double max) {
    public static Percentiles of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new Percentiles(s.length, at(s, 0.50), at(s, 0.99), at(s, 0.999), s.length == 0 ? Double.NaN : s[s.length - 1] / 1e6);
    }

    private static double at(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
    }
}
