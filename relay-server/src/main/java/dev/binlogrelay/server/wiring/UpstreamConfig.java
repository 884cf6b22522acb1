package dev.binlogrelay.server.wiring;

import dev.binlogrelay.core.flavor.StartPosition;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.upstream.UpstreamSettings;

import java.util.List;

/** The {@code upstream} section turned into the upstream client's {@link UpstreamSettings}. */
public final class UpstreamConfig {
    private UpstreamConfig() {
    }

    /**
     * The settings of a validated config's upstream (which must be present): with {@code upstream.hosts}, aimed at
     * the first candidate and following a failover among all of them.
     *
     * @throws dev.binlogrelay.server.config.ConfigException naming a bad TLS key
     */
    public static UpstreamSettings settings(RelayConfig config) {
        RelayConfig.Upstream u = config.upstream;
        List<UpstreamSettings.Candidate> candidates = candidates(u);
        UpstreamSettings.Candidate first = candidates.get(0);
        return new UpstreamSettings(first.host(), first.port(), u.user, u.password, config.serverId,
                RelayInfo.serverUuid(config.serverId), StartPosition.parse(u.start), (long) (u.heartbeatPeriod * 1e9),
                u.reconnectMinMs, u.reconnectMaxMs, u.connectTimeoutMs, SecurityConfig.upstream(u),
                Boolean.TRUE.equals(u.semiSync), candidates, u.hosts != null);
    }

    /** The candidate primaries: {@code upstream.hosts}, or the one {@code upstream.host:port}. */
    public static List<UpstreamSettings.Candidate> candidates(RelayConfig.Upstream u) {
        if (u.hosts == null) {
            return List.of(new UpstreamSettings.Candidate(u.host, u.port));
        }
        return u.hosts.stream().map(ConfigLoader.HostPort::parse)
                .map(h -> new UpstreamSettings.Candidate(h.host(), h.port())).toList();
    }

    /**
     * What the store records as the upstream it is filled from ({@code origin.upstream}): "host:port", or the
     * candidates joined by commas.
     */
    public static String address(RelayConfig.Upstream u) {
        return String.join(",", candidates(u).stream().map(UpstreamSettings.Candidate::toString).toList());
    }
}
