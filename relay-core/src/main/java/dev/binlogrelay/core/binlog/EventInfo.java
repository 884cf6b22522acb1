package dev.binlogrelay.core.binlog;

import dev.binlogrelay.core.gtid.MariaGtid;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What {@code SHOW BINLOG EVENTS} prints for an event: its Event_type name and its Info text, in the servers' own
 * words (their {@code get_type_str()} and {@code pack_info()}). Reads only what Info needs from the raw event:
 *
 * <pre>
 * FORMAT_DESCRIPTION  binlog_version (2) | server_version (50)        "Server ver: 10.11.6-MariaDB-log, Binlog ver: 4"
 * QUERY               thread (4) | exec_time (4) | db_len (1) | error (2) | status_len (2) | status | db | 0 | query
 *                                                                     "use `db`; query" [" /* xid=N *&#47;"  MySQL DDL]
 * ROTATE              position (8) | next file                       "mariadb-bin.000002;pos=4"
 * XID                 xid (8)                                         "COMMIT /* xid=123 *&#47;"
 * TABLE_MAP           table_id (6) | flags (2) | db_len (1) | db | 0 | table_len (1) | table | 0 ...
 *                                                                     "table_id: 33 (db.t)"
 * rows events         table_id (6) | flags (2) ...                    "table_id: 33 flags: STMT_END_F"
 * INTVAR              type (1) | value (8)                            "INSERT_ID=5"
 * RAND                seed1 (8) | seed2 (8)                           "rand_seed1=1,rand_seed2=2"
 * MariaDB GTID        sequence (8) | domain (4) | flags2 (1) | [commit_id (8)]
 *                                                                     "BEGIN GTID 0-1-5" / "GTID 0-1-6" [" cid=N"]
 * MariaDB GTID_LIST   count (4) | count x (domain (4) | server (4) | sequence (8))      "[0-1-5,1-2-3]"
 * BINLOG_CHECKPOINT   name_len (4) | name                             "mariadb-bin.000001"
 * ANNOTATE_ROWS       the statement                                   the statement
 * MySQL GTID          see {@link MysqlGtidEvent}                      "SET @@SESSION.GTID_NEXT= 'uuid:5'"
 * PREVIOUS_GTIDS      see {@link MysqlGtidEvent}                      "uuid:1-5,\nuuid2:1-3"
 * ROWS_QUERY          length (1) | statement                          "# statement"
 * QUERY_COMPRESSED    as QUERY, the statement zlib-compressed (see {@link QueryEvent})
 * XA_PREPARE          one_phase (1) | format_id (4) | gtrid_len (4) | bqual_len (4) | data
 *                                                                     "XA PREPARE X'7831',X'',1"
 * MariaDB GTID of a prepared XA: ... | format_id (4) | gtrid_len (1) | bqual_len (1) | data
 *                                                                     "XA START X'7831',X'',1 GTID 0-1-7"
 * </pre>
 * Events the relay has no text for (STOP, USER_VAR, payloads, ...) get "", as a server prints
 * for events without info. All bodies are bounds-checked: a malformed event gets "" rather than an exception.
 */
public final class EventInfo {
    private static final int FL_STANDALONE = 1;
    private static final int FL_GROUP_COMMIT_ID = 2;
    private static final int FL_PREPARED_XA = 64;

    private EventInfo() {
    }

    /** The Event_type column: the server's name for the event type. */
    public static String typeName(int type) {
        return switch (type) {
            case EventType.START_V3 -> "Start_v3";
            case EventType.QUERY -> "Query";
            case EventType.STOP -> "Stop";
            case EventType.ROTATE -> "Rotate";
            case EventType.INTVAR -> "Intvar";
            case EventType.APPEND_BLOCK -> "Append_block";
            case EventType.DELETE_FILE -> "Delete_file";
            case EventType.RAND -> "RAND";
            case EventType.USER_VAR -> "User var";
            case EventType.FORMAT_DESCRIPTION -> "Format_desc";
            case EventType.XID -> "Xid";
            case EventType.BEGIN_LOAD_QUERY -> "Begin_load_query";
            case EventType.EXECUTE_LOAD_QUERY -> "Execute_load_query";
            case EventType.TABLE_MAP -> "Table_map";
            case EventType.WRITE_ROWS_V1 -> "Write_rows_v1";
            case EventType.UPDATE_ROWS_V1 -> "Update_rows_v1";
            case EventType.DELETE_ROWS_V1 -> "Delete_rows_v1";
            case EventType.INCIDENT -> "Incident";
            case EventType.HEARTBEAT -> "Heartbeat";
            case EventType.IGNORABLE -> "Ignorable";
            case EventType.ROWS_QUERY -> "Rows_query";
            case EventType.WRITE_ROWS_V2 -> "Write_rows";
            case EventType.UPDATE_ROWS_V2 -> "Update_rows";
            case EventType.DELETE_ROWS_V2 -> "Delete_rows";
            case EventType.GTID -> "Gtid";
            case EventType.ANONYMOUS_GTID -> "Anonymous_Gtid";
            case EventType.PREVIOUS_GTIDS -> "Previous_gtids";
            case EventType.TRANSACTION_CONTEXT -> "Transaction_context";
            case EventType.VIEW_CHANGE -> "View_change";
            case EventType.XA_PREPARE -> "XA_prepare";
            case EventType.PARTIAL_UPDATE_ROWS -> "Update_rows_partial";
            case EventType.TRANSACTION_PAYLOAD -> "Transaction_payload";
            case EventType.HEARTBEAT_V2 -> "Heartbeat_v2";
            case EventType.GTID_TAGGED -> "Gtid_tagged";
            case EventType.MARIA_ANNOTATE_ROWS -> "Annotate_rows";
            case EventType.MARIA_BINLOG_CHECKPOINT -> "Binlog_checkpoint";
            case EventType.MARIA_GTID -> "Gtid";
            case EventType.MARIA_GTID_LIST -> "Gtid_list";
            case EventType.MARIA_START_ENCRYPTION -> "Start_encryption";
            case EventType.MARIA_QUERY_COMPRESSED -> "Query_compressed";
            case 166 -> "Write_rows_compressed_v1";
            case 167 -> "Update_rows_compressed_v1";
            case 168 -> "Delete_rows_compressed_v1";
            case 169 -> "Write_rows_compressed";
            case 170 -> "Update_rows_compressed";
            case 171 -> "Delete_rows_compressed";
            default -> "Unknown";
        };
    }

    /** The Info column for an event whose checksum algorithm is {@code alg}; "" when the relay has no text for it. */
    public static String info(byte[] e, ChecksumAlgorithm alg) {
        int end = e.length - (Events.type(e) == EventType.FORMAT_DESCRIPTION ? 0 : alg.trailerSize());
        try {
            return info(e, Events.HEADER_SIZE, end, alg);
        } catch (RuntimeException malformed) {
            return "";
        }
    }

    private static String info(byte[] e, int p, int end, ChecksumAlgorithm alg) {
        int type = Events.type(e);
        switch (type) {
            case EventType.FORMAT_DESCRIPTION -> {
                need(p, 52, end);
                return "Server ver: " + FormatDescription.serverVersion(e) + ", Binlog ver: " + Events.u16(e, p);
            }
            case EventType.QUERY, EventType.MARIA_QUERY_COMPRESSED -> {
                return query(e, end);
            }
            case EventType.XA_PREPARE -> {
                need(p, 13, end);
                long gtrid = Events.u32(e, p + 5);
                long bqual = Events.u32(e, p + 9);
                need(p + 13, (int) Math.min(gtrid + bqual, Integer.MAX_VALUE), end);
                String xid = xid(Events.u32(e, p + 1), e, p + 13, (int) gtrid, (int) bqual);
                return e[p] != 0 ? "XA COMMIT " + xid + " ONE PHASE" : "XA PREPARE " + xid;
            }
            case EventType.ROTATE -> {
                need(p, 8, end);
                return text(e, p + 8, end) + ";pos=" + Long.toUnsignedString(Events.u64(e, p));
            }
            case EventType.XID -> {
                need(p, 8, end);
                return "COMMIT /* xid=" + Long.toUnsignedString(Events.u64(e, p)) + " */";
            }
            case EventType.TABLE_MAP -> {
                need(p, 9, end);
                int dbLen = e[p + 8] & 0xFF;
                int tableAt = p + 9 + dbLen + 1;
                need(tableAt, 1, end);
                int tableLen = e[tableAt] & 0xFF;
                need(tableAt + 1, tableLen, end);
                return "table_id: " + tableId(e, p) + " (" + text(e, p + 9, p + 9 + dbLen) + "."
                        + text(e, tableAt + 1, tableAt + 1 + tableLen) + ")";
            }
            case EventType.INTVAR -> {
                need(p, 9, end);
                String name = switch (e[p]) {
                    case 1 -> "LAST_INSERT_ID";
                    case 2 -> "INSERT_ID";
                    default -> "INVALID_INT";
                };
                return name + "=" + Long.toUnsignedString(Events.u64(e, p + 1));
            }
            case EventType.RAND -> {
                need(p, 16, end);
                return "rand_seed1=" + Long.toUnsignedString(Events.u64(e, p)) + ",rand_seed2="
                        + Long.toUnsignedString(Events.u64(e, p + 8));
            }
            case EventType.MARIA_GTID -> {
                return mariaGtid(e, p, end);
            }
            case EventType.MARIA_GTID_LIST -> {
                StringBuilder b = new StringBuilder("[");
                List<MariaGtid> list = MariaGtidEvent.gtidList(e, alg);
                for (int i = 0; i < list.size(); i++) {
                    b.append(i == 0 ? "" : ",").append(list.get(i));
                }
                return b.append(']').toString();
            }
            case EventType.MARIA_BINLOG_CHECKPOINT -> {
                need(p, 4, end);
                long len = Events.u32(e, p);
                need(p + 4, (int) Math.min(len, Integer.MAX_VALUE), end);
                return text(e, p + 4, p + 4 + (int) len);
            }
            case EventType.MARIA_ANNOTATE_ROWS -> {
                return text(e, p, end);
            }
            case EventType.ROWS_QUERY -> {
                need(p, 1, end);
                return "# " + text(e, p + 1, end);
            }
            case EventType.GTID, EventType.GTID_TAGGED -> {
                return MysqlGtidEvent.gtid(e, alg).map(g -> "SET @@SESSION.GTID_NEXT= '" + g + "'").orElse("");
            }
            case EventType.ANONYMOUS_GTID -> {
                return "SET @@SESSION.GTID_NEXT= 'ANONYMOUS'";
            }
            case EventType.PREVIOUS_GTIDS -> {
                // MySQL prints a GTID set with ",\n" between its UUIDs (Gtid_set::default_string_format)
                return MysqlGtidEvent.previousGtids(e, alg).toString().replace(",", ",\n");
            }
            default -> {
                if (RowsEvents.isRows(type)) {
                    need(p, 8, end);
                    return "table_id: " + tableId(e, p)
                            + ((Events.u16(e, p + 6) & RowsEvents.STMT_END_F) != 0 ? " flags: STMT_END_F" : "");
                }
                return "";
            }
        }
    }

    /** "use `db`; statement" as the servers print it, with MySQL's " /* xid=N *&#47;" for an atomic DDL. */
    private static String query(byte[] e, int end) {
        QueryEvent q = QueryEvent.read(e, end, MAX_UNCOMPRESSED);
        StringBuilder b = new StringBuilder();
        if ((Events.flags(e) & QueryEvent.FLAG_SUPPRESS_USE) == 0 && !q.database().isEmpty()) {
            b.append("use `").append(q.database().replace("`", "``")).append("`; ");
        }
        b.append(q.statement());
        if (q.ddlXid() != -1) {
            b.append(" /* xid=").append(Long.toUnsignedString(q.ddlXid())).append(" */");
        }
        return b.toString();
    }

    /** Longest statement a QUERY_COMPRESSED may unpack to here (a server's max_allowed_packet at most). */
    private static final int MAX_UNCOMPRESSED = 1 << 30;

    /** An XA transaction id as the servers print it: X'gtrid',X'bqual',formatID (lower-case hex). */
    private static String xid(long formatId, byte[] e, int at, int gtrid, int bqual) {
        StringBuilder b = new StringBuilder("X'");
        hex(b, e, at, gtrid);
        b.append("',X'");
        hex(b, e, at + gtrid, bqual);
        return b.append("',").append(formatId).toString();
    }

    private static void hex(StringBuilder b, byte[] e, int at, int length) {
        for (int i = at; i < at + length; i++) {
            b.append(Character.forDigit((e[i] >> 4) & 0xF, 16)).append(Character.forDigit(e[i] & 0xF, 16));
        }
    }

    private static String mariaGtid(byte[] e, int p, int end) {
        need(p, 13, end);
        int flags2 = e[p + 12] & 0xFF;
        boolean preparedXa = (flags2 & FL_PREPARED_XA) != 0;
        StringBuilder b = new StringBuilder((flags2 & FL_STANDALONE) != 0 ? "GTID " : preparedXa ? "XA START " : "BEGIN GTID ");
        if (preparedXa) {
            int xa = p + 13 + ((flags2 & FL_GROUP_COMMIT_ID) != 0 ? 8 : 0);
            need(xa, 6, end);
            int gtrid = e[xa + 4] & 0xFF;
            int bqual = e[xa + 5] & 0xFF;
            need(xa + 6, gtrid + bqual, end);
            b.append(xid(Events.u32(e, xa), e, xa + 6, gtrid, bqual)).append(" GTID ");
        }
        b.append(Events.u32(e, p + 8)).append('-').append(Events.serverId(e)).append('-')
                .append(Long.toUnsignedString(Events.u64(e, p)));
        if ((flags2 & FL_GROUP_COMMIT_ID) != 0) {
            need(p + 13, 8, end);
            b.append(" cid=").append(Long.toUnsignedString(Events.u64(e, p + 13)));
        }
        return b.toString();
    }

    /** A 6-byte table id. */
    private static long tableId(byte[] e, int p) {
        return Events.u32(e, p) | (long) Events.u16(e, p + 4) << 32;
    }

    private static String text(byte[] e, int from, int to) {
        return new String(e, from, Math.max(0, to - from), StandardCharsets.UTF_8);
    }

    private static void need(int at, int length, int end) {
        if (length < 0 || at + (long) length > end) {
            throw new BinlogFormatException("event body ends at " + end + ", needed " + length + " bytes at " + at);
        }
    }
}
