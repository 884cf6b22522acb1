package dev.binlogrelay.testkit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MariaDB GTID positions as the server prints them ({@code @@gtid_binlog_pos}, {@code @@gtid_slave_pos}):
 * comma-separated {@code domain-server-seq}, at most one per domain. Only domain and sequence number matter for
 * "has the replica got this far".
 */
final class GtidPositions {
    private GtidPositions() {
    }

    /** Domain id → sequence number; empty for null or blank. */
    static Map<Long, Long> parse(String position) {
        Map<Long, Long> seqByDomain = new LinkedHashMap<>();
        if (position == null || position.isBlank()) {
            return seqByDomain;
        }
        for (String gtid : position.split(",")) {
            String[] f = gtid.trim().split("-");
            if (f.length != 3) {
                throw new IllegalArgumentException("not a MariaDB GTID: '" + gtid.trim() + "' in '" + position + "'");
            }
            seqByDomain.put(Long.parseUnsignedLong(f[0]), Long.parseUnsignedLong(f[2]));
        }
        return seqByDomain;
    }

    /** True when {@code have} is at or past {@code want} in every domain {@code want} names. */
    static boolean covers(String have, String want) {
        Map<Long, Long> mine = parse(have);
        for (Map.Entry<Long, Long> e : parse(want).entrySet()) {
            Long seq = mine.get(e.getKey());
            if (seq == null || Long.compareUnsigned(seq, e.getValue()) < 0) {
                return false;
            }
        }
        return true;
    }
}
