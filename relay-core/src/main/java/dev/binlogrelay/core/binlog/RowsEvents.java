package dev.binlogrelay.core.binlog;

/**
 * The little the relay reads of rows events: whether an event is one, and whether it ends its statement.
 *
 * <pre>
 * rows event (v1 23..25, v2 30..32, MariaDB compressed v1 166..168 and v2 169..171; the post-header is never
 * compressed):
 *   header (19) | table_id (6) | flags (2, little-endian; STMT_END_F = 0x0001) | [v2: extra info] | rows ...
 * </pre>
 * A statement's rows are split into events of at most binlog_row_event_max_size; only its last event carries
 * STMT_END_F. Servers since MySQL 5.1 / MariaDB 5.1 write 6-byte table ids, the only layout the relay stores.
 */
public final class RowsEvents {
    /** Flag of the last rows event of a statement. */
    public static final int STMT_END_F = 0x0001;
    /**
     * MariaDB's compressed rows events: WRITE, UPDATE, DELETE v1 (166..168, what MariaDB writes with
     * log_bin_compress), then v2 (169..171), as in MariaDB's log_event.h; its LOG_EVENT_IS_WRITE_ROW and siblings
     * count all six as rows events.
     */
    public static final int MARIA_WRITE_ROWS_COMPRESSED_V1 = 166;
    public static final int MARIA_DELETE_ROWS_COMPRESSED_V1 = 168;
    public static final int MARIA_DELETE_ROWS_COMPRESSED_V2 = 171;
    private static final int FLAGS_OFFSET = Events.HEADER_SIZE + 6;

    private RowsEvents() {
    }

    /** Rows events whose statement end a MariaDB replica's I/O thread tracks (its Rows_event_tracker). */
    public static boolean isRows(int type) {
        return (type >= EventType.WRITE_ROWS_V1 && type <= EventType.DELETE_ROWS_V1)
                || (type >= EventType.WRITE_ROWS_V2 && type <= EventType.DELETE_ROWS_V2)
                || (type >= MARIA_WRITE_ROWS_COMPRESSED_V1 && type <= MARIA_DELETE_ROWS_COMPRESSED_V2);
    }

    /**
     * True for a rows event that is not its statement's last (more rows events of the statement follow it).
     *
     * @throws IllegalArgumentException if the event is too short to hold a rows post-header
     */
    public static boolean isRowsWithinStatement(byte[] event) {
        if (!isRows(Events.type(event))) {
            return false;
        }
        if (event.length < FLAGS_OFFSET + 2) {
            throw new IllegalArgumentException("rows event of " + event.length + " bytes has no post-header");
        }
        return (Events.u16(event, FLAGS_OFFSET) & STMT_END_F) == 0;
    }
}
