package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.DownstreamLimits;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The {@code downstream} keys that bound what a client may cost (connections, timeouts, packet sizes, login
 * throttling, user variables) turned into {@link DownstreamLimits}. {@link ConfigCheck} calls the same method to
 * check a config, so a bad value fails start-up with one line naming the key ({@link ConfigException}, without
 * the file).
 */
public final class LimitsConfig {
    private static final long MAX_PACKET_LIMIT = 1L << 30; // what MariaDB allows for max_allowed_packet

    private LimitsConfig() {
    }

    public static DownstreamLimits limits(RelayConfig.Downstream d) {
        long maxPacket = orDefault(d.maxPacket, DownstreamLimits.DEFAULT_MAX_PACKET);
        if (maxPacket < 1024 || maxPacket > MAX_PACKET_LIMIT) {
            throw new ConfigException("downstream.max_packet must be between 1024 and " + MAX_PACKET_LIMIT + " bytes, not " + maxPacket);
        }
        long loginPacket = orDefault(d.maxLoginPacket, 64L * 1024);
        if (loginPacket < 1024 || loginPacket > maxPacket) {
            throw new ConfigException("downstream.max_login_packet must be between 1024 bytes and downstream.max_packet ("
                    + maxPacket + "), not " + loginPacket);
        }
        Duration connect = positive("downstream.connect_timeout", d.connectTimeout, "10s");
        Duration idle = positive("downstream.idle_timeout", d.idleTimeout, "8h");
        int maxConnections = atLeastOne("downstream.max_connections", d.maxConnections, 4096);
        int perHost = atLeastOne("downstream.max_unauthenticated_per_host", d.maxUnauthenticatedPerHost, 128);
        int threshold = d.authFailureThreshold == null ? 10 : d.authFailureThreshold;
        if (threshold < 0) {
            throw new ConfigException("downstream.auth_failure_threshold must be 0 (off) or more, not " + threshold);
        }
        Duration maxDelay = parse("downstream.auth_failure_max_delay",
                () -> Quantities.duration(d.authFailureMaxDelay == null ? "30s" : d.authFailureMaxDelay));
        long userVariables = orDefault(d.maxUserVariablesBytes, 1024L * 1024);
        if (userVariables < 0) {
            throw new ConfigException("downstream.max_user_variables_bytes must be 0 or more, not " + userVariables);
        }
        Duration startWait = parse("downstream.start_wait",
                () -> d.startWait == null ? DownstreamLimits.DEFAULT_START_WAIT : Quantities.duration(d.startWait));
        if (startWait.compareTo(java.time.Duration.ofHours(1)) > 0) {
            throw new ConfigException("downstream.start_wait must be at most 1h, not " + d.startWait);
        }
        return new DownstreamLimits(maxPacket, loginPacket, connect, idle, maxConnections, perHost, threshold, maxDelay,
                userVariables, startWait);
    }

    private static long orDefault(Long value, long dflt) {
        return value == null ? dflt : value;
    }

    private static int atLeastOne(String key, Integer value, int dflt) {
        int v = value == null ? dflt : value;
        if (v < 1) {
            throw new ConfigException(key + " must be 1 or more, not " + v);
        }
        return v;
    }

    private static Duration positive(String key, String text, String dflt) {
        Duration d = parse(key, () -> Quantities.duration(text == null ? dflt : text));
        if (d.isZero()) {
            throw new ConfigException(key + " must be more than 0");
        }
        return d;
    }

    private static <T> T parse(String key, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
        }
    }
}
