package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.protocol.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static dev.binlogrelay.core.protocol.command.CommandChecks.bytes;
import static dev.binlogrelay.core.protocol.command.CommandChecks.decodeAll;
import static dev.binlogrelay.core.protocol.command.CommandChecks.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinlogDumpTest {
    /** Sent by a MariaDB 10.11 replica with MASTER_USE_GTID=no (captured). */
    private static final String MARIADB_REPLICA = "12 04000000 0200 02000000 6d7973716c2d62696e2e303030303031";

    @Test
    void capturedCommandsDecodeToTheirFieldsAndEncodeToTheSameBytes() {
        BinlogDump replica = decodeAll(Hex.bytes(MARIADB_REPLICA), BinlogDump::decode);
        assertEquals(new BinlogDump(4, BinlogDump.SEND_ANNOTATE_ROWS, 2, "mysql-bin.000001"), replica);
        assertArrayEquals(Hex.bytes(MARIADB_REPLICA), bytes(replica));
        String[] captured = {
            "12 04000000 0000 ffff0000 62696e6c6f672e303030303033", // mysql-binlog-connector-java
            "12 00010000 0100 00000000 6d6172696164622d62696e2e303030303432", // mariadb-binlog, non-blocking
            "12 04000000 0200 02000000", // MariaDB GTID replica: no file
            "12 f0ffffff 0000 03000000 62696e6c6f672e303030303037", // MySQL replica past 4 GiB (low 32 bits)
        };
        for (String hex : captured) {
            assertArrayEquals(Hex.bytes(hex), bytes(decodeAll(Hex.bytes(hex), BinlogDump::decode)), hex);
        }
    }

    @Test
    void roundTripsWithTheLargestFieldsAndANonAsciiName() {
        roundTrip(new BinlogDump(0xFFFF_FFFFL, 0xFFFF, 0xFFFF_FFFFL, "journal-é.000001"), BinlogDump::decode);
        roundTrip(new BinlogDump(4, 0, 0, ""), BinlogDump::decode);
        assertEquals(11 + "journal-é.000001".getBytes(StandardCharsets.UTF_8).length,
                new BinlogDump(4, 0, 0, "journal-é.000001").encodedSize());
    }

    /** The field holds 32 bits; what a MySQL replica sends for a position past 4 GiB is the low half. */
    @Test
    void aPositionPast4GibIsSentAsItsLow32Bits() {
        BinlogDump d = decodeAll(bytes(new BinlogDump((1L << 32) + 0xF0, 0, 3, "binlog.000007")), BinlogDump::decode);
        assertEquals(0xF0, d.position());
    }

    @Test
    @Timeout(5)
    void everyTruncationFailsCleanlyOrShortensOnlyTheFileName() {
        BinlogDump whole = new BinlogDump(1234, BinlogDump.NON_BLOCK, 77, "binlog.000002");
        CommandChecks.truncatedAtEveryByte(bytes(whole), BinlogDump::decode,
                cut -> cut < 11 ? null : new BinlogDump(1234, BinlogDump.NON_BLOCK, 77, whole.file().substring(0, cut - 11)));
    }

    @Test
    void anotherCommandIsRefused() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decodeAll(Hex.bytes("1E 0400"), BinlogDump::decode));
        assertTrue(e.getMessage().contains("COM_BINLOG_DUMP_GTID where COM_BINLOG_DUMP was expected"), e.getMessage());
    }
}
