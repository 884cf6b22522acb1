package dev.binlogrelay.core.protocol;

/** Server status flags sent in OK and EOF packets. */
public final class ServerStatus {
    public static final int AUTOCOMMIT = 0x0002;

    private ServerStatus() {
    }
}
