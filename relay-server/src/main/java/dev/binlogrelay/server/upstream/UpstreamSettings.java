package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.flavor.StartPosition;

import java.util.Objects;

/**
 * What the upstream client needs to know (the wiring builds it from the config's {@code upstream} section).
 *
 * @param relayUuid the relay's own server UUID, as it presents it downstream (@@server_uuid); a MySQL primary is told
 *                  it as @replica_uuid
 * @param semiSync  {@code upstream.semi_sync}: be a semi-sync replica ({@link SemiSyncReplica})
 */
public record UpstreamSettings(String host, int port, String user, String password, long serverId, String relayUuid,
                               StartPosition start, long heartbeatNanos, long reconnectMinMs,
                               long reconnectMaxMs, int connectTimeoutMs, UpstreamSecurity security, boolean semiSync) {
    public UpstreamSettings {
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(relayUuid, "relayUuid");
    }

    /** Without semi-sync. */
    public UpstreamSettings(String host, int port, String user, String password, long serverId, String relayUuid,
                            StartPosition start, long heartbeatNanos, long reconnectMinMs, long reconnectMaxMs,
                            int connectTimeoutMs, UpstreamSecurity security) {
        this(host, port, user, password, serverId, relayUuid, start, heartbeatNanos, reconnectMinMs, reconnectMaxMs,
                connectTimeoutMs, security, false);
    }
}
