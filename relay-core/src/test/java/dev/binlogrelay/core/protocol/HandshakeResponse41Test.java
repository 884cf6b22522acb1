package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.CapturedPackets;
import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.auth.NativePassword;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static dev.binlogrelay.core.protocol.Codecs.bytes;
import static dev.binlogrelay.core.protocol.Codecs.decode;
import static dev.binlogrelay.core.protocol.Codecs.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeResponse41Test {
    /** How the auth response is framed, chosen by the capability flags. */
    enum AuthEncoding {
        LENENC(Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA),
        ONE_BYTE_LENGTH(Capabilities.SECURE_CONNECTION),
        NUL_TERMINATED(0);

        final int flags;

        AuthEncoding(int flags) {
            this.flags = flags;
        }

        byte[] sampleResponse() {
            return switch (this) {
                // an RSA-encrypted password (caching_sha2_password full auth) is 256 bytes: 3-byte lenenc length
                case LENENC -> rsaSizedResponse();
                case ONE_BYTE_LENGTH -> NativePassword.scramble("secret", NativePassword.newScramble());
                // the old format cannot carry a NUL
                case NUL_TERMINATED -> "5e9d1a2b3c".getBytes(StandardCharsets.US_ASCII);
            };
        }
    }

    private static byte[] rsaSizedResponse() {
        byte[] r = new byte[256];
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) (i * 7);
        }
        return r;
    }

    private static HandshakeResponse41 response(AuthEncoding enc, String db, Map<String, String> attrs) {
        int caps = Capabilities.PROTOCOL_41 | Capabilities.LONG_PASSWORD | Capabilities.TRANSACTIONS
                | Capabilities.PLUGIN_AUTH | enc.flags;
        if (db != null) {
            caps |= Capabilities.CONNECT_WITH_DB;
        }
        if (attrs != null) {
            caps |= Capabilities.CONNECT_ATTRS;
        }
        return new HandshakeResponse41(caps, 0xFFFF_FFFFL, 45, "repl_user", enc.sampleResponse(), db,
                NativePassword.PLUGIN, attrs == null ? Map.of() : attrs);
    }

    private static void assertSameResponse(HandshakeResponse41 expected, HandshakeResponse41 actual) {
        assertEquals(Integer.toHexString(expected.capabilities()), Integer.toHexString(actual.capabilities()), "capabilities");
        assertEquals(expected.maxPacketSize(), actual.maxPacketSize(), "max packet size");
        assertEquals(expected.characterSet(), actual.characterSet(), "character set");
        assertEquals(expected.user(), actual.user(), "user");
        assertArrayEquals(expected.authResponse(), actual.authResponse(), "auth response");
        assertEquals(expected.database(), actual.database(), "database");
        assertEquals(expected.authPluginName(), actual.authPluginName(), "auth plugin");
        assertEquals(List.copyOf(expected.attributes().entrySet()), List.copyOf(actual.attributes().entrySet()),
                "attributes, in order");
    }

    static Stream<Arguments> shapes() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("_client_name", "binlog-relay");
        attrs.put("_pid", "4242");
        attrs.put("program_name", "relay ✓");
        List<Arguments> all = new ArrayList<>();
        for (AuthEncoding enc : AuthEncoding.values()) {
            for (String db : Arrays.asList(null, "inventory")) {
                for (Map<String, String> a : Arrays.asList(null, Map.<String, String>of(), attrs)) {
                    all.add(Arguments.of(enc, db, a));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, db {1}, attributes {2}")
    @MethodSource("shapes")
    void roundTrips(AuthEncoding enc, String db, Map<String, String> attrs) {
        HandshakeResponse41 r = response(enc, db, attrs);
        assertSameResponse(r, roundTrip(r::encode, HandshakeResponse41::decode));
    }

    @Test
    void authResponseFraming() {
        byte[] lenenc = bytes(response(AuthEncoding.LENENC, null, null)::encode);
        byte[] oneByte = bytes(response(AuthEncoding.ONE_BYTE_LENGTH, null, null)::encode);
        byte[] nul = bytes(response(AuthEncoding.NUL_TERMINATED, null, null)::encode);
        int auth = 32 + "repl_user".length() + 1;
        assertEquals("FC0001", Hex.of(Arrays.copyOfRange(lenenc, auth, auth + 3)));
        assertEquals(20, oneByte[auth]);
        assertEquals("5e9d1a2b3c\0mysql_native_password\0", new String(nul, auth, nul.length - auth, StandardCharsets.US_ASCII));
    }

    @Test
    void decodesARealMariaDbClientResponse() {
        HandshakeResponse41 r = decode(Hex.bytes(CapturedPackets.MARIADB_CLIENT_RESPONSE_WITH_DB), HandshakeResponse41::decode);
        assertEquals(0x00BF_A28C, r.capabilities());
        assertEquals(1L << 20, r.maxPacketSize());
        assertEquals(33, r.characterSet());
        assertEquals("repl", r.user());
        assertEquals(CapturedPackets.NATIVE_RESPONSE_SECRET, Hex.of(r.authResponse()).toLowerCase());
        assertEquals("mydb", r.database());
        assertEquals(NativePassword.PLUGIN, r.authPluginName());
        assertEquals(List.of("_os", "_client_name", "_pid", "_client_version", "_platform", "program_name", "_server_host"),
                List.copyOf(r.attributes().keySet()));
        assertEquals("libmariadb", r.attributes().get("_client_name"));
        assertEquals("127.0.0.1", r.attributes().get("_server_host"));

        HandshakeResponse41 noDb = decode(Hex.bytes(CapturedPackets.MARIADB_CLIENT_RESPONSE_NO_DB), HandshakeResponse41::decode);
        assertEquals(0, noDb.capabilities() & Capabilities.CONNECT_WITH_DB);
        assertNull(noDb.database());
        assertEquals(NativePassword.PLUGIN, noDb.authPluginName());
        assertEquals("mysql", noDb.attributes().get("program_name"));
    }

    @Test
    void reencodingARealResponseGivesTheSameBytesBarMariaDbExtendedCapabilities() {
        for (String captured : List.of(CapturedPackets.MARIADB_CLIENT_RESPONSE_WITH_DB, CapturedPackets.MARIADB_CLIENT_RESPONSE_NO_DB)) {
            byte[] real = Hex.bytes(captured);
            byte[] ours = bytes(decode(real, HandshakeResponse41::decode)::encode);
            // bytes 28-31 of the filler carry libmariadb's extended capabilities; we send zeros
            assertEquals("1D000000", Hex.of(Arrays.copyOfRange(real, 28, 32)));
            Arrays.fill(real, 28, 32, (byte) 0);
            assertEquals(Hex.of(real), Hex.of(ours));
        }
    }

    @Test
    void connectWithDbAndNoDatabaseSendsAnEmptyName() {
        int caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.CONNECT_WITH_DB;
        HandshakeResponse41 r = new HandshakeResponse41(caps, 1 << 24, 33, "u", new byte[0], null, "", Map.of());
        assertEquals("", roundTrip(r::encode, HandshakeResponse41::decode).database());
    }

    @Test
    void sslRequestIsTheFixedPartAlone() {
        int caps = Capabilities.PROTOCOL_41 | Capabilities.SSL | Capabilities.SECURE_CONNECTION;
        byte[] full = bytes(new HandshakeResponse41(caps, 1 << 24, 33, "u", new byte[0], null, "", Map.of())::encode);
        assertTrue(HandshakeResponse41.isSslRequest(buf(Hex.of(Arrays.copyOf(full, 32)))));
        assertFalse(HandshakeResponse41.isSslRequest(buf(Hex.of(full))), "a full response is not an SSL request");
        byte[] noSsl = Arrays.copyOf(full, 32);
        noSsl[1] &= ~(Capabilities.SSL >> 8);
        assertFalse(HandshakeResponse41.isSslRequest(buf(Hex.of(noSsl))));
        // what the relay's upstream client sends is that fixed part, byte for byte
        byte[] sent = bytes(alloc -> HandshakeResponse41.encodeSslRequest(alloc, caps & ~Capabilities.SSL, 1 << 24, 33));
        assertEquals(Hex.of(Arrays.copyOf(full, 32)), Hex.of(sent));
    }

    @Test
    void rejectsPre41ClientsAndMalformedResponses() {
        byte[] real = Hex.bytes(CapturedPackets.MARIADB_CLIENT_RESPONSE_WITH_DB);
        byte[] old = real.clone();
        old[1] &= ~(Capabilities.PROTOCOL_41 >> 8);
        ProtocolException e = assertThrows(ProtocolException.class, () -> HandshakeResponse41.decode(buf(Hex.of(old))));
        assertEquals("client does not speak protocol 4.1", e.getMessage());

        assertThrows(ProtocolException.class, () -> HandshakeResponse41.decode(buf(Hex.of(Arrays.copyOf(real, 31)))));
        assertThrows(ProtocolException.class, () -> HandshakeResponse41.decode(buf(Hex.of(Arrays.copyOf(real, 40)))),
                "auth response cut short");
        // attributes announce one byte more than remains
        byte[] cutAttrs = Arrays.copyOf(real, real.length - 1);
        e = assertThrows(ProtocolException.class, () -> HandshakeResponse41.decode(buf(Hex.of(cutAttrs))));
        assertEquals("connect attributes of 127 bytes but only 126 remain", e.getMessage());
    }

    /** Issue 16 finding 6: an 8-byte attribute length at or above 2^63 read as a negative int slice. */
    @ParameterizedTest
    @MethodSource("hugeAttributeLengths")
    void attributeLengthsBeyondTheSignedRangeAreAProtocolError(long announced) {
        int caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
                | Capabilities.CONNECT_ATTRS;
        byte[] noAttrs = bytes(new HandshakeResponse41(caps & ~Capabilities.CONNECT_ATTRS, 1 << 24, 33, "u", new byte[0], null,
                "mysql_native_password", Map.of())::encode);
        byte[] hostile = Arrays.copyOf(noAttrs, noAttrs.length + 9 + 4);
        // the same response with CONNECT_ATTRS set and an 8-byte attribute length (0xFE) after the plugin name
        for (int i = 0; i < 4; i++) {
            hostile[i] = (byte) (caps >>> (8 * i));
        }
        hostile[noAttrs.length] = (byte) 0xFE;
        for (int i = 0; i < 8; i++) {
            hostile[noAttrs.length + 1 + i] = (byte) (announced >>> (8 * i));
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> HandshakeResponse41.decode(buf(Hex.of(hostile))));
        assertTrue(e.getMessage().startsWith("connect attributes of " + Long.toUnsignedString(announced) + " bytes"), e.getMessage());
        // a length-encoded string with such a length inside the attributes is refused the same way
        byte[] inner = new byte[]{(byte) 0xFE, -1, -1, -1, -1, -1, -1, -1, -1};
        assertThrows(ProtocolException.class, () -> Wire.readLenencBytes(buf(Hex.of(inner))));
        assertThrows(ProtocolException.class, () -> Wire.readFixedBytes(buf(Hex.of(new byte[4])), -1, "field"));
    }

    static Stream<Long> hugeAttributeLengths() {
        return Stream.of(-1L, Long.MIN_VALUE, 0x8000_0000L, 1L << 40);
    }
}
