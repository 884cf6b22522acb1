package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.Events;

import java.nio.charset.StandardCharsets;

/**
 * What a Canal entry needs of a QUERY event: the session's thread id, the default database and the statement.
 * <pre>
 * header (19) | thread_id (4) | exec_time (4) | db_len (1) | error_code (2) | status_len (2) | status vars
 *             | db (db_len) | 0 | statement (to the body's end)
 * </pre>
 * The statement is read as UTF-8 (what a Canal server's default connection charset makes of it).
 *
 * @param threadId the session that ran it (TransactionBegin.threadId)
 * @param database the default database, "" when none
 * @param sql      the statement
 */
record QueryEvent(long threadId, String database, String sql) {
    /** Reads the QUERY event whose body ends at {@code bodyEnd} (before any checksum). */
    static QueryEvent read(byte[] e, int bodyEnd) {
        int p = Events.HEADER_SIZE;
        if (bodyEnd - p < 13) {
            throw new BinlogFormatException("QUERY event of " + e.length + " bytes is shorter than its fixed part");
        }
        long thread = Events.u32(e, p);
        int dbLen = e[p + 8] & 0xFF;
        int statusLen = Events.u16(e, p + 11);
        int db = p + 13 + statusLen;
        int sql = db + dbLen + 1;
        if (sql > bodyEnd) {
            throw new BinlogFormatException("QUERY event: status vars (" + statusLen + ") and database (" + dbLen
                    + ") overrun its body of " + (bodyEnd - p) + " bytes");
        }
        return new QueryEvent(thread, new String(e, db, dbLen, StandardCharsets.UTF_8),
                new String(e, sql, bodyEnd - sql, StandardCharsets.UTF_8));
    }

    /** The xid of an XID event (its 8-byte body). */
    static long xid(byte[] e, int bodyEnd) {
        if (bodyEnd - Events.HEADER_SIZE < 8) {
            throw new BinlogFormatException("XID event of " + e.length + " bytes has no xid");
        }
        return Events.u64(e, Events.HEADER_SIZE);
    }
}
