package dev.binlogrelay.core.binlog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builders for synthetic binlog events (header, body, and a CRC when the algorithm is CRC32). */
final class TestEvents {
    static final long SERVER_ID = 1;
    static final long TIMESTAMP = 1_700_000_000L;

    private TestEvents() {
    }

    static byte[] event(int type, byte[] body, ChecksumAlgorithm alg) {
        byte[] e = new byte[Events.HEADER_SIZE + body.length + alg.trailerSize()];
        Events.writeHeader(e, TIMESTAMP, type, SERVER_ID, 1000, 0);
        System.arraycopy(body, 0, e, Events.HEADER_SIZE, body.length);
        if (alg == ChecksumAlgorithm.CRC32) {
            Events.fixCrc(e);
        }
        return e;
    }

    /**
     * QUERY: thread_id (4) | exec_time (4) | db_len (1) | error_code (2) | status_vars_len (2) | status_vars | db | 0
     * | statement.
     */
    static byte[] query(String db, String sql, ChecksumAlgorithm alg) {
        byte[] status = {0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 's', 't', 'd', 0x04, 0x21, 0x00}; // flags2, catalog
        byte[] dbBytes = db.getBytes(StandardCharsets.UTF_8);
        byte[] sqlBytes = sql.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[13 + status.length + dbBytes.length + 1 + sqlBytes.length];
        Events.put32(body, 0, 77);
        body[8] = (byte) dbBytes.length;
        body[11] = (byte) status.length;
        System.arraycopy(status, 0, body, 13, status.length);
        System.arraycopy(dbBytes, 0, body, 13 + status.length, dbBytes.length);
        System.arraycopy(sqlBytes, 0, body, 13 + status.length + dbBytes.length + 1, sqlBytes.length);
        return event(EventType.QUERY, body, alg);
    }

    static byte[] query(String sql, ChecksumAlgorithm alg) {
        return query("shop", sql, alg);
    }

    static byte[] xid(ChecksumAlgorithm alg) {
        return event(EventType.XID, new byte[8], alg);
    }

    /** An event whose body does not matter to the code under test. */
    static byte[] ofType(int type, ChecksumAlgorithm alg) {
        byte[] body = new byte[25];
        Arrays.fill(body, (byte) type);
        return event(type, body, alg);
    }

    /** MariaDB GTID: sequence (8) | domain (4) | flags2 (1) | padding (6); the server id is the header's. */
    static byte[] mariaGtid(long domain, long serverId, long sequence, int flags2, ChecksumAlgorithm alg) {
        byte[] body = new byte[19];
        Events.put64(body, 0, sequence);
        Events.put32(body, 8, domain);
        body[12] = (byte) flags2;
        byte[] e = event(EventType.MARIA_GTID, body, alg);
        Events.put32(e, Events.OFFSET_SERVER_ID, serverId);
        if (alg == ChecksumAlgorithm.CRC32) {
            Events.fixCrc(e);
        }
        return e;
    }

    /** A MariaDB GTID that opens a transaction (flags2 FL_TRANSACTIONAL | FL_ALLOW_PARALLEL, as 10.11 writes). */
    static byte[] mariaGtidTrans(long sequence, ChecksumAlgorithm alg) {
        return mariaGtid(0, SERVER_ID, sequence, 0x0C, alg);
    }

    /** A MariaDB GTID for a single statement (flags2 FL_STANDALONE | FL_DDL | FL_WAITED, as 10.11 writes for DDL). */
    static byte[] mariaGtidStandalone(long sequence, ChecksumAlgorithm alg) {
        return mariaGtid(0, SERVER_ID, sequence, 0x29, alg);
    }
}
