package dev.binlogrelay.server.downstream;

import io.netty.util.internal.PlatformDependent;

import java.util.concurrent.TimeUnit;

/**
 * Bounds on what readers' pending writes may hold, beyond the per-connection watermarks.
 *
 * @param maxPendingBytes   {@code downstream.max_pending_bytes}: memory all readers' pending writes may hold
 *                          together (by buffer capacity); a reader that would need more is paused
 * @param writeTimeoutNanos {@code downstream.write_timeout}: a reader that holds pending writes and drains none of
 *                          them for this long is disconnected (0 = never)
 */
public record SendLimits(long maxPendingBytes, long writeTimeoutNanos) {
    /** MariaDB's net_write_timeout default: how long a dump thread waits for a reader that does not read. */
    public static final long DEFAULT_WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long DEFAULT_MAX_PENDING = 256L * 1024 * 1024;

    public SendLimits {
        if (maxPendingBytes <= 0) {
            throw new IllegalArgumentException("max pending bytes must be more than 0, not " + maxPendingBytes);
        }
        if (writeTimeoutNanos < 0) {
            throw new IllegalArgumentException("write timeout must not be negative");
        }
    }

    /**
     * The default budget: a quarter of the direct memory the JVM allows (what Netty's pooled buffers come from;
     * {@code -XX:MaxDirectMemorySize}, by default the heap size), at most 256 MiB. A relay with {@code -Xmx512m}
     * lets readers' pending writes hold 128 MiB.
     */
    public static long defaultMaxPendingBytes() {
        return Math.min(DEFAULT_MAX_PENDING, Math.max(16L * 1024 * 1024, PlatformDependent.maxDirectMemory() / 4));
    }

    public static SendLimits defaults() {
        return new SendLimits(defaultMaxPendingBytes(), DEFAULT_WRITE_TIMEOUT_NANOS);
    }
}
