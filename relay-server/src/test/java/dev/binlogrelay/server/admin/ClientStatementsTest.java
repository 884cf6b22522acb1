package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.TextResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The statements real replicas and tools send before a dump (see PROTOCOL-NOTES.md), in the order they send them. */
class ClientStatementsTest {
    private final Sql sql = Sql.typical();

    @Test
    void mysql8026Replica() {
        Sql sql = Sql.mysql();
        assertEquals(Long.toString(Sql.NOW.getEpochSecond()), sql.scalar("SELECT UNIX_TIMESTAMP()"));
        assertEquals("@@GLOBAL.SERVER_ID", sql.column("SELECT @@GLOBAL.SERVER_ID"));
        assertEquals("1001", sql.scalar("SELECT @@GLOBAL.SERVER_ID"));
        sql.ok("SET @master_heartbeat_period = 30000000000, @source_heartbeat_period = 30000000000");
        assertEquals("30000000000", sql.session.userVariable("master_heartbeat_period"));
        assertEquals("30000000000", sql.session.userVariable("source_heartbeat_period"));
        sql.ok("SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum");
        assertEquals("CRC32", sql.scalar("SELECT @source_binlog_checksum"));
        assertEquals("@source_binlog_checksum", sql.column("SELECT @source_binlog_checksum"));
        assertEquals("OFF", sql.scalar("SELECT @@GLOBAL.GTID_MODE"));
        assertEquals(SystemVariables.serverUuid(1001), sql.scalar("SELECT @@GLOBAL.SERVER_UUID"));
        sql.ok("SET @slave_uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562', @replica_uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562'");
        assertEquals("3e11fa47-71ca-11e1-9e33-c80aa9429562", sql.session.userVariable("replica_uuid"));
    }

    @Test
    void mysql8026ReplicaAsTheSourceSpellsIt() {
        sql.ok("SET @master_heartbeat_period= 15000000000, @source_heartbeat_period= 15000000000");
        sql.ok("SET @master_binlog_checksum= @@global.binlog_checksum, @source_binlog_checksum= @@global.binlog_checksum");
        sql.ok("SET @slave_uuid= '3e11fa47-71ca-11e1-9e33-c80aa9429562', @replica_uuid= '3e11fa47-71ca-11e1-9e33-c80aa9429562'");
        assertEquals("15000000000", sql.session.userVariable("source_heartbeat_period"));
        assertEquals("CRC32", sql.session.userVariable("master_binlog_checksum"));
    }

    @Test
    void olderMysqlReplica() {
        Sql sql = Sql.mysql();
        assertEquals("1001", sql.shown("SHOW VARIABLES LIKE 'SERVER_ID'"));
        assertEquals(SystemVariables.serverUuid(1001), sql.shown("SHOW VARIABLES LIKE 'SERVER_UUID'"));
        sql.ok("SET @master_binlog_checksum= @@global.binlog_checksum");
        assertEquals("CRC32", sql.scalar("SELECT @master_binlog_checksum"));
        assertEquals("8.0.36", sql.scalar("SELECT VERSION()"));
        assertEquals("binlog-relay", sql.scalar("SELECT @@version_comment LIMIT 1"));
        assertEquals("@@version_comment", sql.column("SELECT @@version_comment LIMIT 1"));
        sql.scalar("SELECT @@hostname");
        assertEquals("16777216", sql.scalar("SELECT @@max_allowed_packet"), "downstream.max_packet, the default");
        assertEquals("ON", sql.shown("SHOW VARIABLES LIKE 'rpl_semi_sync_master_enabled'"));
        sql.ok("SET @rpl_semi_sync_slave = 1");
        assertEquals("1", sql.session.userVariable("rpl_semi_sync_slave"));
    }

    @Test
    void mariadbReplica() {
        sql.ok("SET @master_binlog_checksum= @@global.binlog_checksum");
        sql.ok("SET @mariadb_slave_capability=4");
        assertEquals("4", sql.session.userVariable("mariadb_slave_capability"));
        assertEquals("0", sql.scalar("SELECT @@GLOBAL.gtid_domain_id"));
        sql.ok("SET @slave_connect_state='0-1-42'");
        sql.ok("SET @slave_gtid_strict_mode=1");
        sql.ok("SET @slave_gtid_ignore_duplicates=1");
        sql.ok("SET NAMES latin1");
        assertEquals("0-1-42", sql.session.userVariable("slave_connect_state"));
        assertEquals("1", sql.session.userVariable("slave_gtid_ignore_duplicates"));
    }

    @Test
    void ourOwnUpstreamClientsStatements() {
        sql.ok("SET @master_binlog_checksum = @@global.binlog_checksum");
        sql.ok("SET @mariadb_slave_capability = 4");
        sql.ok("SET @master_heartbeat_period = 5000000000");
        sql.ok("SET @slave_connect_state = '0-1-42'");
        sql.ok("SET @slave_gtid_strict_mode = 0");
        sql.ok("SET @slave_gtid_ignore_duplicates = 0");
        assertEquals("5000000000", sql.session.userVariable("master_heartbeat_period"));
    }

    @Test
    void cdcTools() {
        TextResultSet status = sql.rows("SHOW MASTER STATUS");
        assertEquals("mysql-bin.000002", status.rows().get(0).get(0));
        assertEquals(2, sql.rows("SHOW BINARY LOGS").rows().size());
        assertEquals("1001", sql.scalar("SELECT @@server_id"));
        assertEquals("1001", sql.scalar("select @@server_id as server_id"));
        assertEquals("server_id", sql.column("select @@server_id as server_id"));
        sql.ok("set wait_timeout=9999999");
        sql.ok("set net_write_timeout=7200");
        sql.ok("set net_read_timeout=7200");
        sql.ok("set names 'binary'");
        sql.ok("set @master_binlog_checksum= @@global.binlog_checksum");
        sql.ok("set @slave_uuid=uuid()");
        sql.ok("SET @mariadb_slave_capability='4'");
        sql.ok("SET @master_heartbeat_period=15000000000");
        assertEquals("CRC32", sql.scalar("select @@global.binlog_checksum"));
        assertEquals("CRC32", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_checksum'"));
        assertEquals("9999999", sql.scalar("SELECT @@wait_timeout"));
        // Canal's older spelling sets the literal text; it must still be accepted.
        sql.ok("set @master_binlog_checksum= '@@global.binlog_checksum'");
        assertEquals("@@global.binlog_checksum", sql.session.userVariable("master_binlog_checksum"));
    }

    @Test
    void debeziumMariaDbChecks() {
        sql.error("SELECT @@gtid_mode", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        assertEquals(0, sql.rows("SHOW GLOBAL VARIABLES LIKE 'GTID_MODE'").rows().size(), "MariaDB has no gtid_mode");
        sql.error("SELECT @@global.gtid_purged", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        sql.error("SELECT @@GLOBAL.SERVER_UUID", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        assertEquals("ROW", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_format'"));
        assertEquals("0-1-42", sql.scalar("SELECT @@global.gtid_binlog_state"));
        assertEquals("NO_LOG", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_row_metadata'"));
        assertEquals("ON", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_annotate_row_events'"));
        assertEquals(List.of(List.of("character_set_server", "latin1"), List.of("collation_server", "latin1_swedish_ci")),
                sql.rows("SHOW VARIABLES WHERE Variable_name IN ('character_set_server','collation_server')").rows(),
                "MariaDB 10.11's defaults, without the upstream's");
    }

    @Test
    void eachFlavorsOwnFunctions() {
        assertNull(sql.scalar("SELECT BINLOG_GTID_POS('mysql-bin.000002', 4)"), "the fake relay holds no events");
        assertNull(sql.scalar("SELECT BINLOG_GTID_POS('mysql-bin.000002', 'x')"));
        sql.error("SELECT BINLOG_GTID_POS('mysql-bin.000002')", SqlException.ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT);
        Sql mysql = Sql.mysql();
        mysql.error("SELECT BINLOG_GTID_POS('mysql-bin.000002', 4)", SqlException.ER_SP_DOES_NOT_EXIST);
        mysql.error("SELECT @@gtid_binlog_state", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        mysql.error("SELECT @@gtid_strict_mode", ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
    }

    /** Flink CDC's time zone check (MySqlValidator.checkTimeZone): the relay's clock is UTC. */
    @Test
    void flinkCdcTimeZoneCheck() {
        assertEquals("0", sql.scalar("SELECT TIME_TO_SEC(TIMEDIFF(NOW(), UTC_TIMESTAMP()))"));
        assertEquals("-01:00:01", sql.scalar("SELECT TIMEDIFF('2024-01-01 10:00:00', '2024-01-01 11:00:01')"));
        assertEquals("-3601", sql.scalar("SELECT TIME_TO_SEC('-01:00:01')"));
        assertNull(sql.scalar("SELECT TIME_TO_SEC('soon')"));
    }

    @Test
    void debeziumChecks() {
        Sql sql = Sql.mysql();
        assertEquals("OFF", sql.shown("SHOW GLOBAL VARIABLES LIKE 'GTID_MODE'"));
        assertEquals("ROW", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_format'"));
        assertEquals("FULL", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_row_image'"));
        assertEquals("", sql.scalar("SELECT @@global.gtid_executed"));
        assertEquals("", sql.scalar("SELECT @@global.gtid_purged"));
        assertEquals(List.of(List.of("character_set_server", "utf8mb4"), List.of("collation_server", "utf8mb4_0900_ai_ci")),
                sql.rows("SHOW VARIABLES WHERE Variable_name IN ('character_set_server','collation_server')").rows());
        assertEquals("Executed_Gtid_Set", sql.rows("SHOW MASTER STATUS").columns().get(4));
        assertEquals(1, sql.rows("SHOW GRANTS FOR CURRENT_USER").rows().size());
    }

    @Test
    void connectorJStartup() {
        Sql sql = new Sql(FakeRelayInfo.typical().withVersion("5.7.44-log")); // Connector/J asks these below 8.0.3
        TextResultSet rs = sql.rows("/* mysql-connector-j-9.1.0 (Revision: abc) */SELECT  @@session.auto_increment_increment AS"
                + " auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS"
                + " character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS"
                + " character_set_server, @@collation_server AS collation_server, @@collation_connection AS"
                + " collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout,"
                + " @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS"
                + " max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema,"
                + " @@query_cache_size AS query_cache_size, @@query_cache_type AS query_cache_type, @@sql_mode AS sql_mode,"
                + " @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS"
                + " transaction_isolation, @@wait_timeout AS wait_timeout");
        assertEquals(21, rs.columns().size());
        assertEquals("auto_increment_increment", rs.columns().get(0));
        assertEquals(List.of("1", "latin1"), rs.rows().get(0).subList(0, 2), "MySQL 5.7's default");
        assertEquals("GPL", rs.rows().get(0).get(9));
        assertEquals("0", rs.rows().get(0).get(13), "performance_schema reads as 0");
        assertEquals("OFF", rs.rows().get(0).get(15));
        sql.ok("SET character_set_results = NULL");
        sql.ok("SET autocommit=1");
        sql.ok("SET sql_mode='STRICT_TRANS_TABLES'");
        assertEquals("0", sql.scalar("SELECT @@session.transaction_read_only"));
        assertEquals("1", sql.scalar("/* ping */ SELECT 1"));
        sql.ok("SET SQL_SELECT_LIMIT=DEFAULT");
        sql.ok("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }

    @Test
    void mysqlClientAndDumpStyleStatements() {
        assertEquals("binlog-relay", sql.scalar("select @@version_comment limit 1"));
        sql.ok("/*!40101 SET NAMES utf8 */;");
        assertEquals("utf8", sql.scalar("SELECT @@character_set_client"));
        sql.ok("/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;");
        assertEquals("NO_AUTO_VALUE_ON_ZERO", sql.scalar("SELECT @@sql_mode"));
        assertEquals("", sql.session.userVariable("old_sql_mode"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT @@GLOBAL.SERVER_ID",
        "select @@global.server_id",
        "  SELECT\n\t@@GLOBAL.SERVER_ID  ;",
        "SELECT @@GLOBAL.SERVER_ID;;",
        "/* replica */ SELECT @@GLOBAL.SERVER_ID",
        "SELECT /* inline */ @@GLOBAL.SERVER_ID -- trailing comment",
        "SELECT @@GLOBAL.SERVER_ID # hash comment",
        "-- leading\nSELECT @@GLOBAL.SERVER_ID",
        "/*!40101 SELECT @@GLOBAL.SERVER_ID */",
        "/*!SELECT @@GLOBAL.SERVER_ID*/",
        "SELECT /*!50000 @@GLOBAL.SERVER_ID */",
        "SELECT @@GLOBAL.SERVER_ID /*!999999 , 2 */",
        "SELECT /*+ MAX_EXECUTION_TIME(1000) */ @@GLOBAL.SERVER_ID",
    })
    void spacingCaseAndComments(String statement) {
        QueryResult r = sql.run(statement);
        TextResultSet rs = assertInstanceOf(QueryResult.Rows.class, r, statement).resultSet();
        assertEquals(1, rs.columns().size(), statement);
        assertEquals("1001", rs.rows().get(0).get(0), statement);
    }

    @Test
    void executableCommentsFollowTheServerVersion() {
        // MariaDB 10.11.5 is 101105: a 10.1 (100100) comment is code, a 10.99 one is not.
        assertEquals(2, sql.rows("SELECT 1 /*M!100100 , 2 */").columns().size());
        assertEquals(1, sql.rows("SELECT 1 /*M!109900 , 2 */").columns().size());
        Sql mysql8 = new Sql(FakeRelayInfo.empty());
        assertEquals(2, mysql8.rows("SELECT 1 /*!80000 , 2 */").columns().size());
        assertEquals(1, mysql8.rows("SELECT 1 /*!80099 , 2 */").columns().size());
        assertNull(mysql8.scalar("SELECT @x /*!90000 , 2 */"));
    }
}
