package dev.binlogrelay.server.upstream;

/**
 * The relay will not ingest from this upstream (its identity is not the one the store was filled from): the client
 * logs it and stops reconnecting; readers are still served.
 */
public class UpstreamRefusedException extends UpstreamException {
    public UpstreamRefusedException(String message) {
        super(message);
    }
}
