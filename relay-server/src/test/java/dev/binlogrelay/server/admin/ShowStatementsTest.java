package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShowStatementsTest {
    private final Sql sql = Sql.typical();

    private static List<String> names(TextResultSet rs) {
        return rs.rows().stream().map(r -> r.get(0)).collect(Collectors.toList());
    }

    @Test
    void showVariablesLike() {
        assertEquals("1001", sql.shown("SHOW VARIABLES LIKE 'SERVER_ID'"));
        assertEquals("server_id", sql.rows("show variables like 'Server_Id'").rows().get(0).get(0), "names in lower case");
        assertEquals("CRC32", sql.shown("SHOW GLOBAL VARIABLES LIKE 'binlog_checksum'"));
        assertEquals("ROW", sql.shown("show session variables like 'binlog_format'"));
        assertEquals("FULL", sql.shown("SHOW LOCAL VARIABLES LIKE 'binlog_row_image'"));
        assertEquals("OFF", Sql.mysql().shown("SHOW GLOBAL VARIABLES LIKE 'GTID_MODE'"));
        assertEquals("ON", sql.shown("SHOW VARIABLES LIKE 'log_bin'"));
        assertEquals("ON", sql.shown("SHOW VARIABLES LIKE 'rpl_semi_sync_master_enabled'"));
        assertEquals("OFF", sql.shown("SHOW VARIABLES LIKE 'gtid_strict_mode'"));
        assertEquals(0, sql.rows("SHOW VARIABLES LIKE 'rds\\_%'").rows().size());
    }

    @Test
    void likeWildcardsAndEscapes() {
        assertEquals(List.of("character_set_client", "character_set_connection", "character_set_database",
                "character_set_results", "character_set_server"), names(sql.rows("SHOW VARIABLES LIKE 'character_set_%'")));
        assertEquals(List.of("collation_connection", "collation_database", "collation_server"),
                names(sql.rows("SHOW VARIABLES LIKE 'collation%'")));
        assertEquals(List.of("tx_isolation", "tx_read_only"), names(sql.rows("SHOW VARIABLES LIKE 'tx\\_%'")));
        assertEquals(List.of("port"), names(sql.rows("SHOW VARIABLES LIKE 'p_rt'")));
        assertEquals(List.of("gtid_binlog_pos", "gtid_current_pos", "gtid_slave_pos"),
                names(sql.rows("SHOW VARIABLES LIKE 'gtid%|_pos' ESCAPE '|'")));
        assertTrue(sql.rows("SHOW VARIABLES").rows().size() > 50);
        assertEquals(sql.rows("SHOW VARIABLES").rows().size(), sql.rows("SHOW VARIABLES LIKE '%'").rows().size());
    }

    @Test
    void showVariablesWhere() {
        TextResultSet rs = sql.rows("SHOW VARIABLES WHERE Variable_name ='language' OR Variable_name = 'net_write_timeout'"
                + " OR Variable_name = 'interactive_timeout' OR Variable_name = 'wait_timeout'");
        assertEquals(List.of("interactive_timeout", "net_write_timeout", "wait_timeout"), names(rs));
        assertEquals(List.of("character_set_server", "collation_server"),
                names(sql.rows("SHOW VARIABLES WHERE Variable_name IN ('character_set_server','collation_server')")));
        assertEquals(List.of("server_id"), names(sql.rows("SHOW GLOBAL VARIABLES WHERE variable_name LIKE 'server_i_'")));
        assertEquals(List.of("server_id_bits"), names(Sql.mysql().rows(
                "SHOW VARIABLES WHERE (`Variable_name` LIKE 'server%' AND NOT Variable_name IN ('server_id', 'server_uuid'))")));
        assertEquals(List.of("port"), names(sql.rows("SHOW VARIABLES WHERE Value = 3306")));
        assertEquals(List.of("log_bin", "log_slave_updates"), names(sql.rows(
                "SHOW VARIABLES WHERE Variable_name LIKE 'log%' AND Value <> 'OFF'")));
        sql.error("SHOW VARIABLES WHERE nope = 1", SqlException.ER_BAD_FIELD);
    }

    @Test
    void sessionValuesShowUnlessGlobalIsAsked() {
        sql.ok("SET wait_timeout = 99");
        assertEquals("99", sql.shown("SHOW VARIABLES LIKE 'wait_timeout'"));
        assertEquals("99", sql.shown("SHOW SESSION VARIABLES LIKE 'wait_timeout'"));
        assertEquals("28800", sql.shown("SHOW GLOBAL VARIABLES LIKE 'wait_timeout'"));
    }

    @Test
    void showStatus() {
        TextResultSet rs = sql.rows("SHOW GLOBAL STATUS LIKE 'Uptime'");
        assertEquals(List.of("Variable_name", "Value"), rs.columns());
        assertEquals(List.of(List.of("Uptime", "0")), rs.rows());
        assertEquals("1", sql.shown("show status like 'slaves_connected'"));
        assertEquals(0, sql.rows("SHOW STATUS LIKE 'Com_select'").rows().size());
        assertTrue(sql.rows("SHOW SESSION STATUS").rows().size() >= 3);
    }

    @Test
    void masterStatusInEachFlavorsForms() {
        List<String> maria = List.of("File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB");
        for (String s : List.of("SHOW MASTER STATUS", "show binlog status", "SHOW  MASTER\n STATUS ;")) {
            TextResultSet rs = sql.rows(s);
            assertEquals(maria, rs.columns(), "MariaDB's four columns");
            assertEquals(List.of(List.of("mysql-bin.000002", "5000000000", "", "")), rs.rows(), s);
        }
        assertEquals("You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version"
                + " for the right syntax to use near 'LOG STATUS' at line 1", sql.error("SHOW BINARY LOG STATUS", 1064));
        TextResultSet empty = new Sql(FakeRelayInfo.empty().withVersion("10.11.5-MariaDB")).rows("SHOW MASTER STATUS");
        assertEquals(maria, empty.columns());
        assertEquals(0, empty.rows().size());

        List<String> mysql = List.of("File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB", "Executed_Gtid_Set");
        Sql mysql80 = Sql.mysql();
        assertEquals(mysql, mysql80.rows("SHOW MASTER STATUS").columns());
        assertEquals(List.of(List.of("mysql-bin.000002", "5000000000", "", "", "")), mysql80.rows("SHOW MASTER STATUS").rows());
        assertEquals("You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version"
                + " for the right syntax to use near 'STATUS' at line 1", mysql80.error("SHOW BINLOG STATUS", 1064));
        mysql80.error("SHOW BINARY LOG STATUS", 1064); // 8.2 and later
        Sql mysql84 = new Sql(FakeRelayInfo.typical().withVersion("8.4.3"));
        assertEquals(mysql, mysql84.rows("show binary log status").columns());
        mysql84.error("SHOW MASTER STATUS", 1064); // removed in 8.4
        assertEquals(mysql, new Sql(FakeRelayInfo.empty()).rows("SHOW MASTER STATUS").columns());
    }

    @Test
    void binaryLogs() {
        for (String s : List.of("SHOW BINARY LOGS", "show master logs")) {
            TextResultSet rs = sql.rows(s);
            assertEquals(List.of("Log_name", "File_size"), rs.columns());
            assertEquals(List.of(List.of("mysql-bin.000001", "4096"), List.of("mysql-bin.000002", "5000000000")), rs.rows());
        }
        assertEquals(0, new Sql(FakeRelayInfo.empty()).rows("SHOW BINARY LOGS").rows().size());
    }

    @Test
    void replicas() {
        TextResultSet hosts = sql.rows("SHOW SLAVE HOSTS");
        assertEquals(List.of("Server_id", "Host", "Port", "Master_id", "Semi_sync", "Semi_sync_acks",
                "Semi_sync_acked_position"), hosts.columns());
        assertEquals(List.of(List.of("2002", "replica-a", "3307", "1001", "No", "0", "")), hosts.rows());
        assertEquals(hosts, sql.rows("show replica hosts"));
        sql.error("SHOW REPLICAS", 1064); // MariaDB has SHOW REPLICA HOSTS only
        TextResultSet replicas = Sql.mysql().rows("SHOW REPLICAS");
        assertEquals(List.of("Server_Id", "Host", "Port", "Source_Id", "Replica_UUID"), replicas.columns());
        assertEquals(List.of(List.of("2002", "replica-a", "3307", "1001", "")), replicas.rows());
    }

    @Test
    void grants() {
        String grant = "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `repl`@`%`";
        for (String s : List.of("SHOW GRANTS", "SHOW GRANTS FOR CURRENT_USER", "show grants for current_user()",
                "SHOW GRANTS FOR 'repl'@'%'", "SHOW GRANTS FOR repl", "SHOW GRANTS FOR `repl`@`%`")) {
            TextResultSet rs = sql.rows(s);
            assertEquals(List.of("Grants for repl@%"), rs.columns(), s);
            assertEquals(List.of(List.of(grant)), rs.rows(), s);
        }
        assertEquals("Grants for repl@localhost", sql.column("SHOW GRANTS FOR repl@localhost"));
        assertEquals("There is no such grant defined for user 'root' on host '%'",
                sql.error("SHOW GRANTS FOR 'root'@'%'", SqlException.ER_NONEXISTING_GRANT));
    }

    @Test
    void warningsErrorsDatabases() {
        TextResultSet warnings = sql.rows("SHOW WARNINGS");
        assertEquals(List.of("Level", "Code", "Message"), warnings.columns());
        assertEquals(0, warnings.rows().size());
        assertEquals(warnings, sql.rows("show errors"));
        assertEquals(warnings, sql.rows("SHOW WARNINGS LIMIT 0, 10"));
        TextResultSet databases = sql.rows("SHOW DATABASES");
        assertEquals(List.of("Database"), databases.columns());
        assertEquals(0, databases.rows().size());
        assertEquals(databases, sql.rows("SHOW SCHEMAS LIKE 'x%'"));
    }

    @Test
    void collationsAndCharacterSets() {
        TextResultSet collations = sql.rows("SHOW COLLATION");
        assertEquals(List.of("Collation", "Charset", "Id", "Default", "Compiled", "Sortlen"), collations.columns());
        assertEquals(List.of(List.of("utf8mb4_general_ci", "utf8mb4", "45", "Yes", "Yes", "1")),
                sql.rows("SHOW COLLATION LIKE 'utf8mb4_general%'").rows());
        assertEquals(List.of("utf8mb4_bin", "utf8mb4_general_ci"), names(sql.rows("SHOW COLLATION WHERE Charset = 'utf8mb4'")));
        TextResultSet charsets = sql.rows("SHOW CHARACTER SET");
        assertEquals(List.of("Charset", "Description", "Default collation", "Maxlen"), charsets.columns());
        assertEquals(List.of("binary", "latin1", "utf8mb4"), names(charsets));
        assertEquals(List.of("latin1"), names(sql.rows("show charset like 'lat%'")));
    }

    @Test
    void unsupportedShows() {
        // SHOW PROCESSLIST and SHOW SLAVE STATUS are operator statements now (AdminStatementsTest)
        for (String s : List.of("SHOW ALL SLAVES STATUS", "SHOW RELAYLOG EVENTS", "SHOW FULL TABLES", "SHOW ENGINES",
                "SHOW CREATE TABLE t")) {
            String message = sql.error(s, dev.binlogrelay.core.protocol.ErrorCodes.ER_NOT_SUPPORTED_YET);
            assertEquals("binlog-relay does not support this statement: " + s, message);
        }
        // forms the relay's grammar lacks are not supported (it cannot tell them from mistakes); a cut-short
        // statement is a syntax error
        sql.error("SHOW GLOBAL MASTER STATUS", dev.binlogrelay.core.protocol.ErrorCodes.ER_NOT_SUPPORTED_YET);
        sql.error("SHOW VARIABLES LIKE 'a' junk", dev.binlogrelay.core.protocol.ErrorCodes.ER_NOT_SUPPORTED_YET);
        sql.error("SHOW VARIABLES LIKE", dev.binlogrelay.core.protocol.ErrorCodes.ER_PARSE_ERROR);
    }
}
