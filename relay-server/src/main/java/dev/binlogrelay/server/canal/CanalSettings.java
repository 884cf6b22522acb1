package dev.binlogrelay.server.canal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What the Canal server needs from the {@code canal:} section.
 *
 * @param host          the listen address
 * @param port          the listen port (0: any free port)
 * @param destinations  by name
 * @param users         user → clear-text password; empty: no authentication
 * @param holdFilesFor  how long a client not seen keeps retention off its file
 * @param maxBatchBytes the most bytes of serialized entries in one batch (at least one entry)
 * @param maxConnections the most client connections at once; one more is refused with error 400
 * @param maxPendingBytes the global budget of Canal memory: batches being built and written, and the shared cache
 *                        of decoded entries (a quarter of it); a get waits while it is spent
 * @param writeTimeout    how long a batch's write may make no progress (the client reads nothing) before the
 *                        connection is closed; 5 s at most while the budget is spent and others wait ({@link
 *                        WriteDeadline}); zero: no bound
 */
public record CanalSettings(String host, int port, Map<String, Destination> destinations, Map<String, String> users,
                            Duration holdFilesFor, long maxBatchBytes, int maxConnections, long maxPendingBytes,
                            Duration writeTimeout) {
    /** Largest request frame a client may send (Canal's requests are a few hundred bytes, a long filter a few KiB). */
    public static final int MAX_FRAME = 64 * 1024;
    /** {@code canal.max_pending_bytes} when not set: 256 MiB. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 256L << 20;
    /** {@code canal.write_timeout} when not set: 60 s (as {@code downstream.write_timeout}). */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);

    /** With the default memory budget. */
    public CanalSettings(String host, int port, Map<String, Destination> destinations, Map<String, String> users,
                         Duration holdFilesFor, long maxBatchBytes, int maxConnections) {
        this(host, port, destinations, users, holdFilesFor, maxBatchBytes, maxConnections, DEFAULT_MAX_PENDING_BYTES);
    }

    /** With the default write timeout. */
    public CanalSettings(String host, int port, Map<String, Destination> destinations, Map<String, String> users,
                         Duration holdFilesFor, long maxBatchBytes, int maxConnections, long maxPendingBytes) {
        this(host, port, destinations, users, holdFilesFor, maxBatchBytes, maxConnections, maxPendingBytes,
                DEFAULT_WRITE_TIMEOUT);
    }

    /** One destination: its default filter and where a new client starts. */
    public record Destination(String name, CanalFilter filter, boolean startEarliest) {
        public Destination {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(filter, "filter");
        }
    }

    public CanalSettings {
        destinations = Map.copyOf(destinations);
        users = Map.copyOf(users);
        Objects.requireNonNull(holdFilesFor, "holdFilesFor");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (writeTimeout.isNegative()) {
            throw new IllegalArgumentException("writeTimeout must not be negative, not " + writeTimeout);
        }
        if (maxBatchBytes < 1 || maxConnections < 1 || maxPendingBytes < 4) {
            throw new IllegalArgumentException("maxBatchBytes, maxConnections and maxPendingBytes must be more than 0");
        }
    }
}
