package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static dev.binlogrelay.core.protocol.Codecs.bytes;
import static dev.binlogrelay.core.protocol.Codecs.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OkPacketTest {
    @Test
    void simpleOkBytes() {
        assertEquals("00 00 00 0200 0000".replace(" ", ""), Hex.of(bytes(OkPacket.of(0)::encode)));
    }

    @Test
    void mariaDbStyleInfoIsLengthEncodedAndOnlyWhenPresent() {
        assertEquals("00 00 00 0200 0000".replace(" ", ""), Hex.of(bytes(OkPacket.of(0)::encodeWithLenencInfo)));
        OkPacket ok = new OkPacket(0, 0, 2, 0, "AB");
        assertEquals("00 00 00 0200 0000 02 4142".replace(" ", ""), Hex.of(bytes(ok::encodeWithLenencInfo)));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 250, 251, 0x10000, 0x1000000, Long.MAX_VALUE})
    void roundTrips(long n) {
        OkPacket ok = new OkPacket(n, Long.MAX_VALUE - n, 0x4002, 65535, "Rows matched: 1  Changed: 1  Warnings: 0 ✓");
        assertEquals(ok, roundTrip(ok::encode, OkPacket::decode));
    }

    @Test
    void okWithTheEofHeaderDecodes() {
        // CLIENT_DEPRECATE_EOF ends a result set with an OK packet whose header is 0xFE
        OkPacket ok = new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 1, "");
        assertEquals("FE", Hex.of(bytes(a -> ok.encode(a, EofPacket.HEADER))).substring(0, 2));
        assertEquals(ok, roundTrip(a -> ok.encode(a, EofPacket.HEADER), OkPacket::decode));
    }

    @Test
    void recognisedByHeaderAndMinimumLength() {
        assertTrue(OkPacket.is(buf("00 00 00 0200 0000")));
        assertFalse(OkPacket.is(buf("00 00 00 0200 00")), "6 bytes is too short for an OK");
        assertFalse(OkPacket.is(buf("FF 1504 2348593030 30")));
        assertFalse(OkPacket.is(buf("")));
    }

    @Test
    void decodeRejectsOtherPacketsAndTruncation() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> OkPacket.decode(buf("FF 15040000000000")));
        assertEquals("expected OK packet, got 0xFF", e.getMessage());
        assertThrows(ProtocolException.class, () -> OkPacket.decode(buf("00 00 00 0200")));
        assertThrows(ProtocolException.class, () -> OkPacket.decode(buf("00 FC01")));
    }
}
