package dev.binlogrelay.server.upstream;

/**
 * The primary lacks transactions the relay stored (it was behind, or its history forked): the relay does not
 * ingest from it, keeps serving readers what it holds, and checks again later ({@link UpstreamClient}).
 */
public final class ForkRefusedException extends UpstreamException {
    private final String missing;

    public ForkRefusedException(String message, String missing) {
        super(message);
        this.missing = missing;
    }

    /** The missing GTIDs, as the flavor names them. */
    public String missing() {
        return missing;
    }
}
