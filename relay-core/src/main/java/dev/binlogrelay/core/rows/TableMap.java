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

    /**
     * This table map with the fractional digits of its old-type temporal columns, from the table's definition
     * (TABLE_MAP does not carry them; see {@link Column#decimals()}): column index → digits (0..6).
     */
    public TableMap withDecimals(java.util.Map<Integer, Integer> decimals) {
        List<Column> cols = new java.util.ArrayList<>(columns);
        decimals.forEach((i, d) -> {
            if (d < 0 || d > 6) {
                throw new IllegalArgumentException("column " + i + ": " + d + " fractional digits");
            }
            cols.set(i, cols.get(i).withDecimals(d));
        });
        return new TableMap(tableId, schema, table, cols, primaryKey, pkPrefixes, metadata);
    }

    public int columnCount() {
        return columns.size();
    }

    @Override
    public String toString() {
        return "`" + schema + "`.`" + table + "` (id " + tableId + ", " + columns.size() + " columns)";
    }
}
