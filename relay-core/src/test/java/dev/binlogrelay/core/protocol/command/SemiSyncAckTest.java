package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static dev.binlogrelay.core.protocol.command.CommandChecks.bytes;
import static dev.binlogrelay.core.protocol.command.CommandChecks.decodeAll;
import static dev.binlogrelay.core.protocol.command.CommandChecks.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemiSyncAckTest {
    /** An ack as MariaDB's replica lays it out (semisync_slave.cc, slave_reply) for an event ending at 0x0396 of mysql-bin.000001. */
    private static final String MARIADB_REPLICA_ACK = "ef 9603000000000000 6d7973716c2d62696e2e303030303031";

    @Test
    void theLayoutIsMagicPositionThenTheNameWithoutTerminator() {
        SemiSyncAck ack = decodeAll(Hex.bytes(MARIADB_REPLICA_ACK), SemiSyncAck::decode);
        assertEquals(new SemiSyncAck(0x396, "mysql-bin.000001"), ack);
        assertArrayEquals(Hex.bytes(MARIADB_REPLICA_ACK), bytes(ack));
        assertEquals(0xEF, ack.command());
    }

    @Test
    void roundTripsPositionsPast4GibAndTheLongestName() {
        roundTrip(new SemiSyncAck(0x1_0000_0004L, "binlog.000002"), SemiSyncAck::decode);
        roundTrip(new SemiSyncAck(-1L, "x"), SemiSyncAck::decode); // 64 bits as they are
        roundTrip(new SemiSyncAck(4, ""), SemiSyncAck::decode);
        roundTrip(new SemiSyncAck(4, "é".repeat(255) + "a"), SemiSyncAck::decode);
        assertThrows(IllegalArgumentException.class, () -> new SemiSyncAck(4, "a".repeat(512)));
    }

    @Test
    @Timeout(5)
    void everyTruncationFailsCleanlyOrShortensOnlyTheFileName() {
        SemiSyncAck whole = new SemiSyncAck(0x0102030405060708L, "relay-bin.000042");
        CommandChecks.truncatedAtEveryByte(bytes(whole), SemiSyncAck::decode,
                cut -> cut < 9 ? null : new SemiSyncAck(whole.position(), whole.file().substring(0, cut - 9)));
    }

    @Test
    void aWrongMagicOrAnOverlongNameIsRefused() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decodeAll(Hex.bytes("12 0400000000000000"), SemiSyncAck::decode));
        assertTrue(e.getMessage().contains("0x12 where 0xEF was expected"), e.getMessage());
        byte[] longName = new byte[9 + 512];
        Arrays.fill(longName, (byte) 'a');
        longName[0] = (byte) 0xEF;
        e = assertThrows(ProtocolException.class, () -> SemiSyncAck.decode(Unpooled.wrappedBuffer(longName)));
        assertTrue(e.getMessage().contains("512 bytes"), e.getMessage());
        byte[] notUtf8 = new byte[9 + 300];
        Arrays.fill(notUtf8, (byte) 0xFF);
        notUtf8[0] = (byte) 0xEF;
        assertThrows(ProtocolException.class, () -> SemiSyncAck.decode(Unpooled.wrappedBuffer(notUtf8)));
    }
}
