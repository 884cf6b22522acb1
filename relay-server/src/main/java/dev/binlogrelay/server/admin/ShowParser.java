package dev.binlogrelay.server.admin;

import dev.binlogrelay.server.admin.Statement.ShowKind;
import dev.binlogrelay.server.admin.SqlToken.Type;

import java.util.Locale;

/**
 * Parses what follows SHOW.
 *
 * <pre>
 * show   := [GLOBAL | SESSION | LOCAL] (VARIABLES | STATUS) [filter]
 *         | MASTER STATUS | BINARY LOG STATUS (MySQL 8.2+) | BINLOG STATUS (MariaDB 10.5.2+) | (MASTER | BINARY) LOGS
 *         | (SLAVE | REPLICA) HOSTS | REPLICAS | (SLAVE | REPLICA) STATUS | [FULL] PROCESSLIST   (see {@link AdminStatements})
 *         | GRANTS [FOR (CURRENT_USER ['(' ')'] | name [@host])]
 *         | (WARNINGS | ERRORS) [LIMIT n [',' n]]
 *         | (DATABASES | SCHEMAS) [filter] | COLLATION [filter] | (CHARACTER SET | CHARSET) [filter]
 *         | BINLOG EVENTS [IN STRING] [FROM n] [LIMIT n [',' n] | LIMIT n OFFSET n]   (see {@link ShowBinlogEvents})
 * filter := LIKE STRING [ESCAPE STRING] | WHERE condition
 * </pre>
 */
final class ShowParser {
    private final TokenStream in;
    private final ExpressionParser expressions;

    ShowParser(TokenStream in, ExpressionParser expressions) {
        this.in = in;
        this.expressions = expressions;
    }

    Statement show() {
        VarScope scope = VarScope.DEFAULT;
        if (in.acceptWord("GLOBAL")) {
            scope = VarScope.GLOBAL;
        } else if (in.acceptWord("SESSION") || in.acceptWord("LOCAL")) {
            scope = VarScope.SESSION;
        }
        if (in.acceptWord("VARIABLES")) {
            return filtered(ShowKind.VARIABLES, scope);
        }
        if (in.acceptWord("STATUS")) {
            return filtered(ShowKind.STATUS, scope);
        }
        if (scope != VarScope.DEFAULT) {
            throw in.error();
        }
        String word = in.peekWord();
        String second = in.peek(1).type() == Type.WORD ? in.peek(1).text().toUpperCase(Locale.ROOT) : "";
        switch (word + " " + second) {
            case "MASTER STATUS" -> {
                int at = in.peek().start();
                fixed(ShowKind.MASTER_STATUS, 2);
                return new Statement.Show(ShowKind.MASTER_STATUS, scope, RowFilter.ALL, at);
            }
            case "BINARY LOG" -> {
                in.next();
                int at = in.peek().start();
                in.next();
                in.expectWord("STATUS");
                return new Statement.Show(ShowKind.BINARY_LOG_STATUS, scope, RowFilter.ALL, at);
            }
            case "BINLOG STATUS" -> {
                int at = in.peek(1).start();
                fixed(ShowKind.BINLOG_STATUS, 2);
                return new Statement.Show(ShowKind.BINLOG_STATUS, scope, RowFilter.ALL, at);
            }
            case "MASTER LOGS", "BINARY LOGS" -> {
                return fixed(ShowKind.BINARY_LOGS, 2);
            }
            case "SLAVE HOSTS", "REPLICA HOSTS" -> {
                return fixed(ShowKind.SLAVE_HOSTS, 2);
            }
            case "SLAVE STATUS", "REPLICA STATUS" -> {
                in.next();
                in.next();
                return new Statement.ShowReplicaStatus(word.equals("REPLICA"));
            }
            case "FULL PROCESSLIST" -> {
                in.next();
                in.next();
                return new Statement.ShowProcessList(true);
            }
            case "BINLOG EVENTS" -> {
                in.next();
                in.next();
                return binlogEvents();
            }
            case "CHARACTER SET" -> {
                in.next();
                in.next();
                return filtered(ShowKind.CHARACTER_SET, scope);
            }
            default -> {
                return single(word);
            }
        }
    }

    /** SHOW statements named by one word. */
    private Statement single(String word) {
        switch (word) {
            case "REPLICAS" -> {
                int at = in.peek().start();
                fixed(ShowKind.REPLICAS, 1);
                return new Statement.Show(ShowKind.REPLICAS, VarScope.DEFAULT, RowFilter.ALL, at);
            }
            case "PROCESSLIST" -> {
                in.next();
                return new Statement.ShowProcessList(false);
            }
            case "GRANTS" -> {
                in.next();
                return grants();
            }
            case "WARNINGS", "ERRORS" -> {
                in.next();
                if (in.acceptWord("LIMIT")) {
                    in.unsignedInteger();
                    if (in.acceptSymbol(",")) {
                        in.unsignedInteger();
                    }
                }
                return new Statement.Show(word.equals("WARNINGS") ? ShowKind.WARNINGS : ShowKind.ERRORS,
                        VarScope.DEFAULT, RowFilter.ALL);
            }
            case "DATABASES", "SCHEMAS" -> {
                in.next();
                return filtered(ShowKind.DATABASES, VarScope.DEFAULT);
            }
            case "COLLATION" -> {
                in.next();
                return filtered(ShowKind.COLLATION, VarScope.DEFAULT);
            }
            case "CHARSET" -> {
                in.next();
                return filtered(ShowKind.CHARACTER_SET, VarScope.DEFAULT);
            }
            default -> throw SqlException.notSupported(in.sql());
        }
    }

    private Statement fixed(ShowKind kind, int words) {
        for (int i = 0; i < words; i++) {
            in.next();
        }
        return new Statement.Show(kind, VarScope.DEFAULT, RowFilter.ALL);
    }

    private Statement filtered(ShowKind kind, VarScope scope) {
        RowFilter filter = RowFilter.ALL;
        if (in.acceptWord("LIKE")) {
            filter = new RowFilter.Like(expressions.likePattern());
        } else if (in.acceptWord("WHERE")) {
            filter = new RowFilter.Where(expressions.condition());
        }
        return new Statement.Show(kind, scope, filter);
    }

    private Statement binlogEvents() {
        String file = null;
        if (in.acceptWord("IN")) {
            if (in.peek().type() != Type.STRING) {
                throw in.error();
            }
            file = in.next().value();
        }
        long from = in.acceptWord("FROM") ? in.unsignedInteger() : 4;
        long offset = 0;
        long count = -1;
        if (in.acceptWord("LIMIT")) {
            count = in.unsignedInteger();
            if (in.acceptSymbol(",")) {
                offset = count;
                count = in.unsignedInteger();
            } else if (in.acceptWord("OFFSET")) {
                offset = in.unsignedInteger();
            }
        }
        return new Statement.ShowBinlogEvents(file, from, offset, count);
    }

    private Statement grants() {
        if (!in.acceptWord("FOR")) {
            return new Statement.ShowGrants(null, null);
        }
        if (in.acceptWord("CURRENT_USER")) {
            if (in.acceptSymbol("(")) {
                in.expectSymbol(")");
            }
            return new Statement.ShowGrants(null, null);
        }
        String user = in.name();
        String host = "%";
        if (in.peek().type() == Type.USER_VAR) {
            host = in.next().value();
        }
        return new Statement.ShowGrants(user, host);
    }
}
