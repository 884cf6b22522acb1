package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.Hex;
import org.junit.jupiter.api.Test;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static dev.binlogrelay.core.protocol.Codecs.bytes;
import static dev.binlogrelay.core.protocol.Codecs.decodeHex;
import static dev.binlogrelay.core.protocol.Codecs.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrPacketTest {
    @Test
    void bytesOfAnAccessDenied() {
        ErrPacket err = new ErrPacket(ErrorCodes.ER_ACCESS_DENIED, ErrorCodes.STATE_ACCESS_DENIED, "denied");
        assertEquals("FF 1504 23 3238303030 64656E696564".replace(" ", ""), Hex.of(bytes(err::encode)));
    }

    @Test
    void roundTrips() {
        ErrPacket err = new ErrPacket(ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, "HY000",
                "Could not find first log file name in binary log index file: 'mariadb-bin.000009' ✗");
        assertEquals(err, roundTrip(err::encode, ErrPacket::decode));
        assertEquals(new ErrPacket(65535, "42000", ""), roundTrip(new ErrPacket(65535, "42000", "")::encode, ErrPacket::decode));
    }

    @Test
    void errorWithoutSqlStateFromBeforeTheHandshake() {
        // a server refusing a connection before the handshake: no '#' and no state
        ErrPacket err = decodeHex("FF 1004 546F6F206D616E7920636F6E6E656374696F6E73", ErrPacket::decode);
        assertEquals(new ErrPacket(1040, ErrorCodes.STATE_GENERAL, "Too many connections"), err);
    }

    @Test
    void recognisedByHeader() {
        assertTrue(ErrPacket.is(buf("FF 1504")));
        assertFalse(ErrPacket.is(buf("00 000002000000")));
        assertFalse(ErrPacket.is(buf("")));
    }

    @Test
    void decodeRejectsOtherPacketsAndTruncation() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ErrPacket.decode(buf("00 0000")));
        assertEquals("expected ERR packet, got 0x00", e.getMessage());
        assertThrows(ProtocolException.class, () -> ErrPacket.decode(buf("FF 15")));
    }

    @Test
    void toStringReadsLikeTheMysqlClient() {
        assertEquals("ERROR 1045 (28000): denied", new ErrPacket(1045, "28000", "denied").toString());
    }
}
