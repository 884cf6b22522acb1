package dev.binlogrelay.core.protocol;

/** Server status flags sent in OK and EOF packets. */
public final class ServerStatus {
    /** SERVER_STATUS_IN_TRANS: a transaction is open (BEGIN / START TRANSACTION until COMMIT / ROLLBACK). */
    public static final int IN_TRANS = 0x0001;
    /** SERVER_STATUS_AUTOCOMMIT: the session's autocommit is on. */
    public static final int AUTOCOMMIT = 0x0002;

    private ServerStatus() {
    }
}
