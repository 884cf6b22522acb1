package dev.binlogrelay.server.canal;

/**
 * A request the Canal server refuses, with the code Canal's server gives: 400 for most refusals (bad login, a
 * destination it does not serve, a batch id that is not outstanding, a subscription missing), 401 for a request
 * without destination or client id, 402 for an ack without a batch id. The connection stays open, as with Canal,
 * unless {@link #closes()}.
 */
final class CanalError extends RuntimeException {
    private final int code;
    private final boolean closes;

    CanalError(int code, String message) {
        this(code, message, false);
    }

    CanalError(int code, String message, boolean closes) {
        super(message, null, false, false);
        this.code = code;
        this.closes = closes;
    }

    int code() {
        return code;
    }

    boolean closes() {
        return closes;
    }
}
