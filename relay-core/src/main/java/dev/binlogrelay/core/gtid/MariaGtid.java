package dev.binlogrelay.core.gtid;

/** A MariaDB GTID: domain-server-sequence, all unsigned (sequence is 64-bit). */
public record MariaGtid(long domainId, long serverId, long sequence) {
    public static MariaGtid parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 3) {
            throw new IllegalArgumentException("'" + text + "' is not a MariaDB GTID (domain-server-sequence)");
        }
        try {
            for (String p : parts) {
                if (p.isEmpty() || !p.chars().allMatch(Character::isDigit)) {
                    throw new NumberFormatException(p);
                }
            }
            long domain = Long.parseUnsignedLong(parts[0]);
            long server = Long.parseUnsignedLong(parts[1]);
            if (domain > 0xFFFFFFFFL || server > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("'" + text + "': domain and server ids are 32-bit");
            }
            return new MariaGtid(domain, server, Long.parseUnsignedLong(parts[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a MariaDB GTID (domain-server-sequence)", e);
        }
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(domainId) + "-" + Long.toUnsignedString(serverId) + "-" + Long.toUnsignedString(sequence);
    }
}
