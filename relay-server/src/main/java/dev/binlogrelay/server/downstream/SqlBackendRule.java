package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.server.admin.QueryResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which statements go to the SQL backend ({@link SqlBackendSettings}), decided by their keywords, with an
 * allow-list: the backend connection is read-only, so only reads, session settings, transactions and the locks a
 * snapshot takes pass; writes, DDL, grants, global settings, KILL, SHUTDOWN and everything not listed are refused
 * with ERR 1227. The account the relay uses on the backend should be read-only too: this list keeps the relay's
 * clients from asking for a change, the backend's grants are what forbids it (a stored function called by a SELECT
 * runs with its definer's rights).
 *
 * <p>Keywords are read as a server reads them: case-insensitively, after whitespace, comments ({@code /* *&#47;},
 * {@code -- }, {@code #}) and opening parentheses; the text of executable comments ({@code /*!50100 …*&#47;},
 * {@code /*M!100100 …*&#47;}) counts as code; quoted strings and identifiers are skipped.
 *
 * <pre>
 * allowed                                       refused within an allowed form
 * SELECT …                                      … INTO OUTFILE | INTO DUMPFILE, … FOR UPDATE
 * SHOW …, DESCRIBE | DESC …, EXPLAIN …
 * USE db
 * SET [SESSION | LOCAL] …, SET @@session.…,     any GLOBAL, PERSIST, PERSIST_ONLY, @@global.…, @@persist.…;
 *   SET NAMES | CHARACTER SET | TRANSACTION …     SET PASSWORD | ROLE | DEFAULT ROLE
 * SET STATEMENT … FOR stmt                      as stmt
 * BEGIN, START TRANSACTION …, COMMIT, ROLLBACK, SAVEPOINT, RELEASE SAVEPOINT
 * LOCK TABLE[S] t READ [LOCAL], …               any WRITE
 * UNLOCK TABLE[S]
 * FLUSH TABLE[S] [t, …] WITH READ LOCK          any other FLUSH
 * CHECKSUM TABLE …
 * </pre>
 */
final class SqlBackendRule {
    /**
     * Statements the backend answers even though the relay has its own answer: what is in the database (the relay
     * answers SHOW DATABASES with none), and transactions and locks, which must hold on the backend connection for a
     * consistent snapshot.
     */
    private static final Set<String> BACKEND_FIRST = Set.of("BEGIN", "START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE",
            "LOCK", "UNLOCK", "FLUSH", "USE", "DESCRIBE", "DESC", "EXPLAIN", "CHECKSUM");
    /** SHOW forms the backend answers first (after an optional FULL / EXTENDED). */
    private static final Set<String> BACKEND_FIRST_SHOWS = Set.of("DATABASES", "SCHEMAS", "TABLES", "CREATE", "COLUMNS",
            "FIELDS", "INDEX", "INDEXES", "KEYS", "TABLE", "OPEN", "TRIGGERS", "EVENTS", "PROCEDURE", "FUNCTION");

    private SqlBackendRule() {
    }

    /** With a backend configured: true if {@code sql} goes to the backend without asking the relay's SQL layer first. */
    static boolean backendFirst(String sql) {
        List<String> w = innerWords(sql, 4);
        if (w.isEmpty()) {
            return false;
        }
        if (w.get(0).equals("START") && w.size() > 1 && (w.get(1).equals("SLAVE") || w.get(1).equals("REPLICA"))) {
            return false; // the relay's own: START SLAVE resumes its ingestion (admin users)
        }
        if (BACKEND_FIRST.contains(w.get(0))) {
            return true;
        }
        if (w.get(0).equals("SHOW") && w.size() > 1) {
            int i = w.get(1).equals("FULL") || w.get(1).equals("EXTENDED") ? 2 : 1;
            return i < w.size() && BACKEND_FIRST_SHOWS.contains(w.get(i));
        }
        return false;
    }

    /** True for SHOW WARNINGS / ERRORS / COUNT(*) WARNINGS: after a forwarded statement, the backend has them. */
    static boolean showsDiagnostics(String sql) {
        List<String> w = words(sql, 3);
        return w.size() >= 2 && w.get(0).equals("SHOW") && (w.get(1).equals("WARNINGS") || w.get(1).equals("ERRORS")
                || w.get(1).equals("COUNT"));
    }

    /** Null if {@code sql} may go to the backend; else what is refused, for the 1227 message. */
    static String refusal(String sql) {
        List<String> w = words(sql, Integer.MAX_VALUE);
        if (w.isEmpty()) {
            return "an empty statement";
        }
        String first = w.get(0);
        String second = w.size() > 1 ? w.get(1) : "";
        boolean ok = switch (first) {
            case "SELECT" -> !follows(w, "INTO", "OUTFILE") && !follows(w, "INTO", "DUMPFILE") && !follows(w, "FOR", "UPDATE");
            case "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "USE", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "UNLOCK" -> true;
            case "RELEASE" -> second.equals("SAVEPOINT");
            case "START" -> second.equals("TRANSACTION");
            case "CHECKSUM" -> second.equals("TABLE");
            case "LOCK" -> (second.equals("TABLES") || second.equals("TABLE")) && !w.contains("WRITE");
            case "FLUSH" -> (second.equals("TABLES") || second.equals("TABLE")) && follows(w, "WITH", "READ")
                    && w.get(w.size() - 1).equals("LOCK");
            case "SET" -> setAllowed(w, sql);
            default -> false;
        };
        return ok ? null : describe(w);
    }

    private static boolean setAllowed(List<String> w, String sql) {
        if (w.size() > 1 && w.get(1).equals("STATEMENT")) {
            int forAt = w.indexOf("FOR");
            return forAt > 0 && forAt + 1 < w.size() && refusal(String.join(" ", w.subList(forAt + 1, w.size()))) == null
                    && scopesAllowed(w.subList(0, forAt));
        }
        if (w.size() > 1 && Set.of("PASSWORD", "ROLE", "DEFAULT").contains(w.get(1))) {
            return false;
        }
        return scopesAllowed(w);
    }

    private static boolean scopesAllowed(List<String> w) {
        for (String word : w) {
            if (word.equals("GLOBAL") || word.equals("PERSIST") || word.equals("PERSIST_ONLY")
                    || word.startsWith("@@GLOBAL.") || word.startsWith("@@PERSIST")) {
                return false;
            }
        }
        return true;
    }

    private static boolean follows(List<String> w, String a, String b) {
        for (int i = 0; i + 1 < w.size(); i++) {
            if (w.get(i).equals(a) && w.get(i + 1).equals(b)) {
                return true;
            }
        }
        return false;
    }

    /** Words that name a statement with the word after them (CREATE TABLE, SET GLOBAL, LOCK TABLES ... WRITE). */
    private static final Set<String> TWO_WORD = Set.of("CREATE", "DROP", "ALTER", "SET", "LOCK", "FLUSH", "START", "KILL",
            "RENAME", "LOAD", "GRANT", "REVOKE", "RESET", "CHANGE", "PURGE", "INSTALL", "UNINSTALL", "XA");

    private static String describe(List<String> w) {
        String first = w.get(0);
        if (first.equals("SELECT")) {
            return follows(w, "FOR", "UPDATE") ? "SELECT ... FOR UPDATE" : "SELECT ... INTO a file";
        }
        if (first.equals("LOCK") && w.contains("WRITE")) {
            return "LOCK TABLES ... WRITE";
        }
        return PeerText.name(TWO_WORD.contains(first) && w.size() > 1 ? first + " " + w.get(1) : first);
    }

    /**
     * The statement's words, upper-case, at most {@code max}: identifiers and keywords (with a leading {@code @} or
     * {@code @@} and dots kept, so {@code @@global.x} is one word), skipping strings, quoted identifiers, numbers,
     * symbols and comments, but reading the text of executable comments.
     */
    static List<String> words(String sql, int max) {
        List<String> out = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n && out.size() < max) {
            char c = sql.charAt(i);
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int j = i + 2;
                boolean executable = j < n && sql.charAt(j) == '!' || j + 1 < n && sql.charAt(j) == 'M' && sql.charAt(j + 1) == '!';
                if (executable) {
                    j += sql.charAt(j) == '!' ? 1 : 2;
                    while (j < n && Character.isDigit(sql.charAt(j))) {
                        j++;
                    }
                    i = j; // the comment's text is code; its closing */ is skipped below
                    continue;
                }
                int end = sql.indexOf("*/", j);
                i = end < 0 ? n : end + 2;
            } else if (c == '*' && i + 1 < n && sql.charAt(i + 1) == '/') {
                i += 2;
            } else if (c == '#' || c == '-' && sql.startsWith("--", i)
                    && (i + 2 == n || Character.isWhitespace(sql.charAt(i + 2)))) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '\'' || c == '"' || c == '`') {
                i = skipQuoted(sql, i, c);
            } else if (Character.isLetter(c) || c == '_' || c == '@' || c == '$') {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || "_@$.".indexOf(sql.charAt(j)) >= 0)) {
                    j++;
                }
                out.add(sql.substring(i, j).toUpperCase(Locale.ROOT));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '.' || sql.charAt(j) == '_')) {
                    j++;
                }
                i = j;
            } else {
                i++;
            }
        }
        return out;
    }

    /**
     * The first {@code max} words of the statement that runs: for {@code SET STATEMENT … FOR stmt} (what MariaDB
     * Connector/J sends for every statement with a query timeout, so Debezium's by default) those of {@code stmt}.
     * A SET STATEMENT whose FOR is not among its first 64 words is taken as it is.
     */
    static List<String> innerWords(String sql, int max) {
        List<String> w = words(sql, 64);
        if (w.size() > 1 && w.get(0).equals("SET") && w.get(1).equals("STATEMENT")) {
            int forAt = w.indexOf("FOR");
            if (forAt > 1) {
                w = w.subList(forAt + 1, w.size());
            }
        }
        return w.size() > max ? w.subList(0, max) : w;
    }

    /** The index after the quoted text starting at {@code start}; a doubled quote or a backslash escapes (not in `…`). */
    private static int skipQuoted(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\' && quote != '`') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return i;
    }

    /** BEGIN, START TRANSACTION, COMMIT, ROLLBACK (not ROLLBACK TO a savepoint): they open or end a transaction. */
    static boolean isTransactionStatement(String sql) {
        java.util.List<String> w = innerWords(sql, 3);
        if (w.isEmpty()) {
            return false;
        }
        return switch (w.get(0)) {
            case "BEGIN", "COMMIT" -> true;
            case "START" -> w.size() > 1 && w.get(1).equals("TRANSACTION");
            case "ROLLBACK" -> !w.contains("TO") && !(w.size() > 2 && w.get(2).equals("TO"));
            default -> false;
        };
    }

    /** True if the relay's answer means "not answered here": not supported (1235; table reads get it too). */
    static boolean unanswered(QueryResult result) {
        return result instanceof QueryResult.Error e && e.code() == ErrorCodes.ER_NOT_SUPPORTED_YET;
    }
}
