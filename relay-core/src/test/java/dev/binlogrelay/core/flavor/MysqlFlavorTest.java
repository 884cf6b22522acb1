package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.protocol.command.BinlogDump;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MysqlFlavorTest {
    private static final String UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    @Test
    void detectedFromTheVersionString() {
        assertEquals(new MysqlFlavor(8, 0, 36), Flavor.fromVersion("8.0.36"));
        assertEquals(new MysqlFlavor(5, 7, 44), Flavor.fromVersion("5.7.44-log"));
        assertEquals(new MysqlFlavor(5, 7, 24), Flavor.fromVersion("5.7.24-27-log")); // Percona Server
        assertEquals(new MysqlFlavor(8, 4, 3), Flavor.fromVersion("8.4.3-commercial"));
        assertEquals(new MysqlFlavor(9, 6, 0), Flavor.fromVersion("9.6.0"));
        // a relay presenting the version of the MySQL binlogs it holds
        assertEquals(new MysqlFlavor(8, 0, 26), Flavor.fromVersion("8.0.26"));
        assertSame(MariaDbFlavor.INSTANCE, Flavor.fromVersion("10.11.5-MariaDB-log"));
        assertSame(MariaDbFlavor.INSTANCE, Flavor.fromVersion("5.5.5-10.11.5-MariaDB-1:10.11.5+maria~ubu2204"));
        for (String other : new String[] {"4.1.22-standard", "11.4", "", "PostgreSQL 16"}) {
            UnsupportedFlavorException e = assertThrows(UnsupportedFlavorException.class, () -> Flavor.fromVersion(other));
            assertFalse(e.getMessage().isEmpty());
        }
    }

    /** What MySQL 8.0.26+ replicas send (sql/rpl_replica.cc), with both the old and the new variable names. */
    @Test
    void setupStatementsOfAMySql80Replica() {
        List<String> s = new MysqlFlavor(8, 0, 36).upstreamSetupStatements(30_000_000_000L, null, "a-uuid");
        assertEquals(List.of(
                "SELECT UNIX_TIMESTAMP()",
                "SELECT @@GLOBAL.SERVER_ID",
                "SET @master_heartbeat_period = 30000000000, @source_heartbeat_period = 30000000000",
                "SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum",
                "SELECT @source_binlog_checksum",
                "SELECT @@GLOBAL.GTID_MODE",
                "SELECT @@GLOBAL.SERVER_UUID",
                "SET @slave_uuid = 'a-uuid', @replica_uuid = 'a-uuid'"), s);
    }

    /** Before 8.0.26 only the master/slave names exist. */
    @Test
    void setupStatementsOfA57Replica() {
        List<String> s = new MysqlFlavor(5, 7, 44).upstreamSetupStatements(0, null, "a-uuid");
        assertEquals(List.of(
                "SELECT UNIX_TIMESTAMP()",
                "SELECT @@GLOBAL.SERVER_ID",
                "SET @master_binlog_checksum = @@global.binlog_checksum",
                "SELECT @master_binlog_checksum",
                "SELECT @@GLOBAL.GTID_MODE",
                "SELECT @@GLOBAL.SERVER_UUID",
                "SET @slave_uuid = 'a-uuid'"), s);
        assertTrue(new MysqlFlavor(8, 0, 25).upstreamSetupStatements(1, null, "u").contains("SET @master_heartbeat_period = 1"));
    }

    @Test
    void serverInfoQueryAsksForTheUuidAndGtidMode() {
        Flavor.ServerInfoQuery q = new MysqlFlavor(8, 0, 36).serverInfoQuery();
        assertEquals(List.of("server_id", "version", "server_uuid", "gtid_mode"), q.keys());
        assertEquals(List.of("server_id", "version", "gtid_domain_id"), MariaDbFlavor.INSTANCE.serverInfoQuery().keys());
    }

    /** COM_BINLOG_DUMP_GTID as MySQL lays it out (com_binlog_dump_gtid in sql/rpl_source.cc reads it). */
    @Test
    void gtidDumpCommandBytes() {
        ByteBuf b = new MysqlFlavor(8, 0, 36).dumpCommand(0x01020304L, null, 0, UUID + ":1-5:7").encode(ByteBufAllocator.DEFAULT);
        try {
            String expected = "1e" // COM_BINLOG_DUMP_GTID
                    + "0400" // flags: BINLOG_THROUGH_GTID
                    + "04030201" // server_id
                    + "00000000" // file name length: none, the primary picks the file
                    + "0400000000000000" // position 4
                    + "40000000" // GTID set: 8 + 16 + 8 + 2 x 16 = 64 bytes
                    + "0100000000000000" // n_sids
                    + "3e11fa4771ca11e19e33c80aa9429562" // sid
                    + "0200000000000000" // n_intervals
                    + "0100000000000000" + "0600000000000000" // [1, 6)
                    + "0700000000000000" + "0800000000000000"; // [7, 8)
            assertEquals(expected, ByteBufUtil.hexDump(b));
        } finally {
            b.release();
        }
    }

    /** A tagged set (8.4+) switches the set to the tagged format: header 0x01 | n_sids << 8 | 0x01 << 56. */
    @Test
    void taggedGtidDumpCommand() {
        ByteBuf b = new MysqlFlavor(8, 4, 0).dumpCommand(7, null, 0, UUID + ":tx:1-2").encode(ByteBufAllocator.DEFAULT);
        try {
            String hex = ByteBufUtil.hexDump(b);
            String set = hex.substring(2 * (1 + 2 + 4 + 4 + 8 + 4));
            assertEquals("0101000000000001" + "3e11fa4771ca11e19e33c80aa9429562" + "04" + "7478" + "0100000000000000"
                    + "0100000000000000" + "0300000000000000", set);
        } finally {
            b.release();
        }
    }

    @Test
    void filePositionDumpCommandBytes() {
        ByteBuf b = new MysqlFlavor(5, 7, 44).dumpCommand(9, "binlog.000002", 1234, null).encode(ByteBufAllocator.DEFAULT);
        try {
            assertEquals("12" + "d2040000" + "0000" + "09000000" + ByteBufUtil.hexDump("binlog.000002".getBytes()),
                    ByteBufUtil.hexDump(b));
        } finally {
            b.release();
        }
    }

    /** MariaDB: COM_BINLOG_DUMP with ANNOTATE_ROWS; for a GTID start no file and position 4 (the state is a variable). */
    @Test
    void mariaDbDumpCommands() {
        assertEquals(new BinlogDump(1234, BinlogDump.SEND_ANNOTATE_ROWS, 9, "mysql-bin.000002"),
                MariaDbFlavor.INSTANCE.dumpCommand(9, "mysql-bin.000002", 1234, null));
        assertEquals(new BinlogDump(4, BinlogDump.SEND_ANNOTATE_ROWS, 9, ""),
                MariaDbFlavor.INSTANCE.dumpCommand(9, null, 0, "0-1-100"));
    }

    @Test
    void gtidStartsAreCheckedAgainstTheFlavor() {
        MysqlFlavor mysql = new MysqlFlavor(8, 0, 36);
        assertEquals(UUID + ":1-100", mysql.parseGtidStart(UUID.toUpperCase() + ":1-100").text());
        assertThrows(IllegalArgumentException.class, () -> mysql.parseGtidStart("0-1-100"));
        assertThrows(IllegalArgumentException.class, () -> MariaDbFlavor.INSTANCE.parseGtidStart(UUID + ":1-100"));
        assertTrue(mysql.resumesByGtid());
        assertFalse(MariaDbFlavor.INSTANCE.resumesByGtid());
    }

    @Test
    void currentPositionStatement() {
        assertEquals("SHOW MASTER STATUS", new MysqlFlavor(8, 0, 36).currentPositionQuery());
        assertEquals("SHOW BINARY LOG STATUS", new MysqlFlavor(8, 4, 3).currentPositionQuery());
        assertEquals("SHOW MASTER STATUS", MariaDbFlavor.INSTANCE.currentPositionQuery());
    }

    @Test
    void handshakeVersions() {
        assertEquals("8.0.36", new MysqlFlavor(8, 0, 36).handshakeVersion("8.0.36"));
        assertEquals("5.5.5-10.11.5-MariaDB", MariaDbFlavor.INSTANCE.handshakeVersion("10.11.5-MariaDB"));
        assertEquals("5.5.5-10.11.5-MariaDB", MariaDbFlavor.INSTANCE.handshakeVersion("5.5.5-10.11.5-MariaDB"));
    }
}
