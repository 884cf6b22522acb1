package dev.binlogrelay.storage;

/**
 * An event handed to {@link BinlogWriter#appendGroup}. {@code gtid} is set on a MariaDB GTID event
 * so the store can index it; null otherwise.
 */
public record EventToStore(long position, byte[] bytes, int flags, MariaGtidRef gtid) {
}
