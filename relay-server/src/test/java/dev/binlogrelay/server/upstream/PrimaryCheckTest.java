package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.TextResultSet;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The decision whether a candidate of upstream.hosts is the primary, on answers as MariaDB and MySQL give them. */
class PrimaryCheckTest {
    private static TextResultSet variables(String... nameValue) {
        List<List<String>> rows = new java.util.ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            rows.add(List.of(nameValue[i], nameValue[i + 1]));
        }
        return TextResultSet.of(List.of("Variable_name", "Value"), rows);
    }

    @Test
    void writableMeansReadOnlyAndSuperReadOnlyOff() {
        assertEquals(Optional.empty(), PrimaryCheck.readOnly(variables("read_only", "OFF")));
        assertEquals(Optional.empty(), PrimaryCheck.readOnly(variables("read_only", "OFF", "super_read_only", "OFF")));
        assertEquals(Optional.of("read_only is ON"), PrimaryCheck.readOnly(variables("read_only", "ON")));
        assertEquals(Optional.of("super_read_only is ON"),
                PrimaryCheck.readOnly(variables("read_only", "OFF", "super_read_only", "ON")));
        // MariaDB 11.x: read_only takes NO_LOCK and friends besides OFF
        assertEquals(Optional.of("read_only is NO_LOCK"), PrimaryCheck.readOnly(variables("read_only", "NO_LOCK")));
    }

    /** Another binlog-relay says read_only ON by nature; whether it replicates decides (the next check). */
    @Test
    void aBinlogRelayIsNotRefusedForItsReadOnly() {
        assertEquals(Optional.empty(), PrimaryCheck.readOnly(variables("read_only", "ON", "version_comment", "binlog-relay")));
        assertEquals(Optional.of("read_only is ON"),
                PrimaryCheck.readOnly(variables("read_only", "ON", "version_comment", "MariaDB Server")));
    }

    private static TextResultSet status(List<String> columns, String[]... rows) {
        return TextResultSet.of(columns, Arrays.stream(rows).map(r -> Arrays.asList(r)).toList());
    }

    @Test
    void aRunningChannelMeansReplicating() {
        List<String> maria = List.of("Connection_name", "Master_Host", "Master_Port", "Slave_IO_Running", "Slave_SQL_Running");
        assertEquals(Optional.empty(), PrimaryCheck.replicating(status(maria)));
        // promoted with STOP SLAVE only: the channel is still listed, but nothing runs
        assertEquals(Optional.empty(), PrimaryCheck.replicating(status(maria, new String[]{"", "db1", "3306", "No", "No"})));
        assertEquals(Optional.of("replicating from db1:3306 (Slave_IO_Running Connecting, Slave_SQL_Running Yes)"),
                PrimaryCheck.replicating(status(maria, new String[]{"", "db1", "3306", "Connecting", "Yes"})));
        // one channel of a multi-source replica runs
        assertEquals(Optional.of("replicating from db9:3309 (Slave_SQL_Running Yes)"), PrimaryCheck.replicating(status(maria,
                new String[]{"a", "db1", "3306", "No", "No"}, new String[]{"b", "db9", "3309", "No", "Yes"})));
        List<String> mysql = List.of("Replica_IO_State", "Source_Host", "Source_Port", "Replica_IO_Running", "Replica_SQL_Running");
        assertEquals(Optional.of("replicating from db1:3306 (Replica_IO_Running Yes)"),
                PrimaryCheck.replicating(status(mysql, new String[]{"", "db1", "3306", "Yes", "No"})));
    }
}
