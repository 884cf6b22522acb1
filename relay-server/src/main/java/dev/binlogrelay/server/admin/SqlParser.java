package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.server.admin.Statement.Assignment;
import dev.binlogrelay.server.admin.SqlToken.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the statements the relay answers.
 *
 * <p><b>Which error.</b> The relay's grammar is a small part of SQL, so a statement it cannot parse may be valid
 * SQL it does not know (a clause, a modifier, a form of SET or SHOW) or a mistake; the relay cannot tell them
 * apart, and a client must never get a syntax error for valid SQL. The rule:
 * <ul>
 *   <li>ER_PARSE_ERROR (1064) only for text that is certainly not SQL: it does not start with a statement
 *       keyword ({@link #STATEMENT_KEYWORDS}, after any opening parentheses), the lexer rejects it (an
 *       unterminated string, comment or quoted name; a stray character), it ends where a statement needs more
 *       ({@code SELECT 1,}, {@code SET @a =}), its parentheses do not balance, it nests deeper than
 *       {@link TokenStream#MAX_DEPTH}, or a second statement follows a semicolon;</li>
 *   <li>ER_NOT_SUPPORTED_YET (1235, "binlog-relay does not support this statement") for everything else that
 *       starts with a statement keyword and does not parse: a statement the relay does not answer (INSERT, FLUSH,
 *       RESET SLAVE, SHOW TABLES, ...) or a form of one it answers that its grammar lacks.</li>
 * </ul>
 *
 * <pre>
 * statement  := set | select | show | DO expression {',' expression} | USE name | BEGIN [WORK]
 *             | COMMIT [WORK] | ROLLBACK [WORK] | START TRANSACTION [characteristic {',' characteristic}]
 *             | SET STATEMENT name = (DEFAULT | expression) {',' name = ...} FOR statement
 *             | admin (see {@link AdminParser})
 * set        := SET set-item {',' set-item}
 * set-item   := NAMES (DEFAULT | name [COLLATE name]) | (CHARACTER SET | CHARSET) (DEFAULT | name)
 *             | [scope] TRANSACTION tx-characteristic {',' tx-characteristic}
 *             | @user (= | :=) expression
 *             | @@[scope.]name (= | :=) (DEFAULT | expression)
 *             | [scope] name[.name] (= | :=) (DEFAULT | expression)
 * scope      := GLOBAL | SESSION | LOCAL | PERSIST | PERSIST_ONLY
 * select     := SELECT [modifiers] item {',' item} [FROM DUAL] [LIMIT n [, n] | LIMIT n OFFSET n]
 * item       := expression [[AS] (name | STRING)]
 * </pre>
 * See {@link ShowParser} for SHOW and {@link ExpressionParser} for expressions.
 */
final class SqlParser {
    /** Words that end a select item rather than name it. */
    private static final Set<String> RESERVED = Set.of("FROM", "LIMIT", "WHERE", "INTO", "ORDER", "GROUP", "HAVING",
            "UNION", "FOR", "LOCK", "PROCEDURE", "WINDOW", "AS", "ON", "OFFSET");
    private static final Set<String> SELECT_MODIFIERS = Set.of("ALL", "DISTINCT", "DISTINCTROW", "HIGH_PRIORITY",
            "STRAIGHT_JOIN", "SQL_SMALL_RESULT", "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_CACHE", "SQL_NO_CACHE",
            "SQL_CALC_FOUND_ROWS");
    /**
     * The words SQL statements of MySQL and MariaDB start with: text starting with another word is not SQL
     * (ER_PARSE_ERROR), a statement starting with one of these that the relay cannot parse is not supported.
     */
    static final Set<String> STATEMENT_KEYWORDS = Set.of("ALTER", "ANALYZE", "BACKUP", "BEGIN", "BINLOG", "CACHE",
            "CALL", "CHANGE", "CHECK", "CHECKSUM", "CLONE", "COMMIT", "CREATE", "DEALLOCATE", "DELETE", "DESC",
            "DESCRIBE", "DO", "DROP", "EXECUTE", "EXPLAIN", "FLUSH", "GET", "GRANT", "HANDLER", "HELP", "IMPORT",
            "INSERT", "INSTALL", "KILL", "LOAD", "LOCK", "OPTIMIZE", "PREPARE", "PURGE", "RELEASE", "RENAME",
            "REPAIR", "REPLACE", "RESET", "RESIGNAL", "RESTART", "REVOKE", "ROLLBACK", "SAVEPOINT", "SELECT", "SET",
            "SHOW", "SHUTDOWN", "SIGNAL", "START", "STOP", "TABLE", "TRUNCATE", "UNINSTALL", "UNLOCK", "UPDATE",
            "USE", "VALUES", "WITH", "XA");

    private final TokenStream in;
    private final ExpressionParser expressions;

    private SqlParser(TokenStream in) {
        this.in = in;
        this.expressions = new ExpressionParser(in);
    }

    /**
     * Parses one statement.
     *
     * @param serverVersion the server's version number, which decides which executable comments are code
     * @throws SqlException if the statement is empty, not supported or not valid SQL
     */
    static Statement parse(String sql, long serverVersion) {
        TokenStream in = new TokenStream(sql, SqlLexer.tokenize(sql, serverVersion));
        if (in.atEnd()) {
            throw SqlException.emptyQuery();
        }
        try {
            Statement statement = new SqlParser(in).statement();
            in.expectEnd();
            return statement;
        } catch (SqlException e) {
            if (e.code() != ErrorCodes.ER_PARSE_ERROR || certainlyNotSql(in)) {
                throw e;
            }
            throw SqlException.notSupported(sql);
        }
    }

    /** After a parse failure at the stream's current token: true if the text cannot be SQL (see the class comment). */
    private static boolean certainlyNotSql(TokenStream in) {
        List<SqlToken> all = in.all();
        int first = 0;
        while (all.get(first).isSymbol("(")) {
            first++;
        }
        SqlToken keyword = all.get(first);
        if (keyword.type() != Type.WORD || !STATEMENT_KEYWORDS.contains(keyword.text().toUpperCase(java.util.Locale.ROOT))) {
            return true;
        }
        if (in.peek().type() == Type.END || in.tooDeep() || in.previous().isSymbol(";")) {
            return true;
        }
        int open = 0;
        for (SqlToken t : all) {
            if (t.isSymbol("(")) {
                open++;
            } else if (t.isSymbol(")") && --open < 0) {
                return true;
            }
        }
        return open != 0;
    }

    private Statement statement() {
        if (in.peek().type() != Type.WORD) {
            throw in.error();
        }
        String first = in.peekWord();
        if (AdminParser.starts(in)) {
            return new AdminParser(in).statement();
        }
        switch (first) {
            case "SET" -> {
                in.next();
                if (in.peek().isWord("STATEMENT") && in.peek(1).isIdentifier()) {
                    in.next();
                    return setStatementFor();
                }
                return set();
            }
            case "SELECT" -> {
                in.next();
                return select();
            }
            case "SHOW" -> {
                in.next();
                return new ShowParser(in, expressions).show();
            }
            case "DO" -> {
                in.next();
                List<Expr> list = new ArrayList<>();
                do {
                    list.add(expressions.expression());
                } while (in.acceptSymbol(","));
                return new Statement.Do(list);
            }
            case "USE" -> {
                in.next();
                in.identifier();
                return new Statement.Ignored("USE");
            }
            case "BEGIN", "COMMIT", "ROLLBACK" -> {
                in.next();
                in.acceptWord("WORK");
                return new Statement.Ignored(first);
            }
            case "START" -> {
                in.next();
                in.next();
                startTransactionCharacteristics();
                return new Statement.Ignored("START TRANSACTION");
            }
            default -> throw STATEMENT_KEYWORDS.contains(first) ? SqlException.notSupported(in.sql()) : in.error();
        }
    }

    /**
     * MariaDB's {@code SET STATEMENT var = value [, ...] FOR statement}: the variables take these values for the
     * one statement (MariaDB Connector/J wraps every statement in {@code SET STATEMENT max_statement_time=N FOR}
     * when a query timeout is set). Only plain variable names, as in MariaDB's grammar.
     */
    private Statement setStatementFor() {
        List<Statement.SetSystemVar> variables = new ArrayList<>();
        int formOffset = in.peek().start();
        do {
            String name = in.identifier();
            while (in.acceptSymbol(".")) {
                name = name + "." + in.identifier();
            }
            assignmentOperator();
            Expr value;
            if (in.peek().isWord("DEFAULT") && (in.peek(1).isSymbol(",") || in.peek(1).isWord("FOR"))) {
                in.next();
                value = new Expr.Default();
            } else {
                value = expressions.expression();
            }
            variables.add(new Statement.SetSystemVar(VarScope.SESSION, name, value));
        } while (in.acceptSymbol(","));
        in.expectWord("FOR");
        return new Statement.SetStatementFor(variables, statement(), formOffset);
    }

    private void startTransactionCharacteristics() {
        if (in.atEnd()) {
            return;
        }
        do {
            if (in.acceptWord("WITH")) {
                in.expectWord("CONSISTENT");
                in.expectWord("SNAPSHOT");
            } else {
                in.expectWord("READ");
                if (!in.acceptWord("ONLY")) {
                    in.expectWord("WRITE");
                }
            }
        } while (in.acceptSymbol(","));
    }

    private Statement set() {
        List<Assignment> items = new ArrayList<>();
        do {
            items.add(setItem());
        } while (in.acceptSymbol(","));
        return new Statement.Set(items);
    }

    private Assignment setItem() {
        SqlToken t = in.peek();
        if (t.type() == Type.USER_VAR) {
            in.next();
            assignmentOperator();
            return new Statement.SetUserVar(t.value(), expressions.expression());
        }
        if (t.type() == Type.SYSTEM_VAR) {
            in.next();
            Expr.SystemVar v = ExpressionParser.systemVariable(t.value());
            assignmentOperator();
            return new Statement.SetSystemVar(v.scope(), v.name(), valueOrDefault());
        }
        if (in.acceptWord("NAMES")) {
            if (in.acceptWord("DEFAULT")) {
                return new Statement.SetNames(null, null);
            }
            String charset = in.name();
            String collation = in.acceptWord("COLLATE") ? in.name() : null;
            return new Statement.SetNames(charset, collation);
        }
        if (in.peek().isWord("CHARACTER") && in.peek(1).isWord("SET") || in.peek().isWord("CHARSET")) {
            if (in.acceptWord("CHARACTER")) {
                in.expectWord("SET");
            } else {
                in.expectWord("CHARSET");
            }
            return new Statement.SetCharacterSet(in.acceptWord("DEFAULT") ? null : in.name());
        }
        VarScope scope = scopeKeyword();
        if (in.acceptWord("TRANSACTION")) {
            return transaction(scope);
        }
        String name = in.identifier();
        while (in.acceptSymbol(".")) {
            name = name + "." + in.identifier();
        }
        assignmentOperator();
        return new Statement.SetSystemVar(scope, name, valueOrDefault());
    }

    /** An optional GLOBAL / SESSION / LOCAL / PERSIST / PERSIST_ONLY before a variable name. */
    private VarScope scopeKeyword() {
        boolean followedByName = in.peek(1).isIdentifier();
        if (!followedByName) {
            return VarScope.DEFAULT;
        }
        switch (in.peekWord()) {
            case "GLOBAL", "PERSIST", "PERSIST_ONLY" -> {
                in.next();
                return VarScope.GLOBAL;
            }
            case "SESSION", "LOCAL" -> {
                in.next();
                return VarScope.SESSION;
            }
            default -> {
                return VarScope.DEFAULT;
            }
        }
    }

    private void assignmentOperator() {
        if (!in.acceptSymbol("=") && !in.acceptSymbol(":=")) {
            throw in.error();
        }
    }

    /** DEFAULT when it is the whole value, otherwise an expression. */
    private Expr valueOrDefault() {
        if (in.peek().isWord("DEFAULT") && (in.peek(1).isSymbol(",") || in.peek(1).isSymbol(";")
                || in.peek(1).type() == Type.END)) {
            in.next();
            return new Expr.Default();
        }
        return expressions.expression();
    }

    private Assignment transaction(VarScope scope) {
        String isolation = null;
        Boolean readOnly = null;
        do {
            if (in.acceptWord("ISOLATION")) {
                in.expectWord("LEVEL");
                isolation = isolationLevel();
            } else {
                in.expectWord("READ");
                if (in.acceptWord("ONLY")) {
                    readOnly = true;
                } else {
                    in.expectWord("WRITE");
                    readOnly = false;
                }
            }
        } while (in.acceptSymbol(","));
        return new Statement.SetTransaction(scope, isolation, readOnly);
    }

    private String isolationLevel() {
        if (in.acceptWord("SERIALIZABLE")) {
            return "SERIALIZABLE";
        }
        if (in.acceptWord("REPEATABLE")) {
            in.expectWord("READ");
            return "REPEATABLE-READ";
        }
        in.expectWord("READ");
        if (in.acceptWord("COMMITTED")) {
            return "READ-COMMITTED";
        }
        in.expectWord("UNCOMMITTED");
        return "READ-UNCOMMITTED";
    }

    private Statement select() {
        String table = tableNamedInFrom();
        if (table != null) {
            // The relay has no tables: answer that, whatever the rest of the statement says.
            in.skipToEnd();
            return new Statement.Select(List.of(), table, -1);
        }
        while (SELECT_MODIFIERS.contains(in.peekWord())) {
            in.next();
        }
        List<Statement.SelectItem> items = new ArrayList<>();
        do {
            items.add(selectItem());
        } while (in.acceptSymbol(","));
        if (in.acceptWord("FROM")) {
            in.expectWord("DUAL");
        }
        long limit = -1;
        if (in.acceptWord("LIMIT")) {
            long count = in.unsignedInteger();
            long offset = 0;
            if (in.acceptSymbol(",")) {
                offset = count;
                count = in.unsignedInteger();
            } else if (in.acceptWord("OFFSET")) {
                offset = in.unsignedInteger();
            }
            limit = offset > 0 ? 0 : count; // one row at most: any offset skips it
        }
        return new Statement.Select(items, null, limit);
    }

    /** The table of a top-level {@code FROM table} (not DUAL), or null. */
    private String tableNamedInFrom() {
        List<SqlToken> rest = in.remaining();
        for (int i = 0; i + 1 < rest.size(); i++) {
            SqlToken next = rest.get(i + 1);
            if (rest.get(i).isWord("FROM") && next.isIdentifier() && !next.isWord("DUAL")) {
                StringBuilder name = new StringBuilder(next.value());
                for (int j = i + 2; j + 1 < rest.size() && rest.get(j).isSymbol(".") && rest.get(j + 1).isIdentifier(); j += 2) {
                    name.append('.').append(rest.get(j + 1).value());
                }
                return name.toString();
            }
        }
        return null;
    }

    private Statement.SelectItem selectItem() {
        SqlToken first = in.peek();
        Expr expr = expressions.expression();
        String name = first.type() == Type.STRING && in.previous() == first ? first.value() : in.textFrom(first);
        if (in.acceptWord("AS")) {
            name = in.name();
        } else if (in.peek().type() == Type.STRING || in.peek().type() == Type.QUOTED_IDENT
                || (in.peek().type() == Type.WORD && !RESERVED.contains(in.peekWord()))) {
            name = in.name();
        }
        return new Statement.SelectItem(expr, name);
    }
}
