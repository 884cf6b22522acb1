package dev.binlogrelay.core.binlog;

import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A QUERY event, and MariaDB's QUERY_COMPRESSED: the one reader of their layout for everything that needs a
 * statement (group tracking, SHOW BINLOG EVENTS, the schema history, Canal entries).
 * <pre>
 * header (19) | thread_id (4) | exec_time (4) | db_len (1) | error_code (2) | status_vars_len (2)
 *             | status_vars (status_vars_len) | db (db_len) | 0x00 | statement (to the body's end, before a CRC32)
 * QUERY_COMPRESSED: the statement is 0x80 | n (1, low 3 bits) | length (n, big-endian) | zlib data
 * </pre>
 * Text is read as UTF-8.
 *
 * @param threadId  the session that ran the statement
 * @param database  the default database, "" when none
 * @param statement the statement (inflated for QUERY_COMPRESSED)
 * @param ddlXid    MySQL's Q_DDL_LOGGED_WITH_XID status variable (the xid of an atomic DDL), or -1
 */
public record QueryEvent(long threadId, String database, String statement, long ddlXid) {
    /** LOG_EVENT_SUPPRESS_USE_F in the header's flags: the default database is not printed as "use db". */
    public static final int FLAG_SUPPRESS_USE = 0x8;
    private static final int POST_HEADER = 13;
    private static final int Q_DDL_LOGGED_WITH_XID = 17;

    /** Whether {@code type} is a QUERY event or MariaDB's QUERY_COMPRESSED. */
    public static boolean is(int type) {
        return type == EventType.QUERY || type == EventType.MARIA_QUERY_COMPRESSED;
    }

    /**
     * Where the statement starts in a QUERY (or QUERY_COMPRESSED) event whose body ends at {@code bodyEnd}; -1 if
     * the event is too short for the status variables and database it announces.
     */
    public static int statementStart(byte[] e, int bodyEnd) {
        int p = Events.HEADER_SIZE;
        if (bodyEnd > e.length || bodyEnd < p + POST_HEADER) {
            return -1;
        }
        int start = p + POST_HEADER + Events.u16(e, p + 11) + (e[p + 8] & 0xFF) + 1;
        return start <= bodyEnd ? start : -1;
    }

    /** Reads the event; its body ends where {@code alg}'s trailer starts. */
    public static QueryEvent read(byte[] e, ChecksumAlgorithm alg, int maxStatement) {
        return read(e, e.length - alg.trailerSize(), maxStatement);
    }

    /**
     * Reads the QUERY or QUERY_COMPRESSED event whose body ends at {@code bodyEnd}. A compressed statement may
     * inflate to at most {@code maxStatement} bytes (and to no more than 1024 times its compressed size).
     *
     * @throws BinlogFormatException if the event is not what its lengths say
     */
    public static QueryEvent read(byte[] e, int bodyEnd, int maxStatement) {
        int start = statementStart(e, bodyEnd);
        if (start < 0) {
            throw new BinlogFormatException("QUERY event of " + e.length + " bytes: its fixed part, status variables "
                    + "and database overrun its body");
        }
        int p = Events.HEADER_SIZE;
        int status = p + POST_HEADER;
        int dbLen = e[p + 8] & 0xFF;
        int db = start - 1 - dbLen;
        String database = new String(e, db, dbLen, StandardCharsets.UTF_8);
        String statement = Events.type(e) == EventType.MARIA_QUERY_COMPRESSED
                ? inflate(e, start, bodyEnd, maxStatement)
                : new String(e, start, bodyEnd - start, StandardCharsets.UTF_8);
        return new QueryEvent(Events.u32(e, p), database, statement, ddlXid(e, status, db));
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
        if (length > max || length > 1024L * (end - from)) {
            throw new BinlogFormatException("QUERY_COMPRESSED statement of " + length + " bytes (limit "
                    + Math.min(max, 1024L * (end - from)) + ")");
        }
        byte[] out = new byte[(int) length];
        Inflater inflater = new Inflater();
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
            if (got == out.length && !inflater.finished() && inflater.inflate(new byte[1]) > 0) {
                got++;
            }
            if (got != out.length || !inflater.finished()) {
                throw new BinlogFormatException("QUERY_COMPRESSED statement does not inflate to its " + length
                        + " bytes and the zlib stream's end (" + got + (inflater.finished() ? "" : ", cut short") + ")");
            }
        } catch (DataFormatException bad) {
            throw new BinlogFormatException("QUERY_COMPRESSED statement is not zlib data: " + bad.getMessage());
        } finally {
            inflater.end();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * MySQL's Q_DDL_LOGGED_WITH_XID among the status variables in [from, to), or -1. Walks the variables MySQL
     * defines (code, then a value whose length the code decides); stops at a code it does not know (MariaDB's
     * own start at 128), since the rest cannot be read then.
     */
    private static long ddlXid(byte[] e, int from, int to) {
        int p = from;
        while (p < to) {
            int code = e[p++] & 0xFF;
            int length = switch (code) {
                case 0, 3, 10 -> 4;
                case 1, 9 -> 8;
                case 2 -> p < to ? (e[p] & 0xFF) + 2 : -1;
                case 4 -> 6;
                case 5, 6 -> p < to ? (e[p] & 0xFF) + 1 : -1;
                case 7, 8, 18 -> 2;
                case 11 -> invokerLength(e, p, to);
                case 12 -> updatedDbNamesLength(e, p, to);
                case 13 -> 3;
                case 16, 19, 20 -> 1;
                case Q_DDL_LOGGED_WITH_XID -> 8;
                default -> -1;
            };
            if (length < 0 || p + length > to) {
                return -1;
            }
            if (code == Q_DDL_LOGGED_WITH_XID) {
                return Events.u64(e, p);
            }
            p += length;
        }
        return -1;
    }

    /** Q_INVOKER: user length (1) | user | host length (1) | host. */
    private static int invokerLength(byte[] e, int p, int to) {
        if (p >= to) {
            return -1;
        }
        int hostAt = p + 1 + (e[p] & 0xFF);
        return hostAt < to ? 1 + (e[p] & 0xFF) + 1 + (e[hostAt] & 0xFF) : -1;
    }

    /** Q_UPDATED_DB_NAMES: count (1) and, unless the count is 254 (too many), that many NUL-terminated names. */
    private static int updatedDbNamesLength(byte[] e, int p, int to) {
        if (p >= to) {
            return -1;
        }
        int count = e[p] & 0xFF;
        int q = p + 1;
        for (int i = 0; count != 254 && i < count; i++) {
            while (q < to && e[q] != 0) {
                q++;
            }
            if (q >= to) {
                return -1;
            }
            q++;
        }
        return q - p;
    }
}
