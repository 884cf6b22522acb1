package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry.EventType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a Canal server makes of a QUERY event's statement that is not BEGIN, COMMIT or XA: its entry's event type
 * and the schema and table the header names. Canal 1.1.x parses the statement with its SQL parser and, for a
 * statement of several parts, keeps the first part's answer:
 * <pre>
 * CREATE TABLE t                      CREATE      t (and its schema)
 * ALTER TABLE t ...                   ALTER; RENAME for RENAME TO, CINDEX for ADD INDEX/KEY/UNIQUE/FULLTEXT/SPATIAL,
 *                                     DINDEX for DROP INDEX/KEY (first alteration)
 * DROP TABLE a, b                     ERASE       a
 * CREATE [UNIQUE|...] INDEX i ON t    CINDEX      t
 * DROP INDEX i ON t                   DINDEX      t
 * TRUNCATE [TABLE] t                  TRUNCATE    t
 * RENAME TABLE a TO b                 RENAME      b
 * INSERT/UPDATE/DELETE (statement binlog)  INSERT/UPDATE/DELETE (not DDL)  the table
 * CREATE/DROP DATABASE d              QUERY       schema d, no table
 * ROLLBACK, SET, GRANT, views, routines, users ...  no entry (Canal's parser knows them, Canal names no type)
 * anything else                       QUERY       no schema, no table (what Canal does when its parser fails)
 * </pre>
 * An unqualified table takes the event's default database as its schema. This is a keyword scan, not a parser:
 * it reads the statement's first words and the names after them (backquoted or not, comments skipped).
 *
 * @param type   the entry's event type; null: no entry at all
 * @param schema the header's schemaName, null when not set
 * @param table  the header's tableName, null when not set
 */
record StatementKind(EventType type, String schema, String table) {
    private static final StatementKind NONE = new StatementKind(null, null, null);
    private static final StatementKind UNKNOWN = new StatementKind(EventType.QUERY, null, null);
    private static final Set<String> IGNORED = Set.of("ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "GRANT", "REVOKE",
            "FLUSH", "ANALYZE", "OPTIMIZE", "REPAIR", "CHECK", "USE", "SELECT", "CALL", "DO", "LOCK", "UNLOCK");
    private static final Set<String> IGNORED_OBJECTS = Set.of("USER", "ROLE", "VIEW", "TRIGGER", "PROCEDURE",
            "FUNCTION", "EVENT", "SERVER", "SEQUENCE");

    boolean isDml() {
        return type == EventType.INSERT || type == EventType.UPDATE || type == EventType.DELETE;
    }

    static StatementKind of(String sql, String database) {
        List<String> t = tokens(sql, 64);
        if (t.isEmpty()) {
            return UNKNOWN;
        }
        Cursor c = new Cursor(t, database);
        String first = c.at(0);
        if (IGNORED.contains(first)) {
            return NONE;
        }
        return switch (first) {
            case "CREATE" -> create(c);
            case "ALTER" -> alter(c);
            case "DROP" -> drop(c);
            case "TRUNCATE" -> {
                c.skip("TRUNCATE");
                c.skip("TABLE");
                yield c.named(EventType.TRUNCATE);
            }
            case "RENAME" -> {
                c.skip("RENAME");
                if (!c.skip("TABLE") && !c.skip("TABLES")) {
                    yield NONE; // RENAME USER
                }
                c.name();
                c.skip("TO");
                yield c.named(EventType.RENAME);
            }
            case "INSERT", "UPDATE", "DELETE" -> dml(c, first);
            default -> UNKNOWN;
        };
    }

    private static StatementKind create(Cursor c) {
        c.skip("CREATE");
        if (c.skip("OR")) {
            c.skip("REPLACE");
        }
        c.skip("TEMPORARY");
        c.skipAll("UNIQUE", "FULLTEXT", "SPATIAL", "ONLINE", "OFFLINE");
        if (c.skip("TABLE")) {
            c.skipIfNotExists();
            return c.named(EventType.CREATE);
        }
        if (c.skip("INDEX")) {
            c.skipIfNotExists();
            c.word();
            while (c.more() && !c.peek("ON")) {
                c.word();
            }
            c.skip("ON");
            return c.named(EventType.CINDEX);
        }
        if (c.skip("DATABASE") || c.skip("SCHEMA")) {
            c.skipIfNotExists();
            return new StatementKind(EventType.QUERY, c.word(), null);
        }
        return objectOrUnknown(c);
    }

    private static StatementKind alter(Cursor c) {
        c.skip("ALTER");
        c.skipAll("ONLINE", "OFFLINE", "IGNORE");
        if (!c.skip("TABLE")) {
            return objectOrUnknown(c);
        }
        c.skipIfExists();
        String[] name = c.name();
        // the first alteration decides the type (Canal keeps its parser's first answer)
        c.skipAll("WAIT", "NOWAIT");
        EventType type = EventType.ALTER;
        if (c.peek("RENAME") && !c.peek(1, "COLUMN") && !c.peek(1, "INDEX") && !c.peek(1, "KEY")) {
            c.skip("RENAME");
            if (!c.skip("TO")) {
                c.skip("AS");
            }
            String[] to = c.name();
            return new StatementKind(EventType.RENAME, to[0], to[1]);
        } else if (c.peek("ADD")) {
            String what = c.at(1);
            if (Set.of("INDEX", "KEY", "UNIQUE", "FULLTEXT", "SPATIAL").contains(what)) {
                type = EventType.CINDEX;
            }
        } else if (c.peek("DROP") && Set.of("INDEX", "KEY").contains(c.at(1))) {
            type = EventType.DINDEX;
        }
        return new StatementKind(type, name[0], name[1]);
    }

    private static StatementKind drop(Cursor c) {
        c.skip("DROP");
        c.skip("TEMPORARY");
        if (c.skip("TABLE") || c.skip("TABLES")) {
            c.skipIfExists();
            return c.named(EventType.ERASE);
        }
        if (c.skip("INDEX")) {
            c.skipIfExists();
            c.word();
            c.skip("ON");
            return c.named(EventType.DINDEX);
        }
        if (c.skip("DATABASE") || c.skip("SCHEMA")) {
            c.skipIfExists();
            return new StatementKind(EventType.QUERY, c.word(), null);
        }
        return objectOrUnknown(c);
    }

    private static StatementKind objectOrUnknown(Cursor c) {
        for (int i = 0; i < 16 && c.more(); i++) {
            if (IGNORED_OBJECTS.contains(c.word())) {
                return NONE;
            }
        }
        return UNKNOWN;
    }

    private static StatementKind dml(Cursor c, String first) {
        c.skip(first);
        c.skipAll("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "QUICK", "IGNORE");
        c.skip(first.equals("DELETE") ? "FROM" : "INTO");
        EventType type = switch (first) {
            case "INSERT" -> EventType.INSERT;
            case "UPDATE" -> EventType.UPDATE;
            default -> EventType.DELETE;
        };
        return c.named(type);
    }

    /** Upper-cased words, backquoted names (marked by a leading '`', kept as written), and single characters. */
    static List<String> tokens(String sql, int max) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n && out.size() < max) {
            char ch = sql.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (ch == '#' || (ch == '-' && sql.startsWith("-- ", i))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (ch == '`') {
                StringBuilder b = new StringBuilder("`");
                int j = i + 1;
                while (j < n) {
                    if (sql.charAt(j) == '`') {
                        if (j + 1 < n && sql.charAt(j + 1) == '`') {
                            b.append('`');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    b.append(sql.charAt(j++));
                }
                out.add(b.toString());
                i = j + 1;
            } else if (Character.isLetterOrDigit(ch) || ch == '_' || ch == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_'
                        || sql.charAt(j) == '$')) {
                    j++;
                }
                out.add(sql.substring(i, j).toUpperCase(Locale.ROOT) + "\u0000" + sql.substring(i, j));
                i = j;
            } else {
                out.add(String.valueOf(ch));
                i++;
            }
        }
        return out;
    }

    /** Walks the tokens; a word token is "UPPER\0original". */
    private static final class Cursor {
        private final List<String> t;
        private final String database;
        private int i;

        Cursor(List<String> tokens, String database) {
            this.t = tokens;
            this.database = database;
        }

        boolean more() {
            return i < t.size();
        }

        String at(int ahead) {
            int k = i + ahead;
            if (k >= t.size()) {
                return "";
            }
            String s = t.get(k);
            int z = s.indexOf('\u0000');
            return z < 0 ? s : s.substring(0, z);
        }

        boolean peek(String word) {
            return at(0).equals(word);
        }

        boolean peek(int ahead, String word) {
            return at(ahead).equals(word);
        }

        boolean skip(String word) {
            if (peek(word)) {
                i++;
                return true;
            }
            return false;
        }

        void skipAll(String... words) {
            boolean again = true;
            while (again) {
                again = false;
                for (String w : words) {
                    again |= skip(w);
                }
            }
        }

        void skipIfExists() {
            if (peek("IF") && peek(1, "EXISTS")) {
                i += 2;
            }
        }

        void skipIfNotExists() {
            if (peek("IF") && peek(1, "NOT") && peek(2, "EXISTS")) {
                i += 3;
            }
        }

        /** The next token as a name: a backquoted name unquoted, a word as written. */
        String word() {
            if (!more()) {
                return null;
            }
            String s = t.get(i++);
            if (s.startsWith("`")) {
                return s.substring(1);
            }
            int z = s.indexOf('\u0000');
            return z < 0 ? s : s.substring(z + 1);
        }

        /** [schema, table] of a possibly qualified name; the schema defaults to the event's database. */
        String[] name() {
            String a = word();
            if (peek(".")) {
                i++;
                return new String[] {a, word()};
            }
            return new String[] {database, a};
        }

        StatementKind named(EventType type) {
            String[] n = name();
            return n[1] == null ? UNKNOWN : new StatementKind(type, n[0], n[1]);
        }
    }
}
