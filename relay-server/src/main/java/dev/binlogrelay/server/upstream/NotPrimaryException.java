package dev.binlogrelay.server.upstream;

/** A candidate of {@code upstream.hosts} is not the primary (read-only, or replicating): the next one is tried. */
public final class NotPrimaryException extends UpstreamException {
    public NotPrimaryException(String message) {
        super(message);
    }
}
