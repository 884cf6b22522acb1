package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the SQL that replicas and binlog readers send the relay before they ask for a dump (stock MySQL and
 * MariaDB replicas, mysqlbinlog / mariadb-binlog, mysql-binlog-connector-java, Canal, Maxwell, JDBC drivers),
 * and a few operator statements.
 *
 * <p>Each statement goes lexer ({@link SqlLexer}) → parser ({@link SqlParser}) → answer, so case, spacing,
 * comments, executable comments and several assignments in one SET are handled as a server would. Supported:
 * <ul>
 *   <li>{@code SET} of user variables, session system variables, NAMES, CHARACTER SET and TRANSACTION
 *       ({@link SetStatementRunner}); SET GLOBAL is refused;</li>
 *   <li>{@code SELECT} of literals, variables and a few functions, with aliases, {@code FROM DUAL} and LIMIT;</li>
 *   <li>{@code SHOW} VARIABLES, STATUS, MASTER STATUS / BINARY LOG STATUS (MySQL 8.2+) / BINLOG STATUS (MariaDB
 *       10.5.2+), BINARY LOGS / MASTER LOGS, SLAVE HOSTS / REPLICAS (MySQL 8.0.22+), GRANTS, WARNINGS, ERRORS,
 *       DATABASES, COLLATION, CHARACTER SET ({@link ShowAnswers}); BINLOG EVENTS from the store ({@link ShowBinlogEvents});</li>
 *   <li>MariaDB's {@code SET STATEMENT var = value, ... FOR statement}: the statement runs with those values;</li>
 *   <li>the operator's statements, for {@code role: admin} users ({@link AdminStatements}): SHOW SLAVE / REPLICA
 *       STATUS, STOP / START SLAVE, CHANGE MASTER TO, PURGE BINARY LOGS, SHOW PROCESSLIST, KILL;</li>
 *   <li>{@code USE}, {@code BEGIN}, {@code COMMIT}, {@code ROLLBACK}, {@code START TRANSACTION}, {@code DO}: OK.</li>
 * </ul>
 * Anything else is answered with an error a client understands (not supported, syntax error, unknown variable
 * or function, no such table); {@link #handle} never throws. Thread-safe: per-connection state lives in the
 * {@link SqlSession} passed in.
 */
public final class QueryHandler {
    private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);

    private final RelayInfo info;
    private final SystemVariables variables;
    private final ExpressionEvaluator evaluator;
    private final SetStatementRunner setRunner;
    private final ShowAnswers shows;
    private final ShowBinlogEvents binlogEvents;
    private final AdminStatements admin;

    public QueryHandler(RelayInfo info) {
        this(info, Clock.systemUTC());
    }

    /** With a clock, for tests of UNIX_TIMESTAMP(), NOW() and Uptime. */
    QueryHandler(RelayInfo info, Clock clock) {
        this.info = info;
        this.variables = new SystemVariables(info);
        this.evaluator = new ExpressionEvaluator(info, variables, clock);
        this.setRunner = new SetStatementRunner(variables, evaluator, info.maxUserVariablesBytes());
        this.shows = new ShowAnswers(info, variables, clock);
        this.binlogEvents = new ShowBinlogEvents(info);
        this.admin = new AdminStatements(info.adminControl());
    }

    /**
     * The character set a client named in its handshake (a collation id), as the server takes it: the session's
     * {@code character_set_client}, {@code character_set_connection}, {@code character_set_results} and {@code
     * collation_connection} become that collation's, unless its character set is the global {@code
     * character_set_client} (the globals then stay, as MariaDB's {@code thd_init_client_charset} does) or the id is
     * unknown.
     */
    public void handshakeCharset(int collationId, SqlSession session) {
        CharacterSets.Collation c = CharacterSets.HANDSHAKE.get(collationId);
        if (c == null || c.charset().equalsIgnoreCase(variables.read(VarScope.GLOBAL, "character_set_client", session))) {
            return;
        }
        session.setSessionVariable("character_set_client", c.charset());
        session.setSessionVariable("character_set_connection", c.charset());
        session.setSessionVariable("character_set_results", c.charset());
        session.setSessionVariable("collation_connection", c.name());
    }

    /** Answers one statement (COM_QUERY text) for a session: OK, a result set or an error; never throws. */
    public QueryResult handle(String sql, SqlSession session) {
        if (sql == null) {
            return SqlException.emptyQuery().toResult();
        }
        try {
            Statement statement = SqlParser.parse(sql, SqlLexer.versionNumber(info.serverVersion()));
            // SHOW WARNINGS reads the last statement's warnings, also when a query timeout wraps it in SET STATEMENT
            Statement inner = statement instanceof Statement.SetStatementFor setFor ? setFor.statement() : statement;
            if (!(inner instanceof Statement.Show show && (show.kind() == Statement.ShowKind.WARNINGS
                    || show.kind() == Statement.ShowKind.ERRORS))) {
                session.clearWarnings();
            }
            QueryResult result = execute(statement, session, sql);
            return result instanceof QueryResult.Ok ok && !session.warnings().isEmpty()
                    ? new QueryResult.Ok(ok.affectedRows(), session.warnings().size()) : result;
        } catch (SqlException e) {
            return variables.dialect().mariaDb() ? e.asMariaDb().toResult() : e.toResult();
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("failed to answer statement from {}@{} [{}]", dev.binlogrelay.core.protocol.PeerText.name(session.user()),
                    session.clientHost(), dev.binlogrelay.core.protocol.PeerText.text(sql), e);
            return new SqlException(SqlException.ER_UNKNOWN_ERROR, "HY000",
                    "binlog-relay failed to answer this statement: " + e).toResult();
        }
    }

    private QueryResult execute(Statement statement, SqlSession session, String sql) {
        if (statement instanceof Statement.Set set) {
            boolean autocommit = session.autocommit();
            setRunner.run(set, session);
            if (!autocommit && session.autocommit()) {
                session.inTransaction(false); // turning autocommit on commits, as on the server
            }
            return new QueryResult.Ok(0);
        }
        if (statement instanceof Statement.SetStatementFor setFor) {
            if (!variables.dialect().mariaDb()) {
                throw SqlException.syntax(sql, setFor.formOffset()); // MariaDB only: MySQL's parser error
            }
            return setRunner.runFor(setFor, session, inner -> execute(inner, session, sql));
        }
        if (statement instanceof Statement.Select select) {
            return new QueryResult.Rows(select(select, session));
        }
        if (statement instanceof Statement.Show show) {
            if (!shows.knows(show)) {
                throw SqlException.syntax(sql, show.formOffset()); // the other flavor's form: this flavor's parser error
            }
            return new QueryResult.Rows(shows.answer(show, session));
        }
        if (statement instanceof Statement.ShowBinlogEvents show) {
            boolean mariaDb = variables.dialect().mariaDb();
            return new QueryResult.Deferred(binlogEvents.answerOffLoop(show, e -> mariaDb ? e.asMariaDb().toResult() : e.toResult()));
        }
        if (statement instanceof Statement.ShowGrants grants) {
            return new QueryResult.Rows(shows.grants(grants, session));
        }
        if (statement instanceof Statement.Admin adminStatement) {
            return admin.execute(adminStatement, session, variables.dialect());
        }
        if (statement instanceof Statement.Do doStatement) {
            doStatement.expressions().forEach(e -> evaluator.evaluate(e, session));
            return new QueryResult.Ok(0);
        }
        if (statement instanceof Statement.Ignored ignored) {
            switch (ignored.what()) {
                case "BEGIN", "START TRANSACTION" -> session.inTransaction(true);
                case "COMMIT", "ROLLBACK" -> session.inTransaction(false);
                default -> {
                }
            }
            return new QueryResult.Ok(0);
        }
        throw new IllegalStateException("no answer for " + statement);
    }

    private TextResultSet select(Statement.Select select, SqlSession session) {
        if (select.table() != null) {
            throw SqlException.noTables(select.table());
        }
        List<String> columns = new ArrayList<>(select.items().size());
        List<String> values = new ArrayList<>(select.items().size());
        for (Statement.SelectItem item : select.items()) {
            columns.add(item.name());
            values.add(evaluator.evaluate(item.expr(), session));
        }
        return TextResultSet.of(columns, select.limit() == 0 ? List.of() : List.of(values));
    }
}
