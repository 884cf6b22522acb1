package dev.binlogrelay.core.binlog;

import dev.binlogrelay.core.gtid.MariaGtid;

/**
 * MariaDB's GTID event (type 162), which opens every event group.
 *
 * <pre>
 * header (server_id is the GTID's server id)
 * sequence (8) | domain_id (4) | flags2 (1) | commit_id (8, with FL_GROUP_COMMIT_ID) | ...
 * </pre>
 */
public final class MariaGtidEvent {
    public static final int FL_STANDALONE = 1;

    private MariaGtidEvent() {
    }

    public static MariaGtid gtid(byte[] e) {
        if (e.length < Events.HEADER_SIZE + 13) {
            throw new BinlogFormatException("MariaDB GTID event of " + e.length + " bytes is too short");
        }
        long seq = Events.u64(e, Events.HEADER_SIZE);
        long domain = Events.u32(e, Events.HEADER_SIZE + 8);
        return new MariaGtid(domain, Events.serverId(e), seq);
    }

    public static int flags2(byte[] e) {
        return e[Events.HEADER_SIZE + 12] & 0xFF;
    }

    /** The GTIDs a GTID_LIST event (type 163) carries. */
    public static java.util.List<MariaGtid> gtidList(byte[] e, ChecksumAlgorithm alg) {
        int end = e.length - alg.trailerSize();
        if (end < Events.HEADER_SIZE + 4) {
            throw new BinlogFormatException("GTID_LIST event of " + e.length + " bytes is too short");
        }
        int count = (int) (Events.u32(e, Events.HEADER_SIZE) & 0x0FFFFFFF);
        if (Events.HEADER_SIZE + 4 + 16L * count > end) {
            throw new BinlogFormatException("GTID_LIST announces " + count + " GTIDs but is " + e.length + " bytes");
        }
        java.util.List<MariaGtid> list = new java.util.ArrayList<>(count);
        for (int i = 0, off = Events.HEADER_SIZE + 4; i < count; i++, off += 16) {
            list.add(new MariaGtid(Events.u32(e, off), Events.u32(e, off + 4), Events.u64(e, off + 8)));
        }
        return list;
    }
}
