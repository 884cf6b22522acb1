package dev.binlogrelay.core.auth;

import dev.binlogrelay.core.CapturedPackets;
import dev.binlogrelay.core.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativePasswordTest {
    /** {@code SELECT PASSWORD('secret')} on MariaDB 10.11.19. */
    private static final String SECRET_HASH = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7";

    private static final byte[] REAL_SCRAMBLE = Hex.bytes(CapturedPackets.MARIADB_SCRAMBLE);

    @Test
    void storedHashMatchesTheServersPasswordFunction() {
        assertEquals(SECRET_HASH, NativePassword.formatStoredHash(NativePassword.storedHash("secret")));
    }

    @Test
    void storedHashTextParsesWithOrWithoutStarAndInEitherCase() {
        byte[] stored = NativePassword.storedHash("secret");
        assertArrayEquals(stored, NativePassword.parseStoredHash(SECRET_HASH));
        assertArrayEquals(stored, NativePassword.parseStoredHash(SECRET_HASH.substring(1)));
        assertArrayEquals(stored, NativePassword.parseStoredHash(SECRET_HASH.toLowerCase()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*", "*14E65567ABDB5135D0CFD9A70B3032C179A49EE", "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7A",
            "*14E65567ABDB5135D0CFD9A70B3032C179A49EEZ"})
    void malformedStoredHashText(String text) {
        assertThrows(IllegalArgumentException.class, () -> NativePassword.parseStoredHash(text));
    }

    @Test
    void matchesWhatARealClientSent() {
        // libmariadb's answer to MariaDB's scramble for password "secret"
        assertEquals(CapturedPackets.NATIVE_RESPONSE_SECRET, Hex.of(NativePassword.scramble("secret", REAL_SCRAMBLE)).toLowerCase());
        assertTrue(NativePassword.verify(NativePassword.parseStoredHash(SECRET_HASH), REAL_SCRAMBLE,
                Hex.bytes(CapturedPackets.NATIVE_RESPONSE_SECRET)));
    }

    @Test
    void scrambleAndVerifyAgree() {
        for (String password : new String[] {"secret", "x", "pässwörd ✓", "a".repeat(200)}) {
            byte[] stored = NativePassword.storedHash(password);
            for (int i = 0; i < 20; i++) {
                byte[] scramble = NativePassword.newScramble();
                byte[] response = NativePassword.scramble(password, scramble);
                assertEquals(20, response.length);
                assertTrue(NativePassword.verify(stored, scramble, response), password);
            }
        }
    }

    @Test
    void scrambleWithTheTrailingNulAsSentOnTheWire() {
        byte[] withNul = Arrays.copyOf(REAL_SCRAMBLE, 21);
        byte[] response = NativePassword.scramble("secret", withNul);
        assertArrayEquals(NativePassword.scramble("secret", REAL_SCRAMBLE), response);
        assertTrue(NativePassword.verify(NativePassword.storedHash("secret"), withNul, response));
    }

    @Test
    void wrongPasswordOrScrambleOrTamperedResponseFails() {
        byte[] stored = NativePassword.storedHash("secret");
        byte[] scramble = NativePassword.newScramble();
        assertFalse(NativePassword.verify(stored, scramble, NativePassword.scramble("Secret", scramble)));
        assertFalse(NativePassword.verify(stored, scramble, NativePassword.scramble("secret", NativePassword.newScramble())));
        byte[] tampered = NativePassword.scramble("secret", scramble);
        tampered[19] ^= 1;
        assertFalse(NativePassword.verify(stored, scramble, tampered));
        assertFalse(NativePassword.verify(stored, scramble, Arrays.copyOf(tampered, 19)), "short response");
        assertFalse(NativePassword.verify(stored, scramble, new byte[0]), "no password given for an account with one");
    }

    @Test
    void emptyPassword() {
        byte[] scramble = NativePassword.newScramble();
        assertArrayEquals(new byte[0], NativePassword.storedHash(""));
        assertArrayEquals(new byte[0], NativePassword.storedHash(null));
        assertArrayEquals(new byte[0], NativePassword.scramble("", scramble), "clients send an empty response");
        assertArrayEquals(new byte[0], NativePassword.scramble(null, scramble));
        assertTrue(NativePassword.verify(new byte[0], scramble, new byte[0]));
        assertFalse(NativePassword.verify(new byte[0], scramble, NativePassword.scramble("secret", scramble)),
                "a password for an account without one");
    }

    @Test
    void newScrambleIsTwentyPrintableBytes() {
        byte[] a = NativePassword.newScramble();
        assertEquals(20, a.length);
        for (byte b : a) {
            assertTrue(b >= 33 && b <= 126, "byte " + b + " is printable and not NUL");
        }
        assertNotEquals(Hex.of(a), Hex.of(NativePassword.newScramble()));
    }
}
