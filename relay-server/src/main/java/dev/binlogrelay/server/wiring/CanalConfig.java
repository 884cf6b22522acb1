package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.canal.CanalFilter;
import dev.binlogrelay.server.canal.CanalSettings;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code canal:} turned into the {@link CanalSettings}; null when the section is absent (no Canal server). */
public final class CanalConfig {
    private CanalConfig() {
    }

    public static CanalSettings settings(RelayConfig.Canal c) {
        if (c == null) {
            return null;
        }
        var listen = ConfigLoader.ListenAddress.parse(c.listen);
        Map<String, CanalSettings.Destination> destinations = new LinkedHashMap<>();
        for (int i = 0; i < c.destinations.size(); i++) {
            RelayConfig.CanalDestination d = c.destinations.get(i);
            CanalFilter filter;
            try {
                filter = CanalFilter.parse(d.filter);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("bad value for 'canal.destinations[" + i + "].filter': " + e.getMessage());
            }
            destinations.put(d.name, new CanalSettings.Destination(d.name, filter, "earliest".equals(d.start)));
        }
        Map<String, String> users = new LinkedHashMap<>();
        if (c.users != null) {
            c.users.forEach(u -> users.put(u.user, u.password));
        }
        return new CanalSettings(listen.host(), listen.port(), destinations, users, Quantities.duration(c.holdFilesFor),
                Quantities.bytes(c.maxBatchBytes), c.maxConnections);
    }
}
