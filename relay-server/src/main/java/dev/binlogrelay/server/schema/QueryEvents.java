package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventInfo;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;

import java.nio.charset.StandardCharsets;

/**
 * The default database and statement of a QUERY event (and MariaDB's QUERY_COMPRESSED):
 * <pre>
 * header (19) | thread_id (4) | exec_time (4) | db_len (1) | error_code (2) | status_vars_len (2)
 *             | status_vars (status_vars_len) | db (db_len) | 0x00 | statement (to the end, before a CRC32)
 * </pre>
 * QUERY_COMPRESSED holds the statement zlib-compressed ({@link EventInfo} inflates it, bounded).
 */
final class QueryEvents {
    /** A QUERY event's default database ("" when none) and statement. */
    record Query(String database, String sql) {
    }

    private static final int POST_HEADER = 13;
    private static final int FLAG_SUPPRESS_USE = 0x8;

    private QueryEvents() {
    }

    static boolean isQuery(byte[] e) {
        int t = Events.type(e);
        return t == EventType.QUERY || t == EventType.MARIA_QUERY_COMPRESSED;
    }

    /** The query of a QUERY event; null if the event is too short for what it announces. */
    static Query parse(byte[] e, ChecksumAlgorithm alg) {
        int p = Events.HEADER_SIZE;
        int end = e.length - alg.trailerSize();
        if (end < p + POST_HEADER) {
            return null;
        }
        int dbLen = e[p + 8] & 0xFF;
        int statusLen = (e[p + 11] & 0xFF) | (e[p + 12] & 0xFF) << 8;
        int db = p + POST_HEADER + statusLen;
        int statement = db + dbLen + 1;
        if (statement > end) {
            return null;
        }
        String database = new String(e, db, dbLen, StandardCharsets.UTF_8);
        if (Events.type(e) == EventType.QUERY) {
            return new Query(database, new String(e, statement, end - statement, StandardCharsets.UTF_8));
        }
        String info = EventInfo.info(e, alg); // "use `db`; statement", inflated
        String prefix = (Events.flags(e) & FLAG_SUPPRESS_USE) == 0 && dbLen > 0
                ? "use `" + database.replace("`", "``") + "`; " : "";
        return info.startsWith(prefix) ? new Query(database, info.substring(prefix.length())) : null;
    }
}
