package dev.binlogrelay.server.downstream;

import java.time.Duration;

/**
 * What one client may cost the downstream server, from the config ({@code downstream.*}, see LimitsConfig and
 * docs/operations.md, "Limits and hostile clients"). Immutable.
 *
 * @param maxPacket                 largest packet after login (downstream.max_packet, also @@max_allowed_packet)
 * @param maxLoginPacket            largest packet before login
 * @param connectTimeout            a connection must have logged in within this
 * @param idleTimeout               a logged-in connection that is not dumping is closed after this long without a command
 * @param maxConnections            connections at once
 * @param maxUnauthenticatedPerHost connections not yet logged in, per host (IPv4 address or IPv6 /64)
 * @param authFailureThreshold      failed logins from a host before its logins are delayed (0 = never)
 * @param authFailureMaxDelay       the longest such delay (they start at one second and double)
 * @param maxUserVariablesBytes     bytes of a session's user variables, names and values together
 * @param startWait                 how long a dump from a position the relay has not stored yet waits for it before
 *                                  ERR 1236 (downstream.start_wait; 0: at once)
 */
public record DownstreamLimits(long maxPacket, long maxLoginPacket, Duration connectTimeout, Duration idleTimeout,
                               int maxConnections, int maxUnauthenticatedPerHost, int authFailureThreshold,
                               Duration authFailureMaxDelay, long maxUserVariablesBytes, Duration startWait) {
    public static final long DEFAULT_MAX_PACKET = 16L * 1024 * 1024;
    /** downstream.start_wait's default: the lag of a healthy relay behind its primary, with room to spare. */
    public static final Duration DEFAULT_START_WAIT = Duration.ofSeconds(5);

    public DownstreamLimits {
        if (maxPacket < 1024 || maxLoginPacket < 1024 || maxConnections < 1 || maxUnauthenticatedPerHost < 1
                || authFailureThreshold < 0 || maxUserVariablesBytes < 0 || connectTimeout.isNegative()
                || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()
                || authFailureMaxDelay.isNegative() || startWait.isNegative()) {
            throw new IllegalArgumentException("bad downstream limits " + this);
        }
    }

    /** Limits with the default {@link #DEFAULT_START_WAIT}. */
    public DownstreamLimits(long maxPacket, long maxLoginPacket, Duration connectTimeout, Duration idleTimeout,
                            int maxConnections, int maxUnauthenticatedPerHost, int authFailureThreshold,
                            Duration authFailureMaxDelay, long maxUserVariablesBytes) {
        this(maxPacket, maxLoginPacket, connectTimeout, idleTimeout, maxConnections, maxUnauthenticatedPerHost,
                authFailureThreshold, authFailureMaxDelay, maxUserVariablesBytes, DEFAULT_START_WAIT);
    }

    /** These limits with another {@code downstream.start_wait}. */
    public DownstreamLimits withStartWait(Duration wait) {
        return new DownstreamLimits(maxPacket, maxLoginPacket, connectTimeout, idleTimeout, maxConnections,
                maxUnauthenticatedPerHost, authFailureThreshold, authFailureMaxDelay, maxUserVariablesBytes, wait);
    }

    /** The defaults of conf/relay.yaml, with that max_packet. */
    public static DownstreamLimits defaults(long maxPacket) {
        return new DownstreamLimits(maxPacket, Math.min(maxPacket, 64 * 1024), Duration.ofSeconds(10), Duration.ofHours(8),
                4096, 128, 10, Duration.ofSeconds(30), 1024 * 1024);
    }
}
