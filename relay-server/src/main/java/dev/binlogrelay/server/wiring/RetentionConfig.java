package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.retention.RetentionPolicy;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** {@code storage.retention} turned into the {@link RetentionPolicy}. */
public final class RetentionConfig {
    private RetentionConfig() {
    }

    /** The policy of a validated config section; null means keep everything. */
    public static RetentionPolicy policy(RelayConfig.Retention r) {
        if (r == null) {
            return new RetentionPolicy(OptionalLong.empty(), Optional.empty(), RetentionPolicy.DEFAULT_CHECK_INTERVAL);
        }
        return new RetentionPolicy(
                r.maxBytes == null ? OptionalLong.empty() : OptionalLong.of(Quantities.bytes(r.maxBytes)),
                r.maxAge == null ? Optional.<Duration>empty() : Optional.of(Quantities.duration(r.maxAge)),
                r.checkInterval == null ? RetentionPolicy.DEFAULT_CHECK_INTERVAL : Quantities.duration(r.checkInterval));
    }
}
