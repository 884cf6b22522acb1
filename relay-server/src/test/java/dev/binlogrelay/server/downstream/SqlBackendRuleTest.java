package dev.binlogrelay.server.downstream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlBackendRuleTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM inventory.customers", "select id, name from t where name = 'INSERT INTO x'",
            "(SELECT 1) UNION (SELECT 2)", "  /* hint */ SELECT 1", "-- c\nSELECT 1", "# c\nSELECT 1",
            "SELECT * FROM t LOCK IN SHARE MODE", "SHOW DATABASES", "SHOW FULL TABLES FROM db", "SHOW CREATE TABLE db.t",
            "show table status like 't'", "DESCRIBE t", "DESC t", "EXPLAIN SELECT * FROM t", "USE `db`",
            "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", "SET @@session.sql_mode = ''", "SET NAMES utf8mb4",
            "SET autocommit = 0", "SET TRANSACTION READ ONLY", "set @a = 'GLOBAL'", "SET LOCAL net_write_timeout = 60",
            "SET STATEMENT max_statement_time=600 FOR SELECT * FROM t",
            "START TRANSACTION WITH CONSISTENT SNAPSHOT", "START TRANSACTION READ ONLY", "BEGIN", "COMMIT", "ROLLBACK",
            "SAVEPOINT s1", "RELEASE SAVEPOINT s1", "LOCK TABLES t1 READ, t2 AS x READ LOCAL", "UNLOCK TABLES",
            "FLUSH TABLES WITH READ LOCK", "FLUSH TABLES db.t1, db.t2 WITH READ LOCK", "CHECKSUM TABLE t",
            "/*!40101 SELECT 1 */", "/*M!100100 SHOW DATABASES */"})
    void allowed(String sql) {
        assertNull(SqlBackendRule.refusal(sql), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "INSERT INTO t VALUES (1)", "insert into t select * from u", "UPDATE t SET a = 1", "DELETE FROM t",
            "REPLACE INTO t VALUES (1)", "CREATE TABLE t (a INT)", "DROP TABLE t", "ALTER TABLE t ADD b INT",
            "TRUNCATE t", "RENAME TABLE a TO b", "GRANT ALL ON *.* TO x", "REVOKE ALL ON *.* FROM x",
            "CREATE USER x", "SET GLOBAL read_only = 0", "SET @@global.read_only = 0", "SET SESSION a = 1, GLOBAL b = 2",
            "SET PERSIST x = 1", "SET PASSWORD = 'x'", "SET ROLE r", "SET DEFAULT ROLE r FOR u", "KILL 5", "KILL QUERY 5",
            "SHUTDOWN", "FLUSH LOGS", "FLUSH PRIVILEGES", "FLUSH TABLES", "LOCK TABLES t WRITE", "LOCK TABLES t READ, u WRITE",
            "CALL p()", "LOAD DATA INFILE 'x' INTO TABLE t", "SELECT * FROM t INTO OUTFILE '/tmp/x'",
            "SELECT 1 INTO DUMPFILE '/tmp/x'", "SELECT * FROM t FOR UPDATE", "HANDLER t OPEN", "DO SLEEP(1)",
            "SET STATEMENT max_statement_time=1 FOR DELETE FROM t", "SET STATEMENT x=1 FOR SET GLOBAL y = 1",
            "/*!40101 INSERT INTO t VALUES (1) */", "/* SELECT */ DROP TABLE t", "-- SELECT\nDROP TABLE t",
            "PURGE BINARY LOGS TO 'x'", "RESET MASTER", "CHANGE MASTER TO MASTER_HOST='x'", "START SLAVE", "OPTIMIZE TABLE t",
            "ANALYZE TABLE t", "INSTALL PLUGIN x SONAME 'y'", "XA START 'x'", "WITH a AS (SELECT 1) SELECT * FROM a", ""})
    void refused(String sql) {
        assertNotNull(SqlBackendRule.refusal(sql), sql);
    }

    @Test
    void backendFirstAreTheStatementsOnlyTheDatabaseCanAnswer() {
        for (String sql : List.of("SHOW DATABASES", "SHOW SCHEMAS", "SHOW FULL TABLES", "SHOW CREATE TABLE t",
                "SHOW COLUMNS FROM t", "SHOW FULL COLUMNS FROM t", "SHOW INDEX FROM t", "SHOW TABLE STATUS",
                "START TRANSACTION WITH CONSISTENT SNAPSHOT", "BEGIN", "COMMIT", "ROLLBACK", "LOCK TABLES t READ",
                "UNLOCK TABLES", "FLUSH TABLES WITH READ LOCK", "USE db", "DESC t", "EXPLAIN SELECT 1")) {
            assertTrue(SqlBackendRule.backendFirst(sql), sql);
        }
        for (String sql : List.of("SELECT @@version", "SELECT 1", "SHOW MASTER STATUS", "SHOW VARIABLES LIKE 'x'",
                "SHOW BINARY LOGS", "SHOW GRANTS", "SHOW WARNINGS", "SET NAMES utf8", "SHOW BINLOG EVENTS", "")) {
            assertFalse(SqlBackendRule.backendFirst(sql), sql);
        }
    }

    /** MariaDB Connector/J wraps every statement with a query timeout (Debezium's default) in SET STATEMENT … FOR. */
    @Test
    void aSetStatementGoesWhereItsInnerStatementGoes() {
        assertTrue(SqlBackendRule.backendFirst("SET STATEMENT max_statement_time=600 FOR SHOW DATABASES"));
        assertTrue(SqlBackendRule.backendFirst("SET STATEMENT max_statement_time=600, sql_mode='' FOR SHOW FULL TABLES IN `db`"));
        assertTrue(SqlBackendRule.isTransactionStatement("SET STATEMENT max_statement_time=600 FOR START TRANSACTION WITH CONSISTENT SNAPSHOT"));
        assertTrue(SqlBackendRule.isTransactionStatement("set statement max_statement_time=1 for commit"));
        assertFalse(SqlBackendRule.backendFirst("SET STATEMENT max_statement_time=600 FOR SHOW MASTER STATUS"));
        assertFalse(SqlBackendRule.backendFirst("SET STATEMENT max_statement_time=600 FOR SELECT @@version"));
        assertFalse(SqlBackendRule.backendFirst("SET STATEMENT max_statement_time=600"), "no FOR: the relay's syntax error");
    }

    @Test
    void diagnosticsOfTheLastStatement() {
        assertTrue(SqlBackendRule.showsDiagnostics("SHOW WARNINGS"));
        assertTrue(SqlBackendRule.showsDiagnostics("show count(*) errors"));
        assertFalse(SqlBackendRule.showsDiagnostics("SHOW DATABASES"));
    }

    @Test
    void wordsSkipStringsAndCommentsAndReadExecutableComments() {
        assertEquals(List.of("SET", "@@SESSION.A"),
                SqlBackendRule.words("/*!50100 SET */ `GLOBAL` = 'GLOBAL', \"x\"\"GLOBAL\" /* GLOBAL */ @@session.a", 10));
        assertEquals(List.of("SELECT", "FROM", "T"), SqlBackendRule.words("SELECT 'it''s \\' GLOBAL' FROM t", 10));
        assertEquals(List.of("SELECT"), SqlBackendRule.words("SELECT 1", 1));
    }
}
