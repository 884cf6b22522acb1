package dev.binlogrelay.core.protocol;

/** A peer sent bytes that break the MySQL client/server protocol. The connection is not usable afterwards. */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
