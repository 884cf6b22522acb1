package dev.binlogrelay.bench.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One measured fan-out run: {@code readers} readers each dumping the whole binlog from {@code target}
 * ({@code relay} or {@code primary}) at once.
 *
 * @param wireBytes        bytes all readers received together (packet headers included)
 * @param serverCpuSeconds user + system CPU the serving process used from the first dump request to the last EOF
 * @param serverSystemSeconds the system (kernel) part of it
 * @param readerCpuSeconds CPU the bench's reader threads used (the load generator's own cost)
 * @param otherCpuSeconds  CPU the rest of the machine used meanwhile: all cores' busy time minus the serving
 *                         process and the bench JVM (the idle other server, and whatever else shares the machine)
 * @param failedReaders    readers that did not get exactly the expected stream
 * @param problem          the first failed reader's problem, or null
 */
public record RunResult(String target, int readers, int repetition, double wallSeconds, long wireBytes,
                        long bytesPerReader, double serverCpuSeconds, double serverSystemSeconds, double readerCpuSeconds, double otherCpuSeconds, int failedReaders,
                        String problem) {
    public static final String RELAY = "relay";
    public static final String PRIMARY = "primary";

    /** Aggregate throughput, 10^6 bytes per second. */
    @JsonProperty
    public double mbPerSecond() {
        return wireBytes / wallSeconds / 1e6;
    }

    /** Server CPU seconds per 10^9 bytes served. */
    @JsonProperty
    public double cpuSecondsPerGb() {
        return serverCpuSeconds / (wireBytes / 1e9);
    }

    @JsonProperty
    public boolean correct() {
        return failedReaders == 0;
    }
}
