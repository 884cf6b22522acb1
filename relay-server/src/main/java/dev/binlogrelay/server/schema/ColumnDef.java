package dev.binlogrelay.server.schema;

import java.util.List;

/**
 * One column of a table definition, as far as row decoding needs it.
 *
 * @param name      the column's name
 * @param type      its base type, lower case and normalised ({@code int}, {@code varchar}, {@code datetime}, …; see
 *                  {@link ColumnTypes#normalise})
 * @param unsigned  UNSIGNED (or ZEROFILL) numeric column
 * @param charset   its character set when the definition says one (column's own, else the table's), else null;
 *                  {@code binary} for BINARY, VARBINARY and the BLOB types
 * @param collation its collation when the definition names one, else null
 * @param values    the values of an ENUM or SET column, else null
 * @param decimals  fractional digits of a TIME, DATETIME or TIMESTAMP column (0 when none), else -1
 */
record ColumnDef(String name, String type, boolean unsigned, String charset, String collation, List<String> values,
                 int decimals) {
    ColumnDef {
        values = values == null ? null : List.copyOf(values);
    }

    ColumnDef renamed(String newName) {
        return new ColumnDef(newName, type, unsigned, charset, collation, values, decimals);
    }

    /** This column with the table's character set if it is a text column without one of its own. */
    ColumnDef withDefaultCharset(String tableCharset, String tableCollation) {
        if (charset != null || !ColumnTypes.isText(type) || (tableCharset == null && tableCollation == null)) {
            return this;
        }
        return new ColumnDef(name, type, unsigned, tableCharset, collation == null ? tableCollation : collation, values,
                decimals);
    }

    /** This text column converted to {@code newCharset} (ALTER TABLE … CONVERT TO CHARACTER SET). */
    ColumnDef convertedTo(String newCharset, String newCollation) {
        if (!ColumnTypes.isText(type) || "binary".equals(charset)) {
            return this;
        }
        return new ColumnDef(name, type, unsigned, newCharset, newCollation, values, decimals);
    }
}
