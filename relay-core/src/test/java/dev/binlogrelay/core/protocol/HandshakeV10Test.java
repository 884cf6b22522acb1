package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.CapturedPackets;
import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.auth.NativePassword;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static dev.binlogrelay.core.protocol.Codecs.bytes;
import static dev.binlogrelay.core.protocol.Codecs.decode;
import static dev.binlogrelay.core.protocol.Codecs.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HandshakeV10Test {
    private static final String MARIADB_VERSION = "5.5.5-10.11.5-MariaDB";

    private static HandshakeV10 handshake(int capabilities, byte[] scramble, String plugin) {
        return new HandshakeV10(MARIADB_VERSION, 0xFFFF_FFFFL, scramble, capabilities, 45, ServerStatus.AUTOCOMMIT, plugin);
    }

    private static void assertSameHandshake(HandshakeV10 expected, HandshakeV10 actual) {
        assertEquals(expected.serverVersion(), actual.serverVersion(), "server version");
        assertEquals(expected.connectionId(), actual.connectionId(), "connection id");
        assertArrayEquals(expected.scramble(), actual.scramble(), "scramble");
        assertEquals(Integer.toHexString(expected.capabilities()), Integer.toHexString(actual.capabilities()), "capabilities");
        assertEquals(expected.characterSet(), actual.characterSet(), "character set");
        assertEquals(expected.statusFlags(), actual.statusFlags(), "status");
        assertEquals(expected.authPluginName(), actual.authPluginName(), "auth plugin");
    }

    @Test
    void decodesARealMariaDbHandshake() {
        HandshakeV10 h = decode(Hex.bytes(CapturedPackets.MARIADB_HANDSHAKE), HandshakeV10::decode);
        assertSameHandshake(new HandshakeV10("5.5.5-10.11.19-MariaDB-0+deb12u1-log", 4,
                Hex.bytes(CapturedPackets.MARIADB_SCRAMBLE), 0x81FF_F7FE, 8, 2, NativePassword.PLUGIN), h);
        assertEquals(":Rp\\[55KXY6B(>Bp-/CB", new String(h.scramble(), StandardCharsets.US_ASCII));
    }

    @Test
    void reencodingARealHandshakeGivesTheSameBytesBarMariaDbExtendedCapabilities() {
        byte[] real = Hex.bytes(CapturedPackets.MARIADB_HANDSHAKE);
        byte[] ours = bytes(decode(real, HandshakeV10::decode)::encode);
        // we announce no MariaDB extended capabilities: the 4 bytes after the 6 reserved ones are zero
        int extCaps = 1 + "5.5.5-10.11.19-MariaDB-0+deb12u1-log".length() + 1 + 4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 6;
        assertEquals("1D000000", Hex.of(Arrays.copyOfRange(real, extCaps, extCaps + 4)));
        Arrays.fill(real, extCaps, extCaps + 4, (byte) 0);
        assertEquals(Hex.of(real), Hex.of(ours));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql_native_password", "caching_sha2_password", "client_ed25519"})
    void roundTripsWithEachPlugin(String plugin) {
        // capability bit 31 (CLIENT_REMEMBER_OPTIONS) makes the flags negative as an int
        HandshakeV10 h = handshake(Capabilities.SERVER_DEFAULT | 1 << 31, NativePassword.newScramble(), plugin);
        assertSameHandshake(h, roundTrip(h::encode, HandshakeV10::decode));
    }

    @Test
    void authPluginDataLengthDecidesTheLengthOfPart2() {
        byte[] scramble = new byte[32];
        for (int i = 0; i < scramble.length; i++) {
            scramble[i] = (byte) ('a' + i % 26);
        }
        HandshakeV10 h = handshake(Capabilities.SERVER_DEFAULT, scramble, "client_ed25519");
        assertSameHandshake(h, roundTrip(h::encode, HandshakeV10::decode));
    }

    @Test
    void scrambleLayout() {
        byte[] scramble = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = handshake(Capabilities.SERVER_DEFAULT, scramble, "mysql_native_password").encode(Codecs.ALLOC);
        try {
            int afterVersion = 1 + MARIADB_VERSION.length() + 1;
            assertEquals("FFFFFFFF", Hex.of(slice(b, afterVersion, 4)), "connection id");
            assertEquals("ABCDEFGH\0", ascii(b, afterVersion + 4, 9), "part 1 and filler");
            assertEquals(21, b.getUnsignedByte(afterVersion + 4 + 9 + 7), "auth_plugin_data_len: 20 + NUL");
            assertEquals("IJKLMNOPQRST\0mysql_native_password\0", ascii(b, afterVersion + 4 + 9 + 8 + 10, 12 + 1 + 21 + 1));
        } finally {
            b.release();
        }
    }

    @Test
    void withoutPluginAuthThePluginIsNativePassword() {
        int caps = Capabilities.SERVER_DEFAULT & ~Capabilities.PLUGIN_AUTH;
        HandshakeV10 h = handshake(caps, NativePassword.newScramble(), "ignored");
        HandshakeV10 back = roundTrip(a -> {
            ByteBuf b = h.encode(a);
            return b.writerIndex(b.writerIndex() - "ignored".length() - 1); // a server without the flag sends no name
        }, HandshakeV10::decode);
        assertSameHandshake(handshake(caps, h.scramble(), NativePassword.PLUGIN), back);
    }

    @Test
    void oldServerWithoutTheExtensionAfterTheCapabilities() {
        // protocol 10 | "5.0.96" | id 7 | scramble part 1 | filler | capabilities (PROTOCOL_41 | SECURE_CONNECTION)
        HandshakeV10 h = Codecs.decodeHex("0A 352E302E393600 07000000 3132333435363738 00 0082", HandshakeV10::decode);
        assertSameHandshake(new HandshakeV10("5.0.96", 7, "12345678".getBytes(StandardCharsets.US_ASCII), 0x8200, 0, 0,
                NativePassword.PLUGIN), h);
    }

    @Test
    void rejectsOtherProtocolVersionsAndTruncation() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> HandshakeV10.decode(buf("09 3500")));
        assertEquals("unsupported handshake protocol version 9", e.getMessage());
        assertThrows(ProtocolException.class, () -> HandshakeV10.decode(buf("0A 352E35")));
        assertThrows(ProtocolException.class, () -> HandshakeV10.decode(buf("0A 3500 01000000 0102")));
        byte[] real = Hex.bytes(CapturedPackets.MARIADB_HANDSHAKE);
        assertThrows(ProtocolException.class,
                () -> HandshakeV10.decode(buf(Hex.of(Arrays.copyOf(real, 60)))), "cut inside the extension");
    }

    private static byte[] slice(ByteBuf b, int index, int length) {
        byte[] r = new byte[length];
        b.getBytes(index, r);
        return r;
    }

    private static String ascii(ByteBuf b, int index, int length) {
        return new String(slice(b, index, length), StandardCharsets.US_ASCII);
    }
}
