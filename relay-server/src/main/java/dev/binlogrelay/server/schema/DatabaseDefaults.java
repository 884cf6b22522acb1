package dev.binlogrelay.server.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database's default character set and collation, from {@code CREATE|ALTER DATABASE|SCHEMA … [DEFAULT] CHARACTER
 * SET|CHARSET [=] x [DEFAULT] COLLATE [=] y}: the default of the tables created in it without one of their own.
 * JSqlParser 5.3 reads these statements only as "unsupported" (no name, no options), so the few words of their
 * option list are read here: a name (quoted with backticks or not) and the two options, nothing else.
 */
final class DatabaseDefaults {
    private static final Pattern HEAD = Pattern.compile(
            "(?is)^(?:\\s|/\\*.*?\\*/)*(CREATE|ALTER)\\s+(?:OR\\s+REPLACE\\s+)?(?:DATABASE|SCHEMA)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(.*)$");
    private static final Pattern WORD = Pattern.compile("`((?:[^`]|``)*)`|=|[^\\s=`;]+");

    private DatabaseDefaults() {
    }

    /** Whether {@code sql} is CREATE or ALTER DATABASE (SCHEMA). */
    static boolean matches(String sql) {
        return HEAD.matcher(sql).find();
    }

    /** Applies a CREATE or ALTER DATABASE statement's defaults; false if it is not one. */
    static boolean apply(SchemaState state, String sql, String defaultDb) {
        Matcher h = HEAD.matcher(sql);
        if (!h.find()) {
            return false;
        }
        boolean create = h.group(1).equalsIgnoreCase("CREATE");
        List<String> words = new ArrayList<>();
        Matcher w = WORD.matcher(h.group(2));
        while (w.find()) {
            words.add(w.group(1) != null ? "`" + w.group(1).replace("``", "`") : w.group());
        }
        String db = defaultDb;
        int i = 0;
        if (!words.isEmpty() && (words.get(0).startsWith("`") || !isOption(words.get(0)))) {
            String first = words.get(0);
            db = first.startsWith("`") ? first.substring(1) : first;
            i = 1;
        }
        if (db == null || db.isEmpty()) {
            return true;
        }
        String charset = null;
        String collation = null;
        for (; i < words.size(); i++) {
            String word = words.get(i).toUpperCase(Locale.ROOT);
            if (word.equals("CHARSET") || word.equals("COLLATE") || (word.equals("CHARACTER") && i + 1 < words.size()
                    && words.get(i + 1).equalsIgnoreCase("SET"))) {
                int v = word.equals("CHARACTER") ? i + 2 : i + 1;
                if (v < words.size() && words.get(v).equals("=")) {
                    v++;
                }
                if (v < words.size()) {
                    String value = words.get(v).replace("`", "").replace("'", "").toLowerCase(Locale.ROOT);
                    if (word.equals("COLLATE")) {
                        collation = value;
                    } else {
                        charset = value;
                    }
                }
                i = v;
            }
        }
        if (create) {
            state.databaseDefault(db, charset, collation);
        } else if (charset != null || collation != null) {
            String[] now = state.databaseDefault(db);
            state.databaseDefault(db, charset != null ? charset : collation != null ? null : now[0],
                    collation != null ? collation : charset != null ? null : now[1]);
        }
        return true;
    }

    private static boolean isOption(String word) {
        String u = word.toUpperCase(Locale.ROOT);
        return u.equals("DEFAULT") || u.equals("CHARACTER") || u.equals("CHARSET") || u.equals("COLLATE")
                || u.equals("COMMENT") || u.equals("READ");
    }
}
