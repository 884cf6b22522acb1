package dev.binlogrelay.core.auth;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachingSha2PasswordTest {
    private static final byte[] NONCE = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);

    static String resource(String name) throws IOException {
        try (InputStream in = CachingSha2PasswordTest.class.getResourceAsStream("/auth/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void scrambleIsTheDocumentedFormula() {
        byte[] pw = "secret".getBytes(StandardCharsets.UTF_8);
        byte[] stage1 = CachingSha2Password.sha256(pw);
        byte[] digest = CachingSha2Password.sha256(stage1);
        byte[] withNonce = Arrays.copyOf(digest, 52);
        System.arraycopy(NONCE, 0, withNonce, 32, 20);
        byte[] mix = CachingSha2Password.sha256(withNonce);
        byte[] expected = new byte[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = (byte) (stage1[i] ^ mix[i]);
        }
        assertArrayEquals(expected, CachingSha2Password.scramble("secret", NONCE));
        assertArrayEquals(digest, CachingSha2Password.digest("secret"));
    }

    @Test
    void fastCheckAcceptsOnlyTheRightPasswordAndNonce() {
        byte[] digest = CachingSha2Password.digest("secret");
        assertTrue(CachingSha2Password.verifyScramble(digest, NONCE, CachingSha2Password.scramble("secret", NONCE)));
        assertFalse(CachingSha2Password.verifyScramble(digest, NONCE, CachingSha2Password.scramble("Secret", NONCE)));
        byte[] otherNonce = NONCE.clone();
        otherNonce[19] ^= 1;
        assertFalse(CachingSha2Password.verifyScramble(digest, NONCE, CachingSha2Password.scramble("secret", otherNonce)));
        assertFalse(CachingSha2Password.verifyScramble(digest, NONCE, new byte[31]));
        assertFalse(CachingSha2Password.verifyScramble(digest, NONCE, new byte[0]));
        // a 21-byte nonce with the trailing NUL some servers send is the same nonce
        assertTrue(CachingSha2Password.verifyScramble(digest, Arrays.copyOf(NONCE, 21), CachingSha2Password.scramble("secret", NONCE)));
        assertEquals(0, CachingSha2Password.scramble("", NONCE).length);
    }

    @Test
    void rsaRoundTripWithAGeneratedKey() {
        KeyPair keys = Pem.generateRsa(2048);
        byte[] encrypted = CachingSha2Password.encryptPassword("pässword", NONCE, keys.getPublic());
        assertEquals(256, encrypted.length);
        Optional<byte[]> pw = CachingSha2Password.decryptPassword(encrypted, NONCE, keys.getPrivate());
        assertArrayEquals("pässword".getBytes(StandardCharsets.UTF_8), pw.orElseThrow());
        // the wrong nonce leaves the NUL in the wrong place or garbles the password
        byte[] other = NONCE.clone();
        other[0] ^= 0x55;
        assertNotEquals("pässword", CachingSha2Password.decryptPassword(encrypted, other, keys.getPrivate())
                .map(b -> new String(b, StandardCharsets.UTF_8)).orElse(""));
        // another key, or garbage, does not decrypt
        assertTrue(CachingSha2Password.decryptPassword(encrypted, NONCE, Pem.generateRsa(2048).getPrivate()).isEmpty());
        assertTrue(CachingSha2Password.decryptPassword(new byte[]{2}, NONCE, keys.getPrivate()).isEmpty());
        assertTrue(CachingSha2Password.decryptPassword("secret\0".getBytes(StandardCharsets.US_ASCII), NONCE, keys.getPrivate()).isEmpty());
    }

    @Test
    void decryptsPkcs1PaddingAsMySqlConnectorJUsesWithOlderServers() throws Exception {
        KeyPair keys = Pem.generateRsa(2048);
        byte[] plain = "pw\0".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < plain.length; i++) {
            plain[i] ^= NONCE[i];
        }
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance(CachingSha2Password.RSA_LEGACY_TRANSFORMATION);
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, keys.getPublic());
        assertArrayEquals("pw".getBytes(StandardCharsets.US_ASCII),
                CachingSha2Password.decryptPassword(c.doFinal(plain), NONCE, keys.getPrivate()).orElseThrow());
    }

    @Test
    void decryptsWhatOpenSslEncryptsWithOaep() throws IOException {
        // openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep of ("secret" NUL) XOR the nonce
        byte[] encrypted = Base64.getDecoder().decode(resource("openssl-oaep-secret.b64").strip());
        PrivateKey key = Pem.privateKey(resource("rsa-pkcs1.pem"));
        assertArrayEquals("secret".getBytes(StandardCharsets.US_ASCII),
                CachingSha2Password.decryptPassword(encrypted, NONCE, key).orElseThrow());
    }

    @Test
    void clearTextPasswordNeedsItsNul() {
        assertArrayEquals("pw".getBytes(StandardCharsets.US_ASCII),
                CachingSha2Password.clearTextPassword("pw\0".getBytes(StandardCharsets.US_ASCII)).orElseThrow());
        assertArrayEquals(new byte[0], CachingSha2Password.clearTextPassword(new byte[]{0}).orElseThrow());
        assertTrue(CachingSha2Password.clearTextPassword("pw".getBytes(StandardCharsets.US_ASCII)).isEmpty());
        assertTrue(CachingSha2Password.clearTextPassword(new byte[0]).isEmpty());
    }
}
