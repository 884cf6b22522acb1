package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.binlogrelay.core.protocol.command.CommandChecks.bytes;
import static dev.binlogrelay.core.protocol.command.CommandChecks.decodeAll;
import static dev.binlogrelay.core.protocol.command.CommandChecks.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegisterReplicaTest {
    /** A MariaDB replica with report_host=replica-a, report_user=repl, report_port=3307 (captured). */
    private static final String MARIADB_REPLICA = "15 02000000 09 7265706c6963612d61 04 7265706c 00 eb0c 00000000 00000000";

    @Test
    void capturedCommandsDecodeToTheirFieldsAndEncodeToTheSameBytes() {
        RegisterReplica r = decodeAll(Hex.bytes(MARIADB_REPLICA), RegisterReplica::decode);
        assertEquals(new RegisterReplica(2, "replica-a", "repl", "", 3307), r);
        assertArrayEquals(Hex.bytes(MARIADB_REPLICA), bytes(r));
        String mysql = "15 03000000 00 00 00 ea0c 00000000 00000000";
        assertArrayEquals(Hex.bytes(mysql), bytes(decodeAll(Hex.bytes(mysql), RegisterReplica::decode)));
        // what the relay's own upstream client sends
        assertEquals("15 29230000 00 00 00 0000 00000000 00000000".replace(" ", ""),
                Hex.of(bytes(new RegisterReplica(9001, "", "", "", 0))).toLowerCase());
    }

    @Test
    void withoutThePortPartThePortIsZero() {
        assertEquals(new RegisterReplica(5, "", "", "", 0), decodeAll(Hex.bytes("15 05000000 00 00 00"), RegisterReplica::decode));
    }

    @Test
    void roundTrips() {
        roundTrip(new RegisterReplica(0xFFFF_FFFFL, "h".repeat(255), "ü".repeat(127), "pw", 0xFFFF), RegisterReplica::decode);
    }

    @Test
    void stringsAStringLengthByteCannotAnnounceAreRefusedByTheEncoder() {
        RegisterReplica tooLong = new RegisterReplica(1, "h".repeat(256), "", "", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bytes(tooLong));
        assertTrue(e.getMessage().contains("host of 256 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RegisterReplica(1, "", "", "", 65536));
    }

    @Test
    void thePasswordIsNotInToString() {
        assertFalse(new RegisterReplica(1, "h", "u", "hunter2", 1).toString().contains("hunter2"));
    }

    @Test
    void aStringRunningPastThePacketIsAProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> RegisterReplica.decode(Unpooled.wrappedBuffer(Hex.bytes("15 01000000 ff 6869"))));
        assertTrue(e.getMessage().contains("COM_REGISTER_SLAVE host needs 255 bytes but only 2 remain"), e.getMessage());
    }

    @Test
    @Timeout(5)
    void everyTruncationFailsCleanlyOrLeavesOutOnlyThePort() {
        RegisterReplica whole = new RegisterReplica(7, "replica-b", "repl", "pw", 3306);
        int afterStrings = 1 + 4 + 1 + 9 + 1 + 4 + 1 + 2;
        RegisterReplica withoutPort = new RegisterReplica(7, "replica-b", "repl", "pw", 0);
        CommandChecks.truncatedAtEveryByte(bytes(whole), RegisterReplica::decode,
                cut -> cut < afterStrings ? null : cut < afterStrings + 2 ? withoutPort : whole);
    }
}
