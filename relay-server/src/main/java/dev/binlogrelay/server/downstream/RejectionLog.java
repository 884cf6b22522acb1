package dev.binlogrelay.server.downstream;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * WARN lines about refused peers (wrong passwords, malformed packets, connection limits), rate-limited so that a
 * peer retrying in a loop cannot flood the log: at most {@code perWindow} lines per window; the first line of the
 * next window says how many were left out. Peer-supplied strings in the arguments must already be made safe
 * ({@link dev.binlogrelay.core.protocol.PeerText}); no stack traces. Thread-safe (all event loops share one).
 */
final class RejectionLog {
    static final int PER_WINDOW = 20;
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final int perWindow;
    private final long windowNanos;
    private final LongSupplier clock;
    private long windowStart;
    private int logged;
    private long suppressed;

    RejectionLog(Logger log) {
        this(log, PER_WINDOW, WINDOW_NANOS, System::nanoTime);
    }

    RejectionLog(Logger log, int perWindow, long windowNanos, LongSupplier clock) {
        this.log = log;
        this.perWindow = perWindow;
        this.windowNanos = windowNanos;
        this.clock = clock;
        this.windowStart = clock.getAsLong();
    }

    /** Logs one WARN line (slf4j format) unless this window's share is used up. */
    void warn(String format, Object... args) {
        long left;
        synchronized (this) {
            long now = clock.getAsLong();
            if (now - windowStart >= windowNanos) {
                windowStart = now;
                logged = 0;
            }
            if (logged >= perWindow) {
                suppressed++;
                return;
            }
            logged++;
            left = suppressed;
            suppressed = 0;
        }
        if (!log.isWarnEnabled()) {
            return;
        }
        if (left == 0) {
            log.warn(format, args);
        } else {
            Object[] more = java.util.Arrays.copyOf(args, args.length + 1);
            more[args.length] = left;
            log.warn(format + " ({} similar lines before this one were left out)", more);
        }
    }

    /** Lines left out since the last one logged (for tests). */
    synchronized long suppressed() {
        return suppressed;
    }
}
