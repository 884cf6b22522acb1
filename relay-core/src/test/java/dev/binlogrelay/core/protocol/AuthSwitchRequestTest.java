package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.auth.NativePassword;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static dev.binlogrelay.core.protocol.Codecs.bytes;
import static dev.binlogrelay.core.protocol.Codecs.decodeHex;
import static dev.binlogrelay.core.protocol.Codecs.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthSwitchRequestTest {
    private static void assertSameRequest(AuthSwitchRequest expected, AuthSwitchRequest actual) {
        assertEquals(expected.pluginName(), actual.pluginName());
        assertArrayEquals(expected.data(), actual.data());
    }

    @Test
    void nativePasswordSwitchCarriesTheScrambleAndANul() {
        byte[] scramble = "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII);
        AuthSwitchRequest r = new AuthSwitchRequest(NativePassword.PLUGIN, scramble);
        assertEquals("FE" + Hex.of("mysql_native_password".getBytes(StandardCharsets.US_ASCII)) + "00"
                + Hex.of(scramble) + "00", Hex.of(bytes(r::encode)));
        assertSameRequest(r, roundTrip(r::encode, AuthSwitchRequest::decode));
    }

    @Test
    void randomScramblesAndEmptyDataRoundTrip() {
        for (int i = 0; i < 50; i++) {
            AuthSwitchRequest r = new AuthSwitchRequest("caching_sha2_password", NativePassword.newScramble());
            assertSameRequest(r, roundTrip(r::encode, AuthSwitchRequest::decode));
        }
        AuthSwitchRequest empty = new AuthSwitchRequest("mysql_clear_password", new byte[0]);
        assertEquals("FE" + Hex.of("mysql_clear_password".getBytes(StandardCharsets.US_ASCII)) + "0000",
                Hex.of(bytes(empty::encode)));
        assertSameRequest(empty, roundTrip(empty::encode, AuthSwitchRequest::decode));
    }

    @Test
    void dataWithoutATrailingNulIsKeptWhole() {
        AuthSwitchRequest r = decodeHex("FE 6400 0102", AuthSwitchRequest::decode);
        assertSameRequest(new AuthSwitchRequest("d", new byte[] {1, 2}), r);
    }

    @Test
    void recognisedByHeaderAndRejectedWhenMalformed() {
        assertTrue(AuthSwitchRequest.is(buf("FE 6100")));
        assertFalse(AuthSwitchRequest.is(buf("01 03")), "caching_sha2_password's fast-auth result is not a switch");
        assertFalse(AuthSwitchRequest.is(buf("")));
        assertThrows(ProtocolException.class, () -> AuthSwitchRequest.decode(buf("FE 6D7973716C")), "name without NUL");
        assertThrows(ProtocolException.class, () -> AuthSwitchRequest.decode(buf("")));
    }
}
