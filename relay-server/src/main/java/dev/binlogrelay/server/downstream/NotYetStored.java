package dev.binlogrelay.server.downstream;

import dev.binlogrelay.storage.PositionException;

/**
 * A reader asked to start where the relay has not got to yet: a position past the newest file's stored end, a file
 * after the newest, a GTID past the last one stored in its domain, or anything while the store is empty. The primary
 * may well have it already (a snapshot through {@code downstream.sql_backend} reads the primary's coordinates), so
 * the dump waits for it, up to {@code downstream.start_wait} ({@link DumpStartWait}); the message is the reader's ERR
 * 1236 text if it does not arrive.
 */
final class NotYetStored extends PositionException {
    NotYetStored(String message) {
        super(message);
    }
}
