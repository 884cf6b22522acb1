package dev.binlogrelay.core.protocol;

/** Command bytes (first byte of a client packet in the command phase). */
public final class Commands {
    public static final int COM_SLEEP = 0x00;
    public static final int COM_QUIT = 0x01;
    public static final int COM_INIT_DB = 0x02;
    public static final int COM_QUERY = 0x03;
    public static final int COM_FIELD_LIST = 0x04;
    public static final int COM_STATISTICS = 0x09;
    public static final int COM_PING = 0x0E;
    public static final int COM_BINLOG_DUMP = 0x12;
    public static final int COM_REGISTER_SLAVE = 0x15;
    public static final int COM_RESET_CONNECTION = 0x1F;
    public static final int COM_BINLOG_DUMP_GTID = 0x1E;
    public static final int COM_SET_OPTION = 0x1B;

    private Commands() {
    }

    public static String name(int command) {
        return switch (command) {
            case COM_SLEEP -> "COM_SLEEP";
            case COM_QUIT -> "COM_QUIT";
            case COM_INIT_DB -> "COM_INIT_DB";
            case COM_QUERY -> "COM_QUERY";
            case COM_FIELD_LIST -> "COM_FIELD_LIST";
            case COM_STATISTICS -> "COM_STATISTICS";
            case COM_PING -> "COM_PING";
            case COM_BINLOG_DUMP -> "COM_BINLOG_DUMP";
            case COM_REGISTER_SLAVE -> "COM_REGISTER_SLAVE";
            case COM_RESET_CONNECTION -> "COM_RESET_CONNECTION";
            case COM_BINLOG_DUMP_GTID -> "COM_BINLOG_DUMP_GTID";
            case COM_SET_OPTION -> "COM_SET_OPTION";
            default -> String.format("command 0x%02X", command);
        };
    }
}
