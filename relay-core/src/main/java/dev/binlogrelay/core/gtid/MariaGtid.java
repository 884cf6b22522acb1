package dev.binlogrelay.core.gtid;

/** A MariaDB GTID: domain-server-sequence, all unsigned (sequence is 64-bit). */
public record MariaGtid(long domainId, long serverId, long sequence) {
    public static MariaGtid parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 3) {
            throw new IllegalArgumentException("'" + text + "' is not a MariaDB GTID (domain-server-sequence)");
        }
        try {
            return new MariaGtid(Long.parseUnsignedLong(parts[0]), Long.parseUnsignedLong(parts[1]),
                    Long.parseUnsignedLong(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a MariaDB GTID (domain-server-sequence)", e);
        }
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(domainId) + "-" + Long.toUnsignedString(serverId) + "-" + Long.toUnsignedString(sequence);
    }
}
