package dev.binlogrelay.server.upstream;

/** The upstream session failed; the client reconnects. */
public class UpstreamException extends RuntimeException {
    public UpstreamException(String message) {
        super(message);
    }
}
