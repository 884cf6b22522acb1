package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.TextResultSet;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetAndSelectTest {
    private final Sql sql = Sql.typical();

    @Test
    void multiAssignmentSetReadsBack() {
        sql.ok("SET @a = 1, @b := 'two', @C = NULL, @d = -5, @e = 18446744073709551615");
        TextResultSet rs = sql.rows("SELECT @a, @b, @c, @d, @e, @never");
        assertEquals(List.of("@a", "@b", "@c", "@d", "@e", "@never"), rs.columns());
        assertEquals(Arrays.asList("1", "two", null, "-5", "18446744073709551615", null), rs.rows().get(0));
        assertTrue(sql.session.hasUserVariable("c"));
        assertFalse(sql.session.hasUserVariable("never"));
    }

    @Test
    void userVariableNamesIgnoreCaseAndMayBeQuoted() {
        sql.ok("set @`Odd Name` = 'x', @'q' = 'y', @\"dq\" = 'z'");
        assertEquals("x", sql.session.userVariable("odd name"));
        assertEquals("y", sql.scalar("SELECT @Q"));
        assertEquals("z", sql.scalar("SELECT @`dq`"));
    }

    @Test
    void assignmentsSeeValuesFromBeforeTheStatement() {
        sql.ok("SET @a = 1");
        sql.ok("SET @a = 2, @b = @a");
        assertEquals("1", sql.scalar("SELECT @b"));
        assertEquals("2", sql.scalar("SELECT @a"));
    }

    @Test
    void userVariableTakesASystemVariable() {
        sql.ok("SET @master_binlog_checksum = @@global.binlog_checksum");
        assertEquals("CRC32", sql.session.userVariable("master_binlog_checksum"));
    }

    @Test
    void sessionVariablesInEveryForm() {
        sql.ok("SET wait_timeout = 100, SESSION net_write_timeout = 200, LOCAL net_read_timeout = 300,"
                + " @@session.interactive_timeout = 400, @@local.sql_mode = 'ANSI', @@time_zone = '+00:00'");
        assertEquals("100", sql.scalar("SELECT @@wait_timeout"));
        assertEquals("200", sql.scalar("SELECT @@session.net_write_timeout"));
        assertEquals("300", sql.scalar("SELECT @@local.net_read_timeout"));
        assertEquals("400", sql.scalar("select @@SESSION.INTERACTIVE_TIMEOUT"));
        assertEquals("ANSI", sql.scalar("SELECT @@sql_mode"));
        assertEquals("+00:00", sql.scalar("SELECT @@time_zone"));
        assertEquals("28800", sql.scalar("SELECT @@global.wait_timeout"), "global value unchanged");
    }

    @Test
    void defaultResetsASessionValue() {
        sql.ok("SET wait_timeout = 5");
        sql.ok("SET wait_timeout = DEFAULT, @@session.sql_select_limit = DEFAULT");
        assertEquals("28800", sql.scalar("SELECT @@wait_timeout"));
    }

    @Test
    void booleansAcceptOnOffAndReadAsDigits() {
        sql.ok("SET autocommit = OFF");
        assertEquals("0", sql.scalar("SELECT @@autocommit"));
        assertEquals("OFF", sql.shown("SHOW VARIABLES LIKE 'autocommit'"));
        assertEquals("ON", sql.shown("SHOW GLOBAL VARIABLES LIKE 'autocommit'"));
        sql.ok("set autocommit=true");
        assertEquals("1", sql.scalar("SELECT @@session.autocommit"));
        assertEquals(SqlException.ER_WRONG_VALUE_FOR_VAR, sql.error("SET autocommit = 'maybe'").code());
    }

    @Test
    void bareWordsAreValuesForSystemVariablesButColumnsElsewhere() {
        sql.ok("SET binlog_format = MIXED, query_cache_type = `DEMAND`");
        assertEquals("MIXED", sql.scalar("SELECT @@binlog_format"));
        assertEquals("DEMAND", sql.scalar("SELECT @@query_cache_type"));
        assertTrue(sql.error("SET @x = foo", SqlException.ER_BAD_FIELD).contains("'foo'"));
        assertTrue(sql.error("SELECT foo", SqlException.ER_BAD_FIELD).contains("'foo'"));
    }

    @Test
    void unknownSessionVariablesAreKept() {
        sql.ok("SET sql_log_bin = 0, session_track_schema = 1");
        assertEquals("0", sql.scalar("SELECT @@sql_log_bin"));
    }

    @Test
    void nullSessionValueReadsAsNull() {
        sql.ok("SET character_set_results = NULL");
        assertNull(sql.scalar("SELECT @@character_set_results"));
        assertEquals("latin1", sql.scalar("SELECT @@global.character_set_results"), "MariaDB 10.11's default");
    }

    @Test
    void globalAssignmentsAreRefusedAndChangeNothing() {
        String message = sql.error("SET @a = 1, GLOBAL wait_timeout = 5", SqlException.ER_SPECIFIC_ACCESS_DENIED);
        assertTrue(message.startsWith("Access denied; you need (at least one of) the SUPER privilege(s)"), message);
        assertFalse(sql.session.hasUserVariable("a"), "a failed SET changes nothing");
        sql.error("SET @@global.server_id = 5", SqlException.ER_SPECIFIC_ACCESS_DENIED);
        sql.error("SET @@GLOBAL.binlog_checksum = 'NONE'", SqlException.ER_SPECIFIC_ACCESS_DENIED);
        sql.error("SET PERSIST max_connections = 1", SqlException.ER_SPECIFIC_ACCESS_DENIED);
        sql.error("SET GLOBAL TRANSACTION READ ONLY", SqlException.ER_SPECIFIC_ACCESS_DENIED);
        assertEquals("1001", sql.scalar("SELECT @@server_id"));
    }

    @Test
    void globalOnlyVariablesRefuseSessionValues() {
        assertEquals("Variable 'server_id' is a GLOBAL variable and should be set with SET GLOBAL",
                sql.error("SET server_id = 5", SqlException.ER_GLOBAL_VARIABLE));
        sql.error("SET @@session.read_only = 0", SqlException.ER_GLOBAL_VARIABLE);
        assertEquals("1001", sql.scalar("SELECT @@session.server_id"));
    }

    @Test
    void setNamesAndCharacterSet() {
        sql.ok("set names 'binary'");
        assertEquals("binary", sql.scalar("SELECT @@character_set_client"));
        assertEquals("binary", sql.scalar("SELECT @@collation_connection"));
        sql.ok("SET NAMES utf8mb4 COLLATE 'utf8mb4_bin'");
        assertEquals("utf8mb4_bin", sql.scalar("SELECT @@collation_connection"));
        sql.ok("SET NAMES latin1");
        assertEquals("latin1", sql.scalar("SELECT @@character_set_results"));
        assertEquals("latin1_swedish_ci", sql.scalar("SELECT @@collation_connection"));
        sql.ok("SET NAMES DEFAULT");
        assertEquals("utf8mb4", sql.scalar("SELECT @@character_set_connection"));
        sql.ok("SET CHARACTER SET latin1");
        sql.ok("SET CHARSET `utf8mb4`");
        assertEquals("utf8mb4", sql.scalar("SELECT @@character_set_client"));
        sql.ok("SET NAMES utf8mb4, @after = 1");
        assertEquals("1", sql.scalar("SELECT @after"));
    }

    @Test
    void setTransaction() {
        Sql sql = Sql.mysql();
        sql.ok("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        assertEquals("REPEATABLE-READ", sql.scalar("SELECT @@transaction_isolation"), "next transaction only");
        sql.ok("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY");
        assertEquals("READ-COMMITTED", sql.scalar("SELECT @@session.transaction_isolation"));
        assertEquals("READ-COMMITTED", sql.scalar("SELECT @@tx_isolation"));
        assertEquals("1", sql.scalar("SELECT @@session.transaction_read_only"));
        sql.ok("set session transaction read write");
        assertEquals("0", sql.scalar("SELECT @@tx_read_only"));
    }

    @Test
    void selectColumnNamesAreTheTextAsWritten() {
        TextResultSet rs = sql.rows("SELECT @@GLOBAL.SERVER_ID, UNIX_TIMESTAMP(), @master_binlog_checksum, 'lit', 42,"
                + " @@version_comment AS vc, VERSION() v, @@hostname `Host Name`, 1 'one'");
        assertEquals(List.of("@@GLOBAL.SERVER_ID", "UNIX_TIMESTAMP()", "@master_binlog_checksum", "lit", "42", "vc",
                "v", "Host Name", "one"), rs.columns());
        assertEquals("1001", rs.rows().get(0).get(0));
        assertEquals(Long.toString(Sql.NOW.getEpochSecond()), rs.rows().get(0).get(1));
        assertNull(rs.rows().get(0).get(2));
        assertEquals("binlog-relay", rs.rows().get(0).get(5));
        assertEquals("10.11.5-MariaDB-log", rs.rows().get(0).get(6));
        assertEquals("unix_timestamp( )", sql.column("select unix_timestamp( )"));
    }

    @Test
    void literals() {
        TextResultSet rs = sql.rows("SELECT 1, 007, 1.50, .5, 1e3, -2, - -3, +4, NULL, TRUE, false, 'it''s', \"say \\\"hi\\\"\","
                + " 'a\\nb', 18446744073709551615, 99999999999999999999999");
        assertEquals(Arrays.asList("1", "7", "1.50", "0.5", "1000", "-2", "3", "4", null, "1", "0", "it's", "say \"hi\"",
                "a\nb", "18446744073709551615", "99999999999999999999999"), rs.rows().get(0));
        assertEquals("NULL", rs.columns().get(8));
        assertEquals("(1)", sql.column("SELECT (1)"));
        assertEquals("1", sql.scalar("SELECT ((1))"));
    }

    @Test
    void functions() {
        assertEquals("2024-05-06 07:08:09", sql.scalar("SELECT NOW()"));
        assertEquals("2024-05-06 07:08:09", sql.scalar("SELECT CURRENT_TIMESTAMP"));
        assertEquals("2024-05-06 07:08:09", sql.scalar("SELECT current_timestamp()"));
        assertEquals("2024-05-06", sql.scalar("SELECT CURDATE()"));
        assertNull(sql.scalar("SELECT DATABASE()"));
        assertNull(sql.scalar("SELECT schema()"));
        assertEquals("repl@10.0.0.9", sql.scalar("SELECT USER()"));
        assertEquals("repl@10.0.0.9", sql.scalar("SELECT SESSION_USER()"));
        assertEquals("repl@%", sql.scalar("SELECT CURRENT_USER()"));
        assertEquals("repl@%", sql.scalar("SELECT CURRENT_USER"));
        assertEquals("77", sql.scalar("SELECT CONNECTION_ID()"));
        assertEquals("0", sql.scalar("SELECT LAST_INSERT_ID()"));
        assertEquals(36, sql.scalar("SELECT UUID()").length());
        assertEquals("ANSI,STRICT", sql.scalar("SELECT CONCAT('ANSI', ',', 'STRICT')"));
        assertNull(sql.scalar("SELECT CONCAT('a', NULL)"));
        assertEquals("FUNCTION no_such_fn does not exist", sql.error("SELECT no_such_fn(1)", SqlException.ER_SP_DOES_NOT_EXIST));
        sql.error("SELECT UNIX_TIMESTAMP(1, 2)", SqlException.ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT);
        sql.ok("SET @slave_uuid = uuid(), sql_mode = concat(@@sql_mode, ',STRICT_TRANS_TABLES')");
        assertEquals("STRICT_TRANS_TABLES", sql.scalar("SELECT @@sql_mode"), "as the server keeps it");
    }

    @Test
    void limitAndFromDual() {
        assertEquals("binlog-relay", sql.scalar("select @@version_comment limit 1"));
        assertEquals(0, sql.rows("SELECT 1 LIMIT 0").rows().size());
        assertEquals(0, sql.rows("SELECT 1 LIMIT 1, 5").rows().size());
        assertEquals(1, sql.rows("SELECT 1 LIMIT 0, 5").rows().size());
        assertEquals(0, sql.rows("SELECT 1 LIMIT 5 OFFSET 2").rows().size());
        assertEquals("1", sql.scalar("SELECT 1 FROM DUAL"));
        assertEquals("1", sql.scalar("SELECT 1 FROM DUAL LIMIT 18446744073709551615"));
        assertEquals("1", sql.scalar("SELECT SQL_NO_CACHE 1"));
    }

    @Test
    void selectFromATableIsNotSupported() {
        String message = sql.error("SELECT * FROM information_schema.tables WHERE x = 1", ErrorCodes.ER_NOT_SUPPORTED_YET);
        assertTrue(message.contains("information_schema.tables") && message.contains("no tables"), message);
        sql.error("select count(*) from `mysql`.`user`", ErrorCodes.ER_NOT_SUPPORTED_YET);
    }

    @Test
    void doIgnoresValuesButChecksThem() {
        sql.ok("DO 1, @a");
        sql.error("DO nope()", SqlException.ER_SP_DOES_NOT_EXIST);
    }

    @Test
    void harmlessStatementsAreOk() {
        for (String s : List.of("USE mydb", "use `my db`;", "BEGIN", "begin work", "COMMIT", "ROLLBACK", "rollback work",
                "START TRANSACTION", "START TRANSACTION WITH CONSISTENT SNAPSHOT", "start transaction read only")) {
            sql.ok(s);
        }
    }

    @Test
    void systemVariablesAnswerCaseInsensitively() {
        assertEquals("1001", sql.scalar("SELECT @@SeRvEr_Id"));
        assertEquals("latin1_swedish_ci", sql.scalar("SELECT @@collation_server"));
        assertEquals("16777216", sql.scalar("SELECT @@max_allowed_packet"), "downstream.max_packet, the default");
        assertEquals("18446744073709551615", sql.scalar("SELECT @@sql_select_limit"));
        assertEquals("0-1-42", sql.scalar("SELECT @@gtid_current_pos"));
        assertEquals("0", sql.scalar("SELECT @@global.gtid_domain_id"));
        assertEquals("0", sql.scalar("SELECT @@gtid_strict_mode"));
        assertEquals("OFF", Sql.mysql().scalar("SELECT @@GLOBAL.GTID_MODE"));
        assertEquals("", sql.scalar("SELECT @@gtid_slave_pos"));
        assertEquals("1", sql.scalar("SELECT @@log_bin"));
        assertEquals("1", sql.scalar("SELECT @@read_only"));
        assertEquals("3306", sql.scalar("SELECT @@port"));
        assertFalse(sql.scalar("SELECT @@hostname").isEmpty());
    }

    @Test
    void serverUuidIsStablePerServerId() {
        Sql sql = Sql.mysql();
        String uuid = sql.scalar("SELECT @@GLOBAL.SERVER_UUID");
        assertEquals(SystemVariables.serverUuid(1001), uuid);
        assertEquals(uuid, Sql.mysql().scalar("select @@server_uuid"));
        assertFalse(uuid.equals(SystemVariables.serverUuid(1002)));
        assertTrue(uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), uuid);
    }

    @Test
    void unknownSystemVariable() {
        assertEquals("Unknown system variable 'no_such_thing'", sql.error("SELECT @@no_such_thing", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE));
        sql.error("SELECT @@global.no_such_thing", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        sql.error("SELECT @@default.key_buffer_size", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
    }

    @Test
    void sqlModeIsKeptAsTheServerKeepsIt() {
        sql.ok("SET sql_mode = CONCAT('STRICT_TRANS_TABLES,no_engine_substitution', ',STRICT_TRANS_TABLES,ANSI_QUOTES')");
        assertEquals("ANSI_QUOTES,STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", sql.scalar("SELECT @@sql_mode"));
        sql.error("SET sql_mode = 'NO_SUCH_MODE'", SqlException.ER_WRONG_VALUE_FOR_VAR);
        sql.ok("SET sql_mode = ''");
        assertEquals("", sql.scalar("SELECT @@session.sql_mode"));
        Sql ignoreSpace = Sql.typical();
        ignoreSpace.session.ignoreSpace(true); // the client announced CLIENT_IGNORE_SPACE
        assertEquals("IGNORE_SPACE", ignoreSpace.scalar("SELECT @@sql_mode"));
        assertEquals("IGNORE_SPACE", ignoreSpace.shown("SHOW VARIABLES LIKE 'sql_mode'"));
        assertEquals("", ignoreSpace.scalar("SELECT @@global.sql_mode"));
    }
}
