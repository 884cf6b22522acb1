package dev.binlogrelay.core.rows;

import java.util.List;

/**
 * A decoded TABLE_MAP event: which table a following rows event's table id stands for, and its columns.
 *
 * @param tableId    the id rows events refer to (valid until the next TABLE_MAP with that id)
 * @param schema     database name
 * @param table      table name
 * @param columns    one per column, in table order
 * @param primaryKey column indexes of the primary key (FULL metadata), in key order; empty when not known
 * @param pkPrefixes prefix lengths per primary-key part (0 = whole column), same order as {@code primaryKey}
 * @param metadata   whether the event carried optional metadata at all
 */
public record TableMap(long tableId, String schema, String table, List<Column> columns, List<Integer> primaryKey,
                       List<Integer> pkPrefixes, boolean metadata) {
    public TableMap {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        pkPrefixes = List.copyOf(pkPrefixes);
    }

    public Column column(int i) {
        return columns.get(i);
    }

    public int columnCount() {
        return columns.size();
    }

    @Override
    public String toString() {
        return "`" + schema + "`.`" + table + "` (id " + tableId + ", " + columns.size() + " columns)";
    }
}
