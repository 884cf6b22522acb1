package dev.binlogrelay.server.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table's definition at some point of the binlog: its columns in order, its primary key (column names in key
 * order) and its default character set. Immutable: DDL makes new ones.
 */
record TableDef(String database, String name, List<ColumnDef> columns, List<String> primaryKey, String charset,
                String collation) {
    TableDef {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /** Index of the column named {@code column} (case-insensitive, as MySQL's column names are), or -1. */
    int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equalsIgnoreCase(column)) {
                return i;
            }
        }
        return -1;
    }

    TableDef withColumns(List<ColumnDef> cols, List<String> pk) {
        return new TableDef(database, name, cols, pk, charset, collation);
    }

    TableDef renamed(String newDatabase, String newName) {
        return new TableDef(newDatabase, newName, columns, primaryKey, charset, collation);
    }

    TableDef withCharset(String newCharset, String newCollation) {
        return new TableDef(database, name, columns, primaryKey, newCharset, newCollation);
    }

    /** The primary key without {@code column}, renamed where it is renamed (null: dropped). */
    List<String> keyAfter(String column, String renamedTo) {
        List<String> pk = new ArrayList<>();
        for (String k : primaryKey) {
            if (!k.equalsIgnoreCase(column)) {
                pk.add(k);
            } else if (renamedTo != null) {
                pk.add(renamedTo);
            }
        }
        return pk;
    }

    /** The key in the state's map: database and table as the server compares them on Linux (case-sensitive). */
    static String key(String database, String table) {
        return database + "\u0000" + table;
    }

    static String lowerKey(String database, String table) {
        return key(database.toLowerCase(Locale.ROOT), table.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return "`" + database + "`.`" + name + "` " + columns.size() + " columns, key " + primaryKey;
    }
}
