package dev.binlogrelay.server.schema;

import java.util.HashMap;
import java.util.Map;

/**
 * The table definitions in force at one point of the binlog, by database and table. Not thread-safe: each
 * tracker has its own ({@link #copy}).
 */
final class SchemaState {
    private final Map<String, TableDef> tables;
    /** Databases' default character set and collation (either may be null), by lower-case name. */
    private final Map<String, String[]> databases;
    /** The server's default (character_set_server, collation_server), for databases created without one. */
    private String[] server = new String[2];

    SchemaState() {
        this.tables = new HashMap<>();
        this.databases = new HashMap<>();
    }

    private SchemaState(SchemaState other) {
        this.tables = new HashMap<>(other.tables);
        this.databases = new HashMap<>(other.databases);
        this.server = other.server;
    }

    SchemaState copy() {
        return new SchemaState(this);
    }

    /** Takes over everything {@code other} holds (a statement applied to a copy). */
    void setFrom(SchemaState other) {
        tables.clear();
        tables.putAll(other.tables);
        databases.clear();
        databases.putAll(other.databases);
        server = other.server;
    }

    /** The primary's defaults for databases created without a character set (its global variables). */
    void serverDefault(String charset, String collation) {
        server = new String[] {DdlApplier.lower(charset), DdlApplier.lower(collation)};
    }

    void databaseDefault(String database, String charset, String collation) {
        String cs = DdlApplier.lower(charset);
        String coll = DdlApplier.lower(collation);
        databases.put(database.toLowerCase(java.util.Locale.ROOT), cs == null && coll == null ? server.clone()
                : new String[] {cs, coll});
    }

    /** A database's default {charset, collation} (each may be null): its own, else the server's. */
    String[] databaseDefault(String database) {
        String[] d = databases.get(database.toLowerCase(java.util.Locale.ROOT));
        return (d != null ? d : server).clone();
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
        databases.remove(database.toLowerCase(java.util.Locale.ROOT));
    }

    /** Forgets every table and database (a snapshot starts); the server's default stays. */
    void clear() {
        tables.clear();
        databases.clear();
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
