package dev.binlogrelay.server.downstream;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Per-host throttling of logins after repeated failures, like MySQL's connection_control plugin but with an
 * exponential delay: once a host (see {@link PeerHost}) has {@code threshold} failed logins, the answer to each
 * of its next logins, success or failure alike, is delayed by 1 s, then 2 s, 4 s, ... up to {@code maxDelay}.
 * A successful login forgets the host's failures; so does a quarter of an hour without a failure. Delaying
 * successes too means a client cannot tell the outcome by giving up early. At most {@link #MAX_HOSTS} hosts
 * are tracked. Thread-safe.
 */
final class AuthThrottle {
    static final int MAX_HOSTS = 10_000;
    static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(15);
    private static final long FIRST_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Failures(int count, long last) {
    }

    private final int threshold;
    private final long maxDelayNanos;
    private final LongSupplier clock;
    private final Map<String, Failures> hosts = new ConcurrentHashMap<>();

    AuthThrottle(int threshold, long maxDelayNanos) {
        this(threshold, maxDelayNanos, System::nanoTime);
    }

    AuthThrottle(int threshold, long maxDelayNanos, LongSupplier clock) {
        this.threshold = threshold;
        this.maxDelayNanos = maxDelayNanos;
        this.clock = clock;
    }

    /** How long to hold back the answer to a login from this host, in nanoseconds (0: answer now). */
    long delayNanos(String host) {
        if (threshold == 0) {
            return 0;
        }
        Failures f = hosts.get(host);
        if (f == null || f.count() < threshold || clock.getAsLong() - f.last() >= FORGET_AFTER_NANOS) {
            return 0;
        }
        int doublings = f.count() - threshold;
        long delay = doublings >= 32 ? Long.MAX_VALUE : FIRST_DELAY_NANOS << doublings;
        return Math.min(delay, maxDelayNanos);
    }

    void failure(String host) {
        if (threshold == 0) {
            return;
        }
        long now = clock.getAsLong();
        if (hosts.size() >= MAX_HOSTS && !hosts.containsKey(host)) {
            hosts.values().removeIf(f -> now - f.last() >= FORGET_AFTER_NANOS);
            if (hosts.size() >= MAX_HOSTS) {
                Iterator<String> any = hosts.keySet().iterator(); // still full of recent failures: make room
                any.next();
                any.remove();
            }
        }
        hosts.merge(host, new Failures(1, now),
                (old, one) -> now - old.last() >= FORGET_AFTER_NANOS ? one : new Failures(old.count() + 1, now));
    }

    void success(String host) {
        hosts.remove(host);
    }

    /** Hosts whose logins are delayed now (a gauge). */
    int throttledHosts() {
        long now = clock.getAsLong();
        return threshold == 0 ? 0 : (int) hosts.values().stream()
                .filter(f -> f.count() >= threshold && now - f.last() < FORGET_AFTER_NANOS).count();
    }
}
