package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.binlogrelay.core.protocol.command.CommandChecks.bytes;
import static dev.binlogrelay.core.protocol.command.CommandChecks.decodeAll;
import static dev.binlogrelay.core.protocol.command.CommandChecks.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinlogDumpGtidTest {
    private static final String UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    /** A MySQL 8.0 replica with SOURCE_AUTO_POSITION=1 (captured): no file, position 4, the set it executed. */
    private static final String AUTO_POSITION = "1E 0400 03000000 00000000 0400000000000000 30000000"
            + "0100000000000000 3e11fa4771ca11e19e33c80aa9429562 0100000000000000 0100000000000000 2b00000000000000";

    @Test
    void capturedCommandsDecodeToTheirFieldsAndEncodeToTheSameBytes() {
        BinlogDumpGtid replica = decodeAll(Hex.bytes(AUTO_POSITION), BinlogDumpGtid::decode);
        assertEquals(new BinlogDumpGtid(BinlogDumpGtid.THROUGH_GTID, 3, "", 4, MysqlGtidSet.parse(UUID + ":1-42")), replica);
        assertArrayEquals(Hex.bytes(AUTO_POSITION), bytes(replica));
        String[] captured = {
            // MySQL 8.4 replica, a tagged and an untagged source
            "1E 0400 03000000 00000000 0400000000000000 5f000000 0102000000000001 3e11fa4771ca11e19e33c80aa9429562 00"
                    + "0100000000000000 0100000000000000 0600000000000000 3e11fa4771ca11e19e33c80aa9429562 0a6d7974616701"
                    + "0000000000000001 0000000000000004 00000000000000",
            // mysqlbinlog --read-from-remote-server --exclude-gtids, from a named file
            "1E 0400 00000000 0d000000 62696e6c6f672e303030303031 0400000000000000 68000000 0200000000000000"
                    + "3e11fa4771ca11e19e33c80aa9429562 0200000000000000 0100000000000000 0600000000000000"
                    + "0700000000000000 0a00000000000000 4f22ab5882db22f2af44d91bb0530673 0100000000000000"
                    + "0100000000000000 6500000000000000",
            // an empty set
            "1E 0400 03000000 00000000 0400000000000000 08000000 0000000000000000",
        };
        for (String hex : captured) {
            assertArrayEquals(Hex.bytes(hex), bytes(decodeAll(Hex.bytes(hex), BinlogDumpGtid::decode)), hex);
        }
    }

    /** mysql-binlog-connector-java without a set ends after the position: an empty set, as the server reads it. */
    @Test
    void aPacketEndingAfterThePositionHasAnEmptySet() {
        BinlogDumpGtid d = decodeAll(Hex.bytes("1E 0000 ffff0000 0d000000 62696e6c6f672e303030303032 9a00000000000000"),
                BinlogDumpGtid::decode);
        assertEquals(new BinlogDumpGtid(0, 0xFFFF, "binlog.000002", 0x9A, MysqlGtidSet.EMPTY), d);
    }

    @Test
    void roundTrips() {
        roundTrip(new BinlogDumpGtid(BinlogDumpGtid.THROUGH_GTID | BinlogDumpGtid.THROUGH_POSITION, 0xFFFF_FFFFL,
                "binlog.000009", -1L, MysqlGtidSet.parse(UUID + ":1-5:7:tx:1-2")), BinlogDumpGtid::decode);
        roundTrip(new BinlogDumpGtid(0, 1, "", 4, MysqlGtidSet.EMPTY), BinlogDumpGtid::decode);
    }

    @Test
    void lengthsLargerThanThePacketAreProtocolErrors() {
        ProtocolException name = assertThrows(ProtocolException.class,
                () -> BinlogDumpGtid.decode(io.netty.buffer.Unpooled.wrappedBuffer(Hex.bytes("1E 0000 01000000 ffffffff 00"))));
        assertTrue(name.getMessage().contains("file name of 4294967295 bytes in a shorter packet"), name.getMessage());
        ProtocolException set = assertThrows(ProtocolException.class, () -> BinlogDumpGtid.decode(
                io.netty.buffer.Unpooled.wrappedBuffer(Hex.bytes("1E 0000 01000000 00000000 0400000000000000 ffffff7f 00"))));
        assertTrue(set.getMessage().contains("GTID set of 2147483647 bytes in a shorter packet"), set.getMessage());
    }

    /** A set that its size covers but that is not a GTID set: the reader gets an ERR, as from a server. */
    @Test
    void aMalformedSetIsAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BinlogDumpGtid.decode(
                io.netty.buffer.Unpooled.wrappedBuffer(Hex.bytes("1E 0000 01000000 00000000 0400000000000000 08000000 0500000000000000"))));
        assertTrue(e.getMessage().contains("announces 5 sources"), e.getMessage());
    }

    @Test
    @Timeout(5)
    void everyTruncationFailsCleanlyOrLeavesOutOnlyTheSet() {
        BinlogDumpGtid whole = new BinlogDumpGtid(BinlogDumpGtid.THROUGH_GTID, 5, "binlog.000003", 4,
                MysqlGtidSet.parse(UUID + ":1-10"));
        int afterPosition = 1 + 2 + 4 + 4 + whole.file().length() + 8;
        BinlogDumpGtid withoutSet = new BinlogDumpGtid(whole.flags(), 5, whole.file(), 4, MysqlGtidSet.EMPTY);
        // up to 3 bytes of the set size are no size at all (the server reads the set only if 4 bytes remain)
        CommandChecks.truncatedAtEveryByte(bytes(whole), BinlogDumpGtid::decode,
                cut -> cut >= afterPosition && cut < afterPosition + 4 ? withoutSet : null);
    }
}
