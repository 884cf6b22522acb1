package dev.binlogrelay.server.upstream;

/**
 * What the operator can do to ingestion while the relay runs ({@code STOP SLAVE} / {@code START SLAVE}): pause it,
 * closing the connection to the primary and not reconnecting, and resume it from right after the last stored
 * transaction. Readers are not touched either way. Implemented by {@link UpstreamClient}; thread-safe.
 */
public interface UpstreamControl {
    /** Closes the upstream connection and stays disconnected until {@link #resume}; idempotent. */
    void pause();

    /** Connects again (if paused), resuming after the last stored transaction; idempotent. */
    void resume();

    /** True between {@link #pause} and {@link #resume}. */
    boolean paused();
}
