package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.flavor.StartPosition;

import java.util.List;
import java.util.Objects;

/**
 * What the upstream client needs to know (the wiring builds it from the config's {@code upstream} section).
 *
 * @param host           the primary to connect to: the one of {@code upstream.host}, or the candidate of
 *                       {@code upstream.hosts} a connection is made to ({@link #forCandidate})
 * @param relayUuid      the relay's own server UUID, as it presents it downstream (@@server_uuid); a MySQL primary is
 *                       told it as @replica_uuid
 * @param semiSync       {@code upstream.semi_sync}: be a semi-sync replica ({@link SemiSyncReplica})
 * @param candidates     every candidate primary ({@code upstream.hosts}); just {@code host:port} for {@code upstream.host}
 * @param followFailover true with {@code upstream.hosts}: a candidate must be a primary (writable, not replicating)
 *                       and must hold every transaction the relay stored; a new primary is followed by GTID
 */
public record UpstreamSettings(String host, int port, String user, String password, long serverId, String relayUuid,
                               StartPosition start, long heartbeatNanos, long reconnectMinMs,
                               long reconnectMaxMs, int connectTimeoutMs, UpstreamSecurity security, boolean semiSync,
                               List<Candidate> candidates, boolean followFailover) {
    /** One candidate primary. */
    public record Candidate(String host, int port) {
        public Candidate {
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public UpstreamSettings {
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(relayUuid, "relayUuid");
        candidates = candidates == null || candidates.isEmpty() ? List.of(new Candidate(host, port)) : List.copyOf(candidates);
    }

    /** One primary ({@code upstream.host} and {@code upstream.port}), no failover. */
    public UpstreamSettings(String host, int port, String user, String password, long serverId, String relayUuid,
                            StartPosition start, long heartbeatNanos, long reconnectMinMs, long reconnectMaxMs,
                            int connectTimeoutMs, UpstreamSecurity security, boolean semiSync) {
        this(host, port, user, password, serverId, relayUuid, start, heartbeatNanos, reconnectMinMs, reconnectMaxMs,
                connectTimeoutMs, security, semiSync, List.of(new Candidate(host, port)), false);
    }

    /** One primary, without semi-sync. */
    public UpstreamSettings(String host, int port, String user, String password, long serverId, String relayUuid,
                            StartPosition start, long heartbeatNanos, long reconnectMinMs, long reconnectMaxMs,
                            int connectTimeoutMs, UpstreamSecurity security) {
        this(host, port, user, password, serverId, relayUuid, start, heartbeatNanos, reconnectMinMs, reconnectMaxMs,
                connectTimeoutMs, security, false);
    }

    /** These settings aimed at {@code candidates().get(index)}. */
    public UpstreamSettings forCandidate(int index) {
        Candidate c = candidates.get(index);
        return new UpstreamSettings(c.host(), c.port(), user, password, serverId, relayUuid, start, heartbeatNanos,
                reconnectMinMs, reconnectMaxMs, connectTimeoutMs, security, semiSync, candidates, followFailover);
    }

    /** "host:port" of the connection these settings make. */
    public String address() {
        return new Candidate(host, port).toString();
    }
}
