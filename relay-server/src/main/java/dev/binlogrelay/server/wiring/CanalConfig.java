package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.canal.CanalFilter;
import dev.binlogrelay.server.canal.CanalServer;
import dev.binlogrelay.server.canal.CanalSettings;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.schema.SchemaHistory;
import dev.binlogrelay.storage.BinlogStore;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code canal:} turned into the {@link CanalSettings}; null when the section is absent (no Canal server). */
public final class CanalConfig {
    private CanalConfig() {
    }

    /**
     * The Canal server of a validated {@code canal:} section, bound, its clients' entries decoded with the schema
     * history's definitions; null without the section.
     */
    public static CanalServer start(RelayConfig.Canal c, BinlogStore store, SchemaHistory history) throws InterruptedException {
        CanalSettings settings = settings(c);
        if (settings == null) {
            return null;
        }
        CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                .schemas((file, position) -> history.trackerAt(file, position));
        try {
            server.bind();
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
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
                Quantities.bytes(c.maxBatchBytes), c.maxConnections, Quantities.bytes(c.maxPendingBytes),
                c.writeTimeout == null ? CanalSettings.DEFAULT_WRITE_TIMEOUT : Quantities.duration(c.writeTimeout));
    }
}
