package dev.binlogrelay.server.schema;

import java.util.HashMap;
import java.util.Map;

/**
 * The table definitions in force at one point of the binlog, by database and table. Not thread-safe: each
 * tracker has its own ({@link #copy}).
 */
final class SchemaState {
    private final Map<String, TableDef> tables;

    SchemaState() {
        this.tables = new HashMap<>();
    }

    private SchemaState(Map<String, TableDef> tables) {
        this.tables = new HashMap<>(tables);
    }

    SchemaState copy() {
        return new SchemaState(tables);
    }

    /** The definition of {@code database.table}: exact, else the only one equal ignoring case; null if unknown. */
    TableDef get(String database, String table) {
        TableDef t = tables.get(TableDef.key(database, table));
        if (t != null) {
            return t;
        }
        String lower = TableDef.lowerKey(database, table);
        TableDef found = null;
        for (TableDef d : tables.values()) {
            if (TableDef.lowerKey(d.database(), d.name()).equals(lower)) {
                if (found != null) {
                    return null;
                }
                found = d;
            }
        }
        return found;
    }

    void put(TableDef t) {
        tables.put(TableDef.key(t.database(), t.name()), t);
    }

    void remove(String database, String table) {
        TableDef t = get(database, table);
        if (t != null) {
            tables.remove(TableDef.key(t.database(), t.name()));
        }
    }

    void dropDatabase(String database) {
        tables.values().removeIf(t -> t.database().equalsIgnoreCase(database));
    }

    void clear() {
        tables.clear();
    }

    int size() {
        return tables.size();
    }

    /** A name as the parser gives it, without its quotes ({@code `a``b`} → {@code a`b}). */
    static String unquote(String name) {
        if (name == null) {
            return null;
        }
        String s = name.trim();
        if (s.length() >= 2 && (s.charAt(0) == '`' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
            char q = s.charAt(0);
            return s.substring(1, s.length() - 1).replace("" + q + q, "" + q);
        }
        return s;
    }
}
