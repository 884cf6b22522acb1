package dev.binlogrelay.server.upstream;

import org.slf4j.Logger;

/**
 * How {@link UpstreamClient} logs a failed connection: a new reason once (a fork refusal as an error, an expected
 * failure as a warning, anything else with its stack trace), a repeat at debug level.
 */
final class FailureLog {
    private FailureLog() {
    }

    static void changed(Logger log, Throwable error, String where, String reason, String next, long delay, int failures) {
        boolean expected = error == null || error instanceof UpstreamException || error instanceof java.io.IOException
                || error instanceof dev.binlogrelay.core.protocol.ProtocolException
                || error instanceof dev.binlogrelay.core.binlog.BinlogFormatException
                || error instanceof dev.binlogrelay.core.flavor.UnsupportedFlavorException;
        if (error instanceof ForkRefusedException) {
            log.error("upstream {}: {}", where, reason);
        } else if (expected) {
            log.warn("upstream {}: {}; {} in {} ms (failure {} in a row; repeats of this reason are logged at debug level)",
                    where, reason, next, delay, failures);
        } else {
            log.error("upstream {} failed; {} in {} ms", where, next, delay, error);
        }
    }

    static void repeated(Logger log, String where, String reason, String next, long delay, int failures) {
        log.debug("upstream {}: {} again; {} in {} ms (failure {} in a row)", where, reason, next, delay, failures);
    }
}
