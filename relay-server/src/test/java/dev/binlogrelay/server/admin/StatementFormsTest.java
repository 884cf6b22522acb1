package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.TextResultSet;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * MariaDB's {@code SET STATEMENT ... FOR} and MySQL's optimizer hints, as JDBC drivers send them when a query timeout
 * is set (MariaDB Connector/J: {@code SET STATEMENT max_statement_time=N FOR <query>}).
 */
class StatementFormsTest {
    private final Sql sql = Sql.typical();

    @Test
    void setStatementRunsTheStatementWithTheValues() {
        assertEquals("600", sql.scalar("SET STATEMENT max_statement_time=600 FOR SELECT @@max_statement_time"));
        assertFalse(sql.session.hasSessionVariable("max_statement_time"), "the value holds for the one statement");
        assertEquals("1001", sql.scalar("set statement max_statement_time=60 for select @@server_id"));
        TextResultSet status = sql.rows("SET STATEMENT max_statement_time=600 FOR SHOW MASTER STATUS");
        assertEquals("mysql-bin.000002", status.rows().get(0).get(0));
        assertEquals(List.of("1", "4"), sql.rows("SET STATEMENT max_statement_time=1, sql_select_limit=4 FOR"
                + " SELECT @@max_statement_time, @@sql_select_limit").rows().get(0));
    }

    @Test
    void setStatementRestoresTheSessionValues() {
        sql.ok("SET max_statement_time = 5");
        assertEquals("9", sql.scalar("SET STATEMENT max_statement_time = 9 FOR SELECT @@max_statement_time"));
        assertEquals("5", sql.scalar("SELECT @@max_statement_time"));
        sql.ok("SET STATEMENT max_statement_time = 9 FOR SET @a = @@max_statement_time");
        assertEquals("9", sql.session.userVariable("a"), "the inner statement's own effects stay");
        assertEquals("5", sql.scalar("SELECT @@max_statement_time"));
        sql.ok("SET STATEMENT max_statement_time = DEFAULT FOR SET @b = 1");
        assertEquals("5", sql.scalar("SELECT @@max_statement_time"));
    }

    @Test
    void aFailingInnerStatementStillRestores() {
        assertEquals(ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE,
                sql.error("SET STATEMENT max_statement_time=600 FOR SELECT @@no_such_variable").code());
        assertFalse(sql.session.hasSessionVariable("max_statement_time"));
        String message = sql.error("SET STATEMENT max_statement_time=600 FOR INSERT INTO t VALUES (1)",
                ErrorCodes.ER_NOT_SUPPORTED_YET);
        assertEquals("binlog-relay does not support this statement: SET STATEMENT max_statement_time=600 FOR INSERT INTO t"
                + " VALUES (1)", message);
        assertFalse(sql.session.hasSessionVariable("max_statement_time"));
    }

    @Test
    void setStatementChecksItsVariablesAsSetDoes() {
        assertEquals(SqlException.ER_GLOBAL_VARIABLE,
                sql.error("SET STATEMENT server_id = 5 FOR SELECT 1").code(), "a global-only variable is refused");
        sql.error("SET STATEMENT max_statement_time=600 FOR", ErrorCodes.ER_PARSE_ERROR);
        sql.error("SET STATEMENT max_statement_time= FOR SELECT 1", ErrorCodes.ER_NOT_SUPPORTED_YET);
        sql.error("SET STATEMENT max_statement_time=1 SELECT 1", ErrorCodes.ER_NOT_SUPPORTED_YET);
        sql.ok("SET statement = 1");
        assertEquals("1", sql.session.sessionVariable("statement"), "a variable named statement is still a SET");
    }

    /** SET STATEMENT is MariaDB's: MySQL reads {@code SET statement ...} as setting a variable and stops at the name. */
    @Test
    void presentingMySqlSetStatementIsMySqlsSyntaxError() {
        Sql mysql = Sql.mysql();
        String message = mysql.error("SET STATEMENT max_statement_time=600 FOR SELECT 1", ErrorCodes.ER_PARSE_ERROR);
        assertEquals("You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version"
                + " for the right syntax to use near 'max_statement_time=600 FOR SELECT 1' at line 1", message);
        assertFalse(mysql.session.hasSessionVariable("max_statement_time"));
        assertEquals("1001", mysql.scalar("SELECT /*+ MAX_EXECUTION_TIME(1000) */ @@server_id"), "MySQL's own timeout form");
    }

    @Test
    void optimizerHintsAndExecutableCommentsAroundTheTimeout() {
        assertEquals("1001", sql.scalar("SELECT /*+ MAX_EXECUTION_TIME(1000) */ @@server_id"));
        assertEquals("1001", sql.scalar("SELECT /*+ MAX_EXECUTION_TIME(1000) SET_VAR(sort_buffer_size = 16M) */ @@server_id"));
        sql.ok("SET max_execution_time = 1000");
        assertEquals("1000", sql.scalar("SELECT @@max_execution_time"));
        assertEquals("600", sql.scalar("/*M!100100 SET STATEMENT max_statement_time=600 FOR */ SELECT @@max_statement_time"));
        assertNull(sql.session.sessionVariable("max_statement_time"));
    }
}
