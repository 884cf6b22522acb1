package dev.binlogrelay.core.protocol;

/** MySQL error codes and SQL states the relay sends. */
public final class ErrorCodes {
    public static final int ER_CON_COUNT_ERROR = 1040;
    public static final int ER_ACCESS_DENIED = 1045;
    public static final int ER_UNKNOWN_COM_ERROR = 1047;
    public static final int ER_NOT_SUPPORTED_YET = 1235;
    public static final int ER_MASTER_FATAL_READING_BINLOG = 1236;
    public static final int ER_PARSE_ERROR = 1064;
    public static final int ER_NET_PACKETS_OUT_OF_ORDER = 1156;
    public static final int ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
    public static final int ER_HANDSHAKE_ERROR = 1043;
    /** MySQL 8.0.24+: sent before closing a connection idle for longer than wait_timeout. */
    public static final int ER_CLIENT_INTERACTION_TIMEOUT = 4031;

    public static final String STATE_ACCESS_DENIED = "28000";
    public static final String STATE_GENERAL = "HY000";
    public static final String STATE_SYNTAX = "42000";
    public static final String STATE_COMMAND = "08S01";
    public static final String STATE_CONNECTION = "08004";

    private ErrorCodes() {
    }
}
