package dev.binlogrelay.server.retention;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The limits of {@code storage.retention}: at most {@code maxBytes} stored bytes, no file whose last event is
 * older than {@code maxAge}. Either may be absent; with neither, nothing is ever purged.
 */
public record RetentionPolicy(OptionalLong maxBytes, Optional<Duration> maxAge, Duration checkInterval) {
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(10);

    public RetentionPolicy {
        if (maxBytes.isPresent() && maxBytes.getAsLong() < 1) {
            throw new IllegalArgumentException("max_bytes must be more than 0, not " + maxBytes.getAsLong());
        }
        if (maxAge.isPresent() && (maxAge.get().isZero() || maxAge.get().isNegative())) {
            throw new IllegalArgumentException("max_age must be more than 0, not " + maxAge.get());
        }
        if (checkInterval.isZero() || checkInterval.isNegative()) {
            throw new IllegalArgumentException("check_interval must be more than 0, not " + checkInterval);
        }
    }

    /** True if some limit is set, so there is something to enforce. */
    public boolean limits() {
        return maxBytes.isPresent() || maxAge.isPresent();
    }

    @Override
    public String toString() {
        return "max_bytes " + (maxBytes.isPresent() ? maxBytes.getAsLong() : "unlimited")
                + ", max_age " + maxAge.map(Duration::toString).orElse("unlimited") + ", checked every " + checkInterval;
    }
}
