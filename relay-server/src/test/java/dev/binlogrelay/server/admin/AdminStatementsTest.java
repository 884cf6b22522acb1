package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's statements through the SQL layer: their forms in both dialects, the columns of SHOW SLAVE / REPLICA
 * STATUS and SHOW PROCESSLIST, ERR 1227 for a replication user, and the calls they make on {@link AdminControl}
 * (recorded by the control below; the IT AdminStatementsIT runs them against a live relay).
 */
class AdminStatementsTest {
    /** Records what the statements ask; "op" is the admin, everyone else a replication user. */
    static final class RecordingControl implements AdminControl {
        final List<String> calls = new ArrayList<>();
        UpstreamStatus status = new UpstreamStatus("db1", 3306, "repl", "Yes", "Waiting for master to send event",
                "mysql-bin.000002", 5000, 3L, 0, "", "0-1-42", "", 1, "", 10, "Yes", true, "", 123456);

        @Override
        public boolean isAdmin(String user) {
            return "op".equals(user);
        }

        @Override
        public UpstreamStatus upstreamStatus() {
            return status;
        }

        @Override
        public void stopIngest() {
            calls.add("stop");
        }

        @Override
        public void startIngest() {
            calls.add("start");
        }

        @Override
        public void changeUpstream(String host, Integer port) {
            calls.add("change " + host + " " + port);
        }

        @Override
        public Optional<String> purgeTo(String file) {
            calls.add("purge to " + file);
            return Optional.empty();
        }

        @Override
        public Optional<String> purgeBefore(Instant time) {
            calls.add("purge before " + time);
            return Optional.of("kept one");
        }

        @Override
        public List<Connection> connections() {
            return List.of(new Connection(5, "repl", "10.0.0.7:4000", "Binlog Dump", 12, "Sending binlog event to slave", 2002,
                            "mysql-bin.000001", 400, 4096, 1000),
                    new Connection(6, "op", "10.0.0.8:4001", "Sleep", 3, "", 0, null, 0, -1, 0));
        }

        @Override
        public boolean kill(long id) {
            calls.add("kill " + id);
            return true;
        }
    }

    private final RecordingControl control = new RecordingControl();

    private Sql as(String user, String version) {
        FakeRelayInfo base = FakeRelayInfo.typical().withVersion(version);
        RelayInfo info = new RelayInfoWithControl(base, control);
        return new Sql(new QueryHandler(info, Clock.fixed(Sql.NOW, ZoneOffset.UTC)), new SqlSession(user, "10.0.0.8", 6));
    }

    @Test
    void slaveStatusHasMariaDbColumnsAndTheUpstreamsValues() {
        Sql sql = as("op", "10.11.5-MariaDB-log");
        for (String statement : List.of("SHOW SLAVE STATUS", "show replica status", "/* x */ SHOW  SLAVE\nSTATUS;")) {
            TextResultSet rs = sql.rows(statement);
            assertEquals("Slave_IO_State", rs.columns().get(0));
            assertTrue(rs.columns().containsAll(List.of("Master_Host", "Master_Port", "Slave_IO_Running", "Master_Log_File",
                    "Read_Master_Log_Pos", "Gtid_IO_Pos", "Seconds_Behind_Master", "Last_IO_Errno", "Last_IO_Error")));
            var row = ReplicaStatusColumns.asMap(rs);
            assertEquals("db1", row.get("Master_Host"));
            assertEquals("3306", row.get("Master_Port"));
            assertEquals("Yes", row.get("Slave_IO_Running"));
            assertEquals("mysql-bin.000002", row.get("Master_Log_File"));
            assertEquals("5000", row.get("Read_Master_Log_Pos"));
            assertEquals("0-1-42", row.get("Gtid_IO_Pos"));
            assertEquals("Slave_Pos", row.get("Using_Gtid"));
            assertEquals("3", row.get("Seconds_Behind_Master"));
            assertEquals("0", row.get("Last_IO_Errno"));
        }
    }

    @Test
    void mysqlNamesColumnsTheOldWayForSlaveAndTheNewWayForReplica() {
        Sql sql = as("op", "8.0.36");
        control.status = new AdminControl.UpstreamStatus("db1", 3306, "repl", "Connecting", "Connecting to master", "binlog.000003",
                77, null, 2003, "cannot connect to db1:3306: refused", "", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", 1,
                "3E11FA47-71CA-11E1-9E33-C80AA9429562", 10, "Yes", true, "", 10);
        var replica = ReplicaStatusColumns.asMap(sql.rows("SHOW REPLICA STATUS"));
        assertEquals("db1", replica.get("Source_Host"));
        assertEquals("Connecting", replica.get("Replica_IO_Running"));
        assertEquals("77", replica.get("Read_Source_Log_Pos"));
        assertNull(replica.get("Seconds_Behind_Source"));
        assertEquals("2003", replica.get("Last_IO_Errno"));
        assertEquals("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", replica.get("Retrieved_Gtid_Set"));
        assertEquals("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5", replica.get("Executed_Gtid_Set"));
        assertEquals("1", replica.get("Auto_Position"));
        TextResultSet slave = sql.rows("SHOW SLAVE STATUS");
        assertEquals("Slave_IO_State", slave.columns().get(0));
        assertTrue(slave.columns().containsAll(List.of("Master_Host", "Read_Master_Log_Pos", "Seconds_Behind_Master",
                "Master_UUID", "Get_master_public_key", "Slave_SQL_Running_State")), slave.columns().toString());
        assertEquals(replica.size(), slave.columns().size());
    }

    @Test
    void noUpstreamIsAnEmptyResultAsOnAServerThatIsNoReplica() {
        control.status = null;
        TextResultSet rs = as("op", "10.11.5-MariaDB-log").rows("SHOW SLAVE STATUS");
        assertTrue(rs.rows().isEmpty());
        assertEquals("Slave_IO_State", rs.columns().get(0));
    }

    @Test
    void controlStatementsCallTheControl() {
        Sql sql = as("op", "10.11.5-MariaDB-log");
        sql.ok("STOP SLAVE");
        sql.ok("stop replica io_thread");
        sql.ok("START SLAVE");
        sql.ok("START REPLICA");
        sql.ok("CHANGE MASTER TO MASTER_HOST='db2', MASTER_PORT=3307");
        sql.ok("change replication source to source_port = 3308");
        sql.ok("PURGE BINARY LOGS TO 'mysql-bin.000002'");
        sql.ok("PURGE MASTER LOGS BEFORE '2024-05-06 07:00:00'");
        assertEquals(1, sql.session.warnings().size());
        sql.ok("KILL 5");
        sql.ok("KILL CONNECTION 6");
        sql.ok("KILL QUERY 6"); // not dumping: nothing to stop
        sql.ok("KILL QUERY 5");
        assertEquals(List.of("stop", "stop", "start", "start", "change db2 3307", "change null 3308",
                "purge to mysql-bin.000002", "purge before 2024-05-06T07:00:00Z", "kill 5", "kill 6", "kill 5"), control.calls);
        sql.ok("START TRANSACTION");
    }

    @Test
    void badAdminStatementsGetClearErrors() {
        Sql sql = as("op", "10.11.5-MariaDB-log");
        assertTrue(sql.error("CHANGE MASTER TO MASTER_USER='x'", 1235).contains("MASTER_USER"));
        sql.error("CHANGE MASTER TO MASTER_PORT=0", AdminParser.ER_WRONG_ARGUMENTS);
        sql.error("CHANGE MASTER TO MASTER_HOST=''", AdminParser.ER_WRONG_ARGUMENTS);
        sql.error("PURGE BINARY LOGS BEFORE 'yesterday'", AdminStatements.ER_WRONG_VALUE);
        sql.error("KILL 999", AdminStatements.ER_NO_SUCH_THREAD);
        sql.error("START GROUP_REPLICATION", 1235);
        sql.error("KILL", 1064);
        assertTrue(control.calls.isEmpty(), control.calls.toString());
    }

    @Test
    void processListShowsReadersWithTheirPositionAndBacklog() {
        TextResultSet rs = as("op", "10.11.5-MariaDB-log").rows("SHOW PROCESSLIST");
        assertEquals(List.of("Id", "User", "Host", "db", "Command", "Time", "State", "Info", "Progress", "Server_id",
                "Log_file", "Log_pos", "Bytes_behind", "Bytes_sent"), rs.columns());
        assertEquals(List.of("5", "repl", "10.0.0.7:4000"), rs.rows().get(0).subList(0, 3));
        assertEquals(List.of("2002", "mysql-bin.000001", "400", "4096", "1000"), rs.rows().get(0).subList(9, 14));
        assertNull(rs.rows().get(1).get(10));
        TextResultSet mysql = as("op", "8.0.36").rows("SHOW FULL PROCESSLIST");
        assertEquals("Info", mysql.columns().get(7));
        assertEquals("Server_id", mysql.columns().get(8));
    }

    @Test
    void replicationUsersGet1227ForEveryAdminStatement() {
        for (String version : List.of("10.11.5-MariaDB-log", "8.0.36")) {
            Sql sql = as("repl", version);
            for (String statement : List.of("SHOW SLAVE STATUS", "SHOW REPLICA STATUS", "STOP SLAVE", "START SLAVE",
                    "CHANGE MASTER TO MASTER_HOST='x'", "PURGE BINARY LOGS TO 'mysql-bin.000002'", "SHOW PROCESSLIST",
                    "KILL 5")) {
                String message = sql.error(statement, 1227);
                assertTrue(message.startsWith("Access denied; you need (at least one of) the "), message);
                assertTrue(message.contains("role: admin"), message);
            }
            // what readers need stays open to them
            sql.rows("SHOW BINARY LOGS");
            sql.rows("SHOW VARIABLES LIKE 'binlog_checksum'");
        }
        assertTrue(control.calls.isEmpty());
    }

    @Test
    void purgeBeforeReadsTheSessionsTimeZone() {
        SqlSession session = new SqlSession("op", "h", 1);
        assertEquals(Instant.parse("2024-05-06T00:00:00Z"), AdminStatements.instant("2024-05-06", session));
        session.setSessionVariable("time_zone", "+02:00");
        assertEquals(Instant.parse("2024-05-06T05:00:00Z"), AdminStatements.instant("2024-05-06 07:00:00", session));
        session.setSessionVariable("time_zone", "-5:00");
        assertEquals(Instant.parse("2024-05-06T12:00:00Z"), AdminStatements.instant("2024-05-06 07:00", session));
    }
}
