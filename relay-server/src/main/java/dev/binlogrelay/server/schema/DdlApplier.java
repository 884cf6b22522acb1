package dev.binlogrelay.server.schema;

import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.RenameTableStatement;
import net.sf.jsqlparser.statement.create.table.ColumnDefinition;
import net.sf.jsqlparser.statement.create.table.CreateTable;
import net.sf.jsqlparser.statement.create.table.Index;
import net.sf.jsqlparser.statement.drop.Drop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Applies one statement of the binlog (or one table of a snapshot) to a {@link SchemaState}: CREATE TABLE (with
 * columns, LIKE, IF NOT EXISTS, OR REPLACE), ALTER TABLE ({@link AlterApplier}), RENAME TABLE, DROP TABLE, DROP
 * DATABASE; CREATE and ALTER DATABASE set a database's default character set ({@link DatabaseDefaults}). Statements
 * are parsed with JSqlParser (docs/schema-history.md says why this parser); anything else (DML, TRUNCATE, views,
 * routines, temporary tables) leaves the state as it is.
 *
 * <p>MariaDB forms the parser does not know are rewritten before parsing, outside quotes, with the clauses that do
 * not change the columns taken out: a column's {@code INVISIBLE}, a table's {@code WITH SYSTEM VERSIONING}; {@code DROP
 * DATABASE} is read as its synonym {@code DROP SCHEMA}, {@code DROP FOREIGN KEY x} as {@code DROP CONSTRAINT x}; the
 * names after {@code CHANGE [COLUMN]} are quoted (the parser takes some, {@code name} or {@code type}, for keywords
 * there).
 */
final class DdlApplier {
    /** What a statement did. */
    enum Outcome {
        /** A DDL statement, applied. */
        APPLIED,
        /** Not a statement that changes table definitions. */
        IGNORED,
        /** A DDL statement the parser cannot read, or too long: the state is unchanged. */
        UNPARSED
    }

    /** Statements longer than this are not parsed (a table definition is a few KiB; MySQL's limit is 64 KiB of comments). */
    static final int MAX_STATEMENT_CHARS = 1 << 20;
    private static final long PARSE_TIMEOUT_MS = 5_000;

    /** The head of a statement that may change table definitions (after comments and MariaDB's modifiers). */
    private static final Pattern DDL_HEAD = Pattern.compile("(?is)^(?:\\s|/\\*.*?\\*/|#[^\\n]*\\n|--\\s[^\\n]*\\n)*"
            + "(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TABLE|DATABASE|SCHEMA)|ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE|ALTER\\s+(?:DATABASE|SCHEMA)"
            + "|DROP\\s+(?:TABLE|DATABASE|SCHEMA)|RENAME\\s+TABLE)\\b");
    private static final Pattern MODIFIERS = Pattern.compile("(?is)^(\\s*ALTER\\s+)(?:ONLINE\\s+|IGNORE\\s+)+");
    /** Clauses the parser lacks that change no column (see the class comment). */
    private static final Map<Pattern, String> RETRY = Map.of(
            Pattern.compile("(?i)\\bINVISIBLE\\b"), "",
            Pattern.compile("(?i)\\bWITH\\s+SYSTEM\\s+VERSIONING\\b"), "",
            Pattern.compile("(?i)^(\\s*DROP\\s+)DATABASE\\b"), "$1SCHEMA",
            // JSqlParser 5.3 reads DROP FOREIGN KEY only with a column list; the symbol is a constraint's name
            Pattern.compile("(?i)\\bDROP\\s+FOREIGN\\s+KEY\\b"), "DROP CONSTRAINT",
            // JSqlParser 5.3 takes a keyword-like old name after CHANGE (name, type) for a keyword: quote both names
            Pattern.compile("(?i)\\b(CHANGE\\s+(?:COLUMN\\s+)?)([A-Za-z_][A-Za-z0-9_$]*)\\s+([A-Za-z_][A-Za-z0-9_$]*)\\b"),
            "$1`$2` `$3`");

    /** Runs the parser's timeout; daemon threads, created as needed. */
    private static final ExecutorService PARSER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ddl-parser");
        t.setDaemon(true);
        return t;
    });

    private DdlApplier() {
    }

    /** Whether {@code sql} looks like a statement that changes table definitions (cheap: no parsing). */
    static boolean isDdl(String sql) {
        return sql != null && DDL_HEAD.matcher(sql.length() > 4096 ? sql.substring(0, 4096) : sql).find();
    }

    /** Applies {@code sql} run with default database {@code database} (may be empty) to {@code state}. */
    static Outcome apply(SchemaState state, String database, String sql) {
        if (!isDdl(sql)) {
            return Outcome.IGNORED;
        }
        if (sql.length() > MAX_STATEMENT_CHARS) {
            return Outcome.UNPARSED;
        }
        if (DatabaseDefaults.apply(state, sql, database)) {
            return Outcome.APPLIED;
        }
        Statement st = parse(MODIFIERS.matcher(sql).replaceFirst("$1"));
        if (st == null) {
            return Outcome.UNPARSED;
        }
        // each statement changes the state only once all of it has been read: the parser's tree can lack parts a
        // valid statement has (a column without a type), and half a statement must not change the state
        try {
            return apply(state, database == null ? "" : database, st);
        } catch (RuntimeException e) {
            return Outcome.UNPARSED;
        }
    }

    private static Outcome apply(SchemaState state, String db, Statement st) {
        if (st instanceof CreateTable c) {
            return create(state, db, c);
        }
        if (st instanceof Alter a) {
            return AlterApplier.apply(state, db, a);
        }
        if (st instanceof RenameTableStatement r) {
            SchemaState work = state.copy(); // pairs apply in order (a TO b, b TO c); all or none
            for (Map.Entry<Table, Table> e : r.getTableNames()) {
                TableDef t = work.get(dbOf(e.getKey(), db), name(e.getKey()));
                if (t != null) {
                    work.remove(t.database(), t.name());
                    work.put(t.renamed(dbOf(e.getValue(), db), name(e.getValue())));
                }
            }
            state.setFrom(work);
            return Outcome.APPLIED;
        }
        if (st instanceof Drop d) {
            String type = d.getType() == null ? "" : d.getType().toUpperCase(Locale.ROOT);
            if (type.equals("TABLE")) {
                state.remove(dbOf(d.getName(), db), name(d.getName()));
                return Outcome.APPLIED;
            }
            if (type.equals("SCHEMA") || type.equals("DATABASE")) {
                state.dropDatabase(name(d.getName()));
                return Outcome.APPLIED;
            }
        }
        return Outcome.IGNORED;
    }

    /**
     * The statement, or null if the parser cannot read it. MariaDB's clauses the parser lacks are taken out first
     * (a failed parse costs the parser a second, slower try of its own); the text as it is is tried if that fails.
     */
    private static Statement parse(String sql) {
        String cleaned = sql;
        for (Map.Entry<Pattern, String> r : RETRY.entrySet()) {
            cleaned = Unquoted.replace(cleaned, r.getKey(), r.getValue());
        }
        Statement st = tryParse(cleaned);
        return st != null || cleaned.equals(sql) ? st : tryParse(sql);
    }

    private static Statement tryParse(String sql) {
        try {
            return CCJSqlParserUtil.parse(sql, PARSER, p -> p.withTimeOut(PARSE_TIMEOUT_MS));
        } catch (JSQLParserException | RuntimeException e) {
            return null;
        }
    }

    private static Outcome create(SchemaState state, String db, CreateTable c) {
        List<String> options = c.getCreateOptionsStrings();
        if (options != null && options.stream().anyMatch(o -> o.equalsIgnoreCase("TEMPORARY"))) {
            return Outcome.IGNORED; // row events never name a temporary table
        }
        String tdb = dbOf(c.getTable(), db);
        String tname = name(c.getTable());
        if (c.isIfNotExists() && state.get(tdb, tname) != null) {
            return Outcome.APPLIED; // the server kept the table as it was
        }
        if (c.getLikeTable() != null) {
            TableDef source = state.get(dbOf(c.getLikeTable(), db), name(c.getLikeTable()));
            state.remove(tdb, tname);
            if (source != null) {
                state.put(source.renamed(tdb, tname));
            }
            return Outcome.APPLIED;
        }
        if (c.getColumnDefinitions() == null || c.getColumnDefinitions().isEmpty()) {
            state.remove(tdb, tname);
            return Outcome.APPLIED; // CREATE … SELECT without columns: unknown (MariaDB logs the columns under ROW)
        }
        List<String> tableOptions = c.getTableOptionsStrings() == null ? List.of() : c.getTableOptionsStrings();
        String charset = option(tableOptions, "CHARSET");
        String collation = option(tableOptions, "COLLATE");
        if (charset == null && collation == null) {
            String[] dflt = state.databaseDefault(tdb); // the table takes its database's default
            charset = dflt[0];
            collation = dflt[1];
        }
        List<ColumnDef> cols = new ArrayList<>();
        List<String> pk = new ArrayList<>();
        for (ColumnDefinition d : c.getColumnDefinitions()) {
            ColumnDef col = ColumnTypes.of(d, charset, collation);
            cols.add(col);
            if (hasPrimaryKeySpec(d.getColumnSpecs())) {
                pk = new ArrayList<>(List.of(col.name()));
            }
        }
        if (c.getIndexes() != null) {
            for (Index i : c.getIndexes()) {
                if (i.getType() != null && i.getType().toUpperCase(Locale.ROOT).startsWith("PRIMARY")) {
                    pk = keyColumns(i.getColumnsNames());
                }
            }
        }
        TableDef def = new TableDef(tdb, tname, cols, pk, lower(charset), lower(collation));
        state.remove(tdb, tname);
        state.put(def);
        return Outcome.APPLIED;
    }

    static boolean hasPrimaryKeySpec(List<String> specs) {
        if (specs == null) {
            return false;
        }
        for (int i = 0; i + 1 < specs.size(); i++) {
            if (specs.get(i).equalsIgnoreCase("PRIMARY") && specs.get(i + 1).equalsIgnoreCase("KEY")) {
                return true;
            }
        }
        return false;
    }

    /** Key columns as the parser lists them ({@code `a`}, {@code b(10)}) to column names. */
    static List<String> keyColumns(List<String> names) {
        List<String> out = new ArrayList<>();
        if (names != null) {
            for (String n : names) {
                String s = n.trim();
                int paren = s.lastIndexOf('(');
                if (paren > 0 && s.endsWith(")")) {
                    s = s.substring(0, paren).trim();
                }
                String[] words = s.split("\\s+"); // "a DESC"
                out.add(SchemaState.unquote(words[0]));
            }
        }
        return out;
    }

    /** A table option's value ({@code DEFAULT CHARSET=x}, {@code CHARACTER SET x}, {@code COLLATE = y}), or null. */
    static String option(List<String> tokens, String name) {
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            int next = -1;
            if (t.equalsIgnoreCase(name)) {
                next = i + 1;
            } else if (name.equals("CHARSET") && t.equalsIgnoreCase("CHARACTER") && i + 1 < tokens.size()
                    && tokens.get(i + 1).equalsIgnoreCase("SET")) {
                next = i + 2;
            }
            if (next >= 0) {
                if (next < tokens.size() && tokens.get(next).equals("=")) {
                    next++;
                }
                return next < tokens.size() ? SchemaState.unquote(tokens.get(next)) : null;
            }
        }
        return null;
    }

    static String dbOf(Table t, String defaultDb) {
        String s = t.getSchemaName();
        return s == null || s.isEmpty() ? defaultDb : SchemaState.unquote(s);
    }

    static String name(Table t) {
        if (t == null || t.getName() == null) {
            throw new IllegalArgumentException("a table without a name");
        }
        return SchemaState.unquote(t.getName());
    }

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
