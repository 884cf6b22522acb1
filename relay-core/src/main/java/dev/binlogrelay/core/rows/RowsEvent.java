package dev.binlogrelay.core.rows;

import java.util.List;

/**
 * A decoded WRITE, UPDATE, DELETE (v1, v2, MariaDB compressed) or PARTIAL_UPDATE rows event.
 *
 * @param kind          what happened to the rows
 * @param table         the TABLE_MAP the event's table id named
 * @param flags         the event's flags (STMT_END_F = 0x0001 marks a statement's last rows event)
 * @param rows          one change per row: WRITE has only an after image, DELETE only a before image
 */
public record RowsEvent(Kind kind, TableMap table, int flags, List<Change> rows) {
    public RowsEvent {
        rows = List.copyOf(rows);
    }

    public enum Kind { WRITE, UPDATE, DELETE }

    /** One row: {@code before} is null for WRITE, {@code after} null for DELETE. */
    public record Change(RowImage before, RowImage after) {
    }
}
