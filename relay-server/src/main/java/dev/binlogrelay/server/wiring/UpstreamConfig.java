package dev.binlogrelay.server.wiring;

import dev.binlogrelay.core.flavor.StartPosition;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.upstream.UpstreamSettings;

/** The {@code upstream} section turned into the upstream client's {@link UpstreamSettings}. */
public final class UpstreamConfig {
    private UpstreamConfig() {
    }

    /**
     * The settings of a validated config's upstream (which must be present).
     *
     * @throws dev.binlogrelay.server.config.ConfigException naming a bad TLS key
     */
    public static UpstreamSettings settings(RelayConfig config) {
        RelayConfig.Upstream u = config.upstream;
        return new UpstreamSettings(u.host, u.port, u.user, u.password, config.serverId,
                RelayInfo.serverUuid(config.serverId), StartPosition.parse(u.start), (long) (u.heartbeatPeriod * 1e9),
                u.reconnectMinMs, u.reconnectMaxMs, u.connectTimeoutMs, SecurityConfig.upstream(u),
                Boolean.TRUE.equals(u.semiSync));
    }
}
