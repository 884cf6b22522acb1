package dev.binlogrelay.storage;

/**
 * A reader asked for a position the store cannot serve: an unknown file, an offset that is not an event
 * boundary, a purged range, or a GTID the store never saw. The message is meant for the peer (ERR 1236).
 */
public class PositionException extends Exception {
    public PositionException(String message) {
        super(message);
    }
}
