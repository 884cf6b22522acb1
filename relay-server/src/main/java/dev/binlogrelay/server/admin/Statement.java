package dev.binlogrelay.server.admin;

import java.util.List;

/** A parsed statement: what the client asked for, before anything is evaluated. */
sealed interface Statement {
    /** {@code SET a = x, b = y, ...}. */
    record Set(List<Assignment> assignments) implements Statement {
        public Set {
            assignments = List.copyOf(assignments);
        }
    }

    /**
     * {@code SELECT item, ... [FROM DUAL | FROM table] [LIMIT [offset,] count]}.
     *
     * @param table a table named in FROM (other than DUAL), or null; the relay has none to read
     * @param limit row limit, or -1 for none
     */
    record Select(List<SelectItem> items, String table, long limit) implements Statement {
        public Select {
            items = List.copyOf(items);
        }
    }

    /**
     * MariaDB's {@code SET STATEMENT name = value, ... FOR statement}: the session variables hold these values
     * while {@code statement} runs and get their old values back after it.
     *
     * @param formOffset where MySQL stops parsing it (the first variable name: to MySQL, {@code SET STATEMENT} sets a
     *                   variable named {@code statement}), for its syntax error when the relay presents MySQL
     */
    record SetStatementFor(List<SetSystemVar> variables, Statement statement, int formOffset) implements Statement {
        public SetStatementFor {
            variables = List.copyOf(variables);
        }

        SetStatementFor(List<SetSystemVar> variables, Statement statement) {
            this(variables, statement, 0);
        }
    }

    /** {@code DO expr, ...}: evaluated for errors, nothing returned. */
    record Do(List<Expr> expressions) implements Statement {
        public Do {
            expressions = List.copyOf(expressions);
        }
    }

    /**
     * A SHOW statement with a fixed set of columns, optionally filtered by LIKE or WHERE.
     *
     * @param formOffset where in the statement a server of the other flavor stops parsing it (the word after SHOW
     *                   that only one flavor knows), for its syntax error; -1 for forms both flavors know
     */
    record Show(ShowKind kind, VarScope scope, RowFilter filter, int formOffset) implements Statement {
        Show(ShowKind kind, VarScope scope, RowFilter filter) {
            this(kind, scope, filter, -1);
        }
    }

    /**
     * {@code SHOW BINLOG EVENTS [IN 'file'] [FROM position] [LIMIT [offset,] count]}.
     *
     * @param file  the file, or null for the oldest the relay holds
     * @param count the most rows to answer, or -1 for all
     */
    record ShowBinlogEvents(String file, long from, long offset, long count) implements Statement {
    }

    /** {@code SHOW GRANTS [FOR user[@host] | FOR CURRENT_USER[()]]}: user null means the current user. */
    record ShowGrants(String user, String host) implements Statement {
    }

    /** Statements the relay accepts and ignores: USE, BEGIN, COMMIT, ROLLBACK, START TRANSACTION. */
    record Ignored(String what) implements Statement {
    }

    /** The operator's statements ({@link AdminStatements}): {@code role: admin} users only, ERR 1227 for others. */
    sealed interface Admin extends Statement {
    }

    /** {@code SHOW SLAVE STATUS} / {@code SHOW REPLICA STATUS}: {@code replica} for the second (MySQL's new names). */
    record ShowReplicaStatus(boolean replica) implements Admin {
    }

    /** {@code STOP SLAVE} / {@code STOP REPLICA} ({@code start} false), {@code START SLAVE} / {@code START REPLICA}. */
    record StartStopReplica(boolean start) implements Admin {
    }

    /** {@code CHANGE MASTER TO MASTER_HOST = 'h', MASTER_PORT = n} (or SOURCE_*): null for what is not given. */
    record ChangeUpstream(String host, Integer port) implements Admin {
    }

    /** {@code PURGE {BINARY | MASTER} LOGS TO 'file'} ({@code before} null) or {@code BEFORE 'datetime'} (file null). */
    record PurgeLogs(String file, String before) implements Admin {
    }

    /** {@code SHOW [FULL] PROCESSLIST}. */
    record ShowProcessList(boolean full) implements Admin {
    }

    /** {@code KILL [CONNECTION | QUERY] id}. */
    record Kill(long id, boolean queryOnly) implements Admin {
    }

    /** The SHOW statements the relay answers. */
    enum ShowKind {
        VARIABLES, STATUS, MASTER_STATUS, BINARY_LOG_STATUS, BINLOG_STATUS, BINARY_LOGS, SLAVE_HOSTS, REPLICAS, WARNINGS,
        ERRORS, DATABASES, COLLATION, CHARACTER_SET
    }

    /**
     * One item of a select list.
     *
     * @param name the column name: the alias, or the expression as written (a string literal's value), as MySQL
     *             names result columns
     */
    record SelectItem(Expr expr, String name) {
    }

    /** One element of a SET statement. */
    sealed interface Assignment {
    }

    /** {@code @name = expr} (also {@code :=}). */
    record SetUserVar(String name, Expr value) implements Assignment {
    }

    /** {@code [SESSION|LOCAL|GLOBAL] name = expr}, {@code @@[scope.]name = expr}. */
    record SetSystemVar(VarScope scope, String name, Expr value) implements Assignment {
    }

    /** {@code NAMES charset [COLLATE collation]} / {@code NAMES DEFAULT}: charset null means the default. */
    record SetNames(String charset, String collation) implements Assignment {
    }

    /** {@code CHARACTER SET charset} / {@code CHARSET charset}: charset null means DEFAULT. */
    record SetCharacterSet(String charset) implements Assignment {
    }

    /**
     * {@code [GLOBAL|SESSION] TRANSACTION characteristic, ...}.
     *
     * @param isolation the isolation level as a variable value ("READ-COMMITTED"), or null if not given
     * @param readOnly  true/false for READ ONLY/READ WRITE, or null if not given
     */
    record SetTransaction(VarScope scope, String isolation, Boolean readOnly) implements Assignment {
    }
}
