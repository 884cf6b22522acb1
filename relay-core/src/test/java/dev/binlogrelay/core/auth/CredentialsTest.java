package dev.binlogrelay.core.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialsTest {
    private static final String NATIVE_SECRET = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPasswordAllowsBothPlugins() {
        Credentials c = Credentials.ofPassword("secret");
        assertTrue(c.supports(AuthPlugin.MYSQL_NATIVE_PASSWORD));
        assertTrue(c.supports(AuthPlugin.CACHING_SHA2_PASSWORD));
        assertTrue(c.onlyPlugin().isEmpty());
        assertArrayEquals(NativePassword.parseStoredHash(NATIVE_SECRET), c.nativeHash().orElseThrow());
        assertArrayEquals(CachingSha2Password.digest("secret"), c.sha2Digest().orElseThrow());
        assertTrue(c.verifyPassword(b("secret")));
        assertFalse(c.verifyPassword(b("secret2")));
        assertFalse(c.emptyPassword());
        assertTrue(Credentials.ofPassword("").emptyPassword());
    }

    @Test
    void aNativeHashAllowsOnlyNative() {
        Credentials c = Credentials.ofHashes(List.of(NATIVE_SECRET));
        assertEquals(AuthPlugin.MYSQL_NATIVE_PASSWORD, c.onlyPlugin().orElseThrow());
        assertFalse(c.supports(AuthPlugin.CACHING_SHA2_PASSWORD));
        assertTrue(c.sha2Digest().isEmpty());
        assertTrue(c.verifyPassword(b("secret")));
        assertEquals(AuthPlugin.MYSQL_NATIVE_PASSWORD,
                Credentials.ofHashes(List.of(NATIVE_SECRET.substring(1).toLowerCase())).onlyPlugin().orElseThrow());
    }

    @Test
    void aSha2HashAllowsOnlySha2AndNeedsFullAuth() {
        Credentials c = Credentials.ofHashes(List.of(CachingSha2Hash.create("secret").format()));
        assertEquals(AuthPlugin.CACHING_SHA2_PASSWORD, c.onlyPlugin().orElseThrow());
        assertTrue(c.nativeHash().isEmpty());
        assertTrue(c.sha2Digest().isEmpty(), "the fast-auth digest is unknown until a full auth");
        assertTrue(c.verifyPassword(b("secret")));
        assertFalse(c.verifyPassword(b("Secret")));
    }

    @Test
    void bothHashesAllowBothPlugins() {
        Credentials c = Credentials.ofHashes(List.of(NATIVE_SECRET, CachingSha2Hash.create("secret").formatHex()));
        assertTrue(c.onlyPlugin().isEmpty());
        assertTrue(c.supports(AuthPlugin.MYSQL_NATIVE_PASSWORD) && c.supports(AuthPlugin.CACHING_SHA2_PASSWORD));
    }

    @Test
    void badHashes() {
        assertThrows(IllegalArgumentException.class, () -> Credentials.ofHashes(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Credentials.ofHashes(List.of("secret")));
        assertThrows(IllegalArgumentException.class, () -> Credentials.ofHashes(List.of("*1234")));
        assertThrows(IllegalArgumentException.class, () -> Credentials.ofHashes(List.of(NATIVE_SECRET, NATIVE_SECRET)));
        assertThrows(IllegalArgumentException.class, () -> Credentials.ofHashes(List.of("$A$005$tooshort")));
    }
}
