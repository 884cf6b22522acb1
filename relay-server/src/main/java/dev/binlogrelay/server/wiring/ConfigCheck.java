package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.RelayConfig;

import java.nio.file.Path;

/**
 * The whole check of a config file, as {@code run} and {@code import} do it before starting anything:
 * {@link ConfigLoader#load} (YAML, keys, and the values the config can judge alone), then every section turned into
 * the settings of the part that uses it, the way start-up turns it (users and their credentials, TLS and key files
 * read and matched, downstream limits, send limits, store options), without generating anything. A bad value is
 * one {@link ConfigException} line naming the file and the key.
 */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    public static RelayConfig load(Path file) {
        RelayConfig config = ConfigLoader.load(file);
        check(config, file);
        return config;
    }

    /** Checks a config that {@link ConfigLoader} read from {@code file} and validated. */
    public static void check(RelayConfig config, Path file) {
        try {
            SecurityConfig.check(config);
            SendSettings.limits(config.downstream);
            LimitsConfig.limits(config.downstream);
            StorageSettings.options(config.storage);
            SqlBackendConfig.settings(config.downstream);
            CanalConfig.settings(config.canal);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }
}
