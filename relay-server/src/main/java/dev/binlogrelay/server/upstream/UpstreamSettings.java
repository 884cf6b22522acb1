package dev.binlogrelay.server.upstream;

import dev.binlogrelay.server.config.ConfigLoader.StartPosition;

/** What the upstream client needs to know, taken from the config. */
public record UpstreamSettings(String host, int port, String user, String password, long serverId,
                               StartPosition start, long heartbeatNanos, long reconnectMinMs,
                               long reconnectMaxMs, int connectTimeoutMs) {
}
