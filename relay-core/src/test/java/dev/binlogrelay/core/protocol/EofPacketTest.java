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

class EofPacketTest {
    @Test
    void bytesAndRoundTrip() {
        EofPacket eof = new EofPacket(3, ServerStatus.AUTOCOMMIT);
        assertEquals("FE 0300 0200".replace(" ", ""), Hex.of(bytes(eof::encode)));
        assertEquals(eof, roundTrip(eof::encode, EofPacket::decode));
        assertEquals(new EofPacket(65535, 65535), roundTrip(new EofPacket(65535, 65535)::encode, EofPacket::decode));
    }

    @Test
    void preProtocol41EofIsTheHeaderAlone() {
        assertEquals(new EofPacket(0, 0), decodeHex("FE", EofPacket::decode));
    }

    @Test
    void onlyShortFePacketsAreEof() {
        assertTrue(EofPacket.is(buf("FE 0000 0200")));
        assertTrue(EofPacket.is(buf("FE")));
        // 9 bytes or more starting with 0xFE: an 8-byte length-encoded integer (a row value) or an auth switch
        assertFalse(EofPacket.is(buf("FE 0000000001000000")));
        assertFalse(EofPacket.is(buf("00 0000 0200 0000")));
        assertFalse(EofPacket.is(buf("")));
    }

    @Test
    void decodeRejectsOtherPackets() {
        assertThrows(ProtocolException.class, () -> EofPacket.decode(buf("00 0000 0200")));
        assertThrows(ProtocolException.class, () -> EofPacket.decode(buf("")));
    }
}
