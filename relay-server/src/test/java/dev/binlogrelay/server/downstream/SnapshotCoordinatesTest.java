package dev.binlogrelay.server.downstream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotCoordinatesTest {
    @Test
    void theStatementsThatReadCoordinates() {
        for (String sql : List.of("SHOW MASTER STATUS", "show binlog status", "SHOW BINARY LOG STATUS",
                "SHOW GLOBAL VARIABLES LIKE 'GTID_BINLOG_POS'", "SHOW VARIABLES WHERE Variable_name = 'gtid_current_pos'",
                "SELECT @@gtid_binlog_pos", "SELECT @@GLOBAL.gtid_binlog_pos, @@server_id", "select @@global.gtid_executed",
                "SELECT BINLOG_GTID_POS('mariadb-bin.000001', 4)", "SELECT @@gtid_binlog_state",
                "SET STATEMENT max_statement_time=600 FOR SHOW MASTER STATUS",
                "SET STATEMENT max_statement_time=600 FOR SHOW GLOBAL VARIABLES LIKE 'GTID_BINLOG_POS'")) {
            assertTrue(SnapshotCoordinates.readsCoordinates(sql), sql);
        }
        for (String sql : List.of("SHOW BINARY LOGS", "SHOW MASTER LOGS", "SELECT @@server_id", "SHOW VARIABLES LIKE 'version'",
                "SELECT 'gtid_binlog_pos'", "SHOW SLAVE STATUS", "SELECT @gtid_binlog_pos", "")) {
            assertFalse(SnapshotCoordinates.readsCoordinates(sql), sql);
        }
    }

    @Test
    void aSnapshotIsLocksATransactionOrAutocommitOffOnAUsedBackend() {
        SnapshotCoordinates s = new SnapshotCoordinates();
        assertFalse(s.inSnapshot(false, true));
        assertTrue(s.inSnapshot(true, true), "BEGIN / START TRANSACTION answered by the backend");
        assertFalse(s.inSnapshot(false, false), "autocommit off, but nothing on the backend yet");
        s.forwarded("SET STATEMENT max_statement_time=600 FOR FLUSH TABLES WITH READ LOCK");
        assertTrue(s.inSnapshot(false, true), "the global read lock");
        s.forwarded("UNLOCK TABLES");
        assertFalse(s.inSnapshot(false, true));
        assertTrue(s.inSnapshot(false, false), "autocommit off after a statement on the backend");
        s.forwarded("LOCK TABLES t READ");
        assertTrue(s.inSnapshot(false, true));
        s.forwarded("unlock tables");
        s.forwarded("FLUSH TABLES t"); // not a read lock (and refused by the allow-list anyway)
        assertFalse(s.inSnapshot(false, true));
    }
}
