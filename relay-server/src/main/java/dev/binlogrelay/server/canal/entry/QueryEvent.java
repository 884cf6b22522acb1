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
        return read(e, bodyEnd, -1);
    }

    /**
     * Reads a QUERY event, or with {@code maxStatement} >= 0 a MariaDB QUERY_COMPRESSED, whose statement is
     * {@code 0x80 | n (1) | length (n, big-endian) | zlib data} and may inflate to at most {@code maxStatement}.
     */
    static QueryEvent read(byte[] e, int bodyEnd, int maxStatement) {
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
        String database = new String(e, db, dbLen, StandardCharsets.UTF_8);
        if (maxStatement < 0) {
            return new QueryEvent(thread, database, new String(e, sql, bodyEnd - sql, StandardCharsets.UTF_8));
        }
        return new QueryEvent(thread, database, inflate(e, sql, bodyEnd, maxStatement));
    }

    private static String inflate(byte[] e, int from, int end, int max) {
        int n = from < end ? e[from] & 0x07 : -1;
        if (n < 1 || n > 4 || from + 1 + n > end) {
            throw new BinlogFormatException("QUERY_COMPRESSED without a valid length header");
        }
        long length = 0;
        for (int i = 0; i < n; i++) {
            length = length << 8 | (e[from + 1 + i] & 0xFF);
        }
        if (length > max) {
            throw new BinlogFormatException("QUERY_COMPRESSED statement of " + length + " bytes (limit " + max + ")");
        }
        byte[] out = new byte[(int) length];
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
            inflater.setInput(e, from + 1 + n, end - from - 1 - n);
            int got = 0;
            while (got < out.length) {
                int k = inflater.inflate(out, got, out.length - got);
                if (k == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                got += k;
            }
            if (got != out.length) {
                throw new BinlogFormatException("QUERY_COMPRESSED statement inflates to " + got + " bytes, not "
                        + length);
            }
        } catch (java.util.zip.DataFormatException bad) {
            throw new BinlogFormatException("QUERY_COMPRESSED statement is not zlib data: " + bad.getMessage());
        } finally {
            inflater.end();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The xid of an XID event (its 8-byte body). */
    static long xid(byte[] e, int bodyEnd) {
        if (bodyEnd - Events.HEADER_SIZE < 8) {
            throw new BinlogFormatException("XID event of " + e.length + " bytes has no xid");
        }
        return Events.u64(e, Events.HEADER_SIZE);
    }
}
