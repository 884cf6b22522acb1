package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.flavor.StartPosition;

import java.util.Objects;

/** What the upstream client needs to know, taken from the config. */
public record UpstreamSettings(String host, int port, String user, String password, long serverId,
                               StartPosition start, long heartbeatNanos, long reconnectMinMs,
                               long reconnectMaxMs, int connectTimeoutMs, UpstreamSecurity security) {
    public UpstreamSettings {
        Objects.requireNonNull(security, "security");
    }

    /** With the default security: ssl_mode preferred, the primary's public key asked for when needed. */
    public UpstreamSettings(String host, int port, String user, String password, long serverId,
                            StartPosition start, long heartbeatNanos, long reconnectMinMs,
                            long reconnectMaxMs, int connectTimeoutMs) {
        this(host, port, user, password, serverId, start, heartbeatNanos, reconnectMinMs, reconnectMaxMs,
                connectTimeoutMs, UpstreamSecurity.defaults());
    }
}
