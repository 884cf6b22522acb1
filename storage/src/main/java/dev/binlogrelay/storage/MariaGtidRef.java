package dev.binlogrelay.storage;

/** A MariaDB GTID (domain-server-sequence) as kept by the store's GTID index. */
public record MariaGtidRef(long domainId, long serverId, long sequence) {
    @Override
    public String toString() {
        return Long.toUnsignedString(domainId) + "-" + Long.toUnsignedString(serverId) + "-" + Long.toUnsignedString(sequence);
    }
}
