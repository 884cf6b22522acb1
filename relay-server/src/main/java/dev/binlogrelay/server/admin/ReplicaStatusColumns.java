package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SHOW SLAVE STATUS and SHOW REPLICA STATUS with the columns, in the order, of the server the relay presents:
 * MariaDB (10.11 lists the same columns under both statements, Replicate_Rewrite_DB last; AdminStatementsIT compares
 * them with a live server's), MySQL 8.0's old names for SHOW SLAVE
 * STATUS and its new ones (Source, Replica) for SHOW REPLICA STATUS. The relay is its own "SQL thread": what it
 * has read it has stored, so the relay-log and executed coordinates are the stored ones. Columns with no meaning
 * for a relay (replication filters, SSL file names, until conditions) hold what an unconfigured replica shows.
 */
final class ReplicaStatusColumns {
    private static final List<String> MARIADB = List.of("Slave_IO_State", "Master_Host", "Master_User", "Master_Port",
            "Connect_Retry", "Master_Log_File", "Read_Master_Log_Pos", "Relay_Log_File", "Relay_Log_Pos",
            "Relay_Master_Log_File", "Slave_IO_Running", "Slave_SQL_Running", "Replicate_Do_DB",
            "Replicate_Ignore_DB", "Replicate_Do_Table", "Replicate_Ignore_Table", "Replicate_Wild_Do_Table",
            "Replicate_Wild_Ignore_Table", "Last_Errno", "Last_Error", "Skip_Counter", "Exec_Master_Log_Pos",
            "Relay_Log_Space", "Until_Condition", "Until_Log_File", "Until_Log_Pos", "Master_SSL_Allowed",
            "Master_SSL_CA_File", "Master_SSL_CA_Path", "Master_SSL_Cert", "Master_SSL_Cipher", "Master_SSL_Key",
            "Seconds_Behind_Master", "Master_SSL_Verify_Server_Cert", "Last_IO_Errno", "Last_IO_Error", "Last_SQL_Errno",
            "Last_SQL_Error", "Replicate_Ignore_Server_Ids", "Master_Server_Id", "Master_SSL_Crl", "Master_SSL_Crlpath",
            "Using_Gtid", "Gtid_IO_Pos", "Replicate_Do_Domain_Ids", "Replicate_Ignore_Domain_Ids", "Parallel_Mode",
            "SQL_Delay", "SQL_Remaining_Delay", "Slave_SQL_Running_State", "Slave_DDL_Groups",
            "Slave_Non_Transactional_Groups", "Slave_Transactional_Groups", "Replicate_Rewrite_DB");
    /** MySQL 8.0.22+ SHOW REPLICA STATUS; SHOW SLAVE STATUS names them the old way ({@link #oldName}). */
    private static final List<String> MYSQL = List.of("Replica_IO_State", "Source_Host", "Source_User", "Source_Port",
            "Connect_Retry", "Source_Log_File", "Read_Source_Log_Pos", "Relay_Log_File", "Relay_Log_Pos",
            "Relay_Source_Log_File", "Replica_IO_Running", "Replica_SQL_Running", "Replicate_Do_DB", "Replicate_Ignore_DB",
            "Replicate_Do_Table", "Replicate_Ignore_Table", "Replicate_Wild_Do_Table", "Replicate_Wild_Ignore_Table",
            "Last_Errno", "Last_Error", "Skip_Counter", "Exec_Source_Log_Pos", "Relay_Log_Space", "Until_Condition",
            "Until_Log_File", "Until_Log_Pos", "Source_SSL_Allowed", "Source_SSL_CA_File", "Source_SSL_CA_Path",
            "Source_SSL_Cert", "Source_SSL_Cipher", "Source_SSL_Key", "Seconds_Behind_Source",
            "Source_SSL_Verify_Server_Cert", "Last_IO_Errno", "Last_IO_Error", "Last_SQL_Errno", "Last_SQL_Error",
            "Replicate_Ignore_Server_Ids", "Source_Server_Id", "Source_UUID", "Source_Info_File", "SQL_Delay",
            "SQL_Remaining_Delay", "Replica_SQL_Running_State", "Source_Retry_Count", "Source_Bind",
            "Last_IO_Error_Timestamp", "Last_SQL_Error_Timestamp", "Source_SSL_Crl", "Source_SSL_Crlpath",
            "Retrieved_Gtid_Set", "Executed_Gtid_Set", "Auto_Position", "Replicate_Rewrite_DB", "Channel_Name",
            "Source_TLS_Version", "Source_public_key_path", "Get_Source_public_key", "Network_Namespace");
    /** Columns that show 0, not "", when the relay has nothing to say. */
    private static final Set<String> ZERO = Set.of("Last_Errno", "Skip_Counter", "Until_Log_Pos", "Last_SQL_Errno",
            "SQL_Delay", "Slave_DDL_Groups", "Slave_Non_Transactional_Groups", "Slave_Transactional_Groups",
            "Get_master_public_key");

    private ReplicaStatusColumns() {
    }

    /** The column names of the statement in a dialect ({@code replica}: SHOW REPLICA STATUS). */
    static List<String> columns(Dialect dialect, boolean replica) {
        if (dialect.mariaDb()) {
            return MARIADB;
        }
        return replica ? MYSQL : MYSQL.stream().map(ReplicaStatusColumns::oldName).toList();
    }

    /** MySQL's pre-8.0.22 name of a column (also the key of the values below). */
    static String oldName(String column) {
        if (column.equals("Get_Source_public_key")) {
            return "Get_master_public_key";
        }
        return column.replace("Source", "Master").replace("Replica_", "Slave_");
    }

    /** The statement's answer: one row, or none without an upstream (as a server that is no replica answers). */
    static TextResultSet answer(Dialect dialect, boolean replica, AdminControl.UpstreamStatus s) {
        List<String> columns = columns(dialect, replica);
        if (s == null) {
            return TextResultSet.of(columns, List.of());
        }
        Map<String, String> v = values(s);
        List<String> row = new ArrayList<>(columns.size());
        for (String c : columns) {
            String key = oldName(c);
            row.add(v.containsKey(key) ? v.get(key) : ZERO.contains(key) ? "0" : "");
        }
        return TextResultSet.of(columns, List.of(row));
    }

    private static Map<String, String> values(AdminControl.UpstreamStatus s) {
        Map<String, String> v = new HashMap<>();
        v.put("Slave_IO_State", s.state());
        v.put("Master_Host", s.host());
        v.put("Master_User", s.user());
        v.put("Master_Port", Integer.toString(s.port()));
        v.put("Connect_Retry", Long.toString(s.connectRetrySeconds()));
        for (String file : List.of("Master_Log_File", "Relay_Log_File", "Relay_Master_Log_File")) {
            v.put(file, s.file());
        }
        for (String pos : List.of("Read_Master_Log_Pos", "Relay_Log_Pos", "Exec_Master_Log_Pos")) {
            v.put(pos, Long.toString(s.position()));
        }
        v.put("Slave_IO_Running", s.ioRunning());
        v.put("Slave_SQL_Running", s.storing() ? "Yes" : "No");
        v.put("Relay_Log_Space", Long.toString(s.storedBytes()));
        v.put("Until_Condition", "None");
        v.put("Master_SSL_Allowed", s.sslAllowed());
        v.put("Master_SSL_Verify_Server_Cert", "No");
        v.put("Seconds_Behind_Master", s.secondsBehind() == null ? null : Long.toString(s.secondsBehind()));
        v.put("Last_IO_Errno", Integer.toString(s.lastIoErrno()));
        v.put("Last_IO_Error", s.lastIoError());
        v.put("Last_SQL_Errno", s.lastStoreError().isEmpty() ? "0" : "1");
        v.put("Last_SQL_Error", s.lastStoreError());
        v.put("Master_Server_Id", Long.toString(s.masterServerId()));
        v.put("Using_Gtid", s.gtidPosition().isEmpty() ? "No" : "Slave_Pos");
        v.put("Gtid_IO_Pos", s.gtidPosition());
        v.put("Parallel_Mode", "none");
        v.put("SQL_Remaining_Delay", null);
        v.put("Slave_SQL_Running_State", s.storing() ? "Slave has read all relay log; waiting for more updates" : "");
        v.put("Master_UUID", s.masterUuid());
        v.put("Master_Info_File", "mysql.slave_master_info");
        v.put("Master_Retry_Count", "86400");
        v.put("Retrieved_Gtid_Set", s.mysqlGtidSet());
        v.put("Executed_Gtid_Set", s.mysqlGtidSet());
        v.put("Auto_Position", s.mysqlGtidSet().isEmpty() ? "0" : "1");
        return v;
    }

    /** For tests: a row's value by column. */
    static Map<String, String> asMap(TextResultSet rs) {
        Map<String, String> m = new HashMap<>();
        List<String> row = rs.rows().get(0);
        for (int i = 0; i < rs.columns().size(); i++) {
            m.put(rs.columns().get(i), row.get(i));
        }
        return m;
    }
}
