package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.schema.SchemaHistorySettings;

/** {@code schema_history} turned into the {@link SchemaHistorySettings}. */
public final class SchemaHistoryConfig {
    private SchemaHistoryConfig() {
    }

    /**
     * The settings of a validated config section (null: absent).
     *
     * @param needed whether a part that decodes rows is configured (the Canal front end): the history is on then,
     *               unless the section says {@code enabled: false}
     */
    public static SchemaHistorySettings settings(RelayConfig.SchemaHistory h, boolean needed) {
        if (h == null) {
            return needed ? SchemaHistorySettings.DEFAULT.on() : SchemaHistorySettings.DEFAULT;
        }
        boolean enabled = h.enabled != null ? h.enabled : needed;
        return new SchemaHistorySettings(enabled, h.maxTables, Quantities.bytes(h.maxBytes));
    }
}
