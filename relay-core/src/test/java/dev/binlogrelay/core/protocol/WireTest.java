package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.Hex;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static dev.binlogrelay.core.protocol.Codecs.bytes;
import static dev.binlogrelay.core.protocol.Codecs.decodeHex;
import static dev.binlogrelay.core.protocol.Codecs.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireTest {
    static Stream<Arguments> lenencInts() {
        return Stream.of(
                Arguments.of(0L, "00"),
                Arguments.of(250L, "FA"),
                Arguments.of(251L, "FC FB00"),
                Arguments.of(0xFFFFL, "FC FFFF"),
                Arguments.of(0x10000L, "FD 000001"),
                Arguments.of(0xFFFFFFL, "FD FFFFFF"),
                Arguments.of(0x1000000L, "FE 0000000100000000"),
                Arguments.of(0xFFFFFFFFL, "FE FFFFFFFF00000000"),
                Arguments.of(Long.MAX_VALUE, "FE FFFFFFFFFFFFFF7F"),
                // unsigned 2^64 - 1: the 8-byte form carries all 64 bits
                Arguments.of(-1L, "FE FFFFFFFFFFFFFFFF"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("lenencInts")
    void lenencIntBoundaries(long value, String hex) {
        byte[] encoded = bytes(a -> {
            ByteBuf b = a.buffer();
            Wire.writeLenencInt(b, value);
            return b;
        });
        assertEquals(hex.replace(" ", ""), Hex.of(encoded));
        assertEquals(encoded.length, Wire.lenencIntSize(value));
        assertEquals(value, (long) decodeHex(hex, Wire::readLenencInt));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FB", "FF"})
    void nullMarkerAndErrHeaderAreNotIntegers(String first) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.readLenencInt(buf(first)));
        assertTrue(e.getMessage().startsWith("0x" + first), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "FC 01", "FD 0102", "FE 01020304050607"})
    void truncatedIntegersAreReportedNotOverrun(String hex) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.readLenencInt(buf(hex)));
        assertTrue(e.getMessage().contains("length-encoded integer needs"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 250, 251, 0xFFFF, 0x10000, 70_000})
    void lenencStringsRoundTrip(int length) {
        String s = "é".repeat(length / 2) + "x".repeat(length % 2); // 2 UTF-8 bytes per é: exactly `length` bytes
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(length, utf8.length);
        String back = roundTrip(a -> {
            ByteBuf b = a.buffer();
            Wire.writeLenencString(b, s);
            assertEquals(Wire.lenencStringSize(utf8), b.readableBytes());
            return b;
        }, Wire::readLenencString);
        assertEquals(s, back);
    }

    @Test
    void lenencBytesAreCopiedOut() {
        ByteBuf in = buf("03 616263 FF");
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), Wire.readLenencBytes(in));
        assertEquals(1, in.readableBytes());
    }

    @Test
    void lenencStringLongerThanTheBufferIsRejected() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.readLenencBytes(buf("05 616263")));
        assertEquals("length-encoded string of 5 bytes but only 3 remain", e.getMessage());
        // a length with the top bit set is negative as a long: rejected, not cast to a huge int
        assertThrows(ProtocolException.class, () -> Wire.readLenencBytes(buf("FE 0000000000000080 61")));
    }

    @Test
    void nulStringsRoundTripAndConsumeTheNul() {
        ByteBuf b = Codecs.ALLOC.buffer();
        try {
            Wire.writeNulString(b, "mysql_native_password");
            Wire.writeNulString(b, "");
            b.writeByte(0x7F);
            assertEquals("mysql_native_password", Wire.readNulString(b, "plugin"));
            assertEquals("", Wire.readNulString(b, "empty"));
            assertEquals(0x7F, b.readUnsignedByte());
        } finally {
            b.release();
        }
    }

    @Test
    void missingNulIsReportedWithTheFieldName() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.readNulBytes(buf("616263"), "user name"));
        assertEquals("user name is not NUL-terminated", e.getMessage());
    }

    @Test
    void restStringTakesEverything() {
        ByteBuf in = buf("68C3A9 6C6C6F");
        assertEquals("héllo", Wire.readRestString(in, StandardCharsets.UTF_8));
        assertEquals(0, in.readableBytes());
    }

    @Test
    void fixedBytesAreBoundsChecked() {
        ByteBuf in = buf("0102 03");
        assertArrayEquals(new byte[] {1, 2}, Wire.readFixedBytes(in, 2, "two"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.readFixedBytes(in, 2, "scramble"));
        assertEquals("scramble needs 2 bytes but only 1 remain", e.getMessage());
        assertEquals(1, in.readableBytes(), "a failed read consumes nothing");
    }
}
