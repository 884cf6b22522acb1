package dev.binlogrelay.core.binlog;

/** Binlog event type codes (MySQL and MariaDB share the space below 160; MariaDB's own start at 160). */
public final class EventType {
    public static final int UNKNOWN = 0;
    public static final int START_V3 = 1;
    public static final int QUERY = 2;
    public static final int STOP = 3;
    public static final int ROTATE = 4;
    public static final int INTVAR = 5;
    public static final int SLAVE = 7;
    public static final int APPEND_BLOCK = 9;
    public static final int DELETE_FILE = 11;
    public static final int RAND = 13;
    public static final int USER_VAR = 14;
    public static final int FORMAT_DESCRIPTION = 15;
    public static final int XID = 16;
    public static final int BEGIN_LOAD_QUERY = 17;
    public static final int EXECUTE_LOAD_QUERY = 18;
    public static final int TABLE_MAP = 19;
    public static final int WRITE_ROWS_V1 = 23;
    public static final int UPDATE_ROWS_V1 = 24;
    public static final int DELETE_ROWS_V1 = 25;
    public static final int INCIDENT = 26;
    public static final int HEARTBEAT = 27;
    public static final int IGNORABLE = 28;
    public static final int ROWS_QUERY = 29;
    public static final int WRITE_ROWS_V2 = 30;
    public static final int UPDATE_ROWS_V2 = 31;
    public static final int DELETE_ROWS_V2 = 32;
    public static final int GTID = 33;
    public static final int ANONYMOUS_GTID = 34;
    public static final int PREVIOUS_GTIDS = 35;
    public static final int TRANSACTION_CONTEXT = 36;
    public static final int VIEW_CHANGE = 37;
    public static final int XA_PREPARE = 38;
    public static final int PARTIAL_UPDATE_ROWS = 39;
    public static final int TRANSACTION_PAYLOAD = 40;
    public static final int HEARTBEAT_V2 = 41;
    public static final int GTID_TAGGED = 42;
    public static final int MARIA_ANNOTATE_ROWS = 160;
    public static final int MARIA_BINLOG_CHECKPOINT = 161;
    public static final int MARIA_GTID = 162;
    public static final int MARIA_GTID_LIST = 163;
    public static final int MARIA_START_ENCRYPTION = 164;
    public static final int MARIA_QUERY_COMPRESSED = 165;

    private EventType() {
    }

    public static String name(int type) {
        return switch (type) {
            case QUERY -> "QUERY";
            case STOP -> "STOP";
            case ROTATE -> "ROTATE";
            case INTVAR -> "INTVAR";
            case RAND -> "RAND";
            case USER_VAR -> "USER_VAR";
            case FORMAT_DESCRIPTION -> "FORMAT_DESCRIPTION";
            case XID -> "XID";
            case TABLE_MAP -> "TABLE_MAP";
            case WRITE_ROWS_V1 -> "WRITE_ROWS_V1";
            case UPDATE_ROWS_V1 -> "UPDATE_ROWS_V1";
            case DELETE_ROWS_V1 -> "DELETE_ROWS_V1";
            case HEARTBEAT -> "HEARTBEAT";
            case WRITE_ROWS_V2 -> "WRITE_ROWS_V2";
            case UPDATE_ROWS_V2 -> "UPDATE_ROWS_V2";
            case DELETE_ROWS_V2 -> "DELETE_ROWS_V2";
            case GTID -> "GTID";
            case ANONYMOUS_GTID -> "ANONYMOUS_GTID";
            case PREVIOUS_GTIDS -> "PREVIOUS_GTIDS";
            case XA_PREPARE -> "XA_PREPARE";
            case TRANSACTION_PAYLOAD -> "TRANSACTION_PAYLOAD";
            case HEARTBEAT_V2 -> "HEARTBEAT_V2";
            case GTID_TAGGED -> "GTID_TAGGED";
            case MARIA_ANNOTATE_ROWS -> "ANNOTATE_ROWS";
            case MARIA_BINLOG_CHECKPOINT -> "BINLOG_CHECKPOINT";
            case MARIA_GTID -> "MARIA_GTID";
            case MARIA_GTID_LIST -> "GTID_LIST";
            default -> "TYPE_" + type;
        };
    }
}
