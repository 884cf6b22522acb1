package dev.binlogrelay.core.auth;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Cipher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the caching_sha2_password exchange: what a client can send the relay's server side (scramble, full-auth
 * packet in clear over TLS or RSA-encrypted) and the public key PEM a primary sends the relay's upstream client.
 *
 * <p>Contract: the server-side functions never throw on client bytes: a packet that does not decrypt, or is not
 * NUL-terminated, is "no password" and a scramble of any length is a boolean; a PEM that is not an RSA public key is
 * an {@link IllegalArgumentException} (what {@code UpstreamLogin} turns into a login failure). Round trips: a
 * password (the input, cut to what one RSA block holds) encrypted the way MySQL clients (OAEP) and Connector/J with
 * MariaDB (PKCS#1 v1.5) do decrypts to itself; its scramble verifies against its digest; a decoded key encoded as
 * PEM decodes to the same key.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/auth/CachingSha2PasswordFuzzTestInputs/<method>/}: a
 * full-auth packet OpenSSL encrypted, scrambles, the test keys' PEM.
 */
class CachingSha2PasswordFuzzTest {
    /** The nonce of the OpenSSL-made seed (see CachingSha2PasswordTest). */
    private static final byte[] NONCE = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    private static final PrivateKey KEY;
    private static final PublicKey PUBLIC;

    static {
        try {
            KEY = Pem.privateKey(CachingSha2PasswordTest.resource("rsa-pkcs1.pem"));
            PUBLIC = Pem.rsaPublicKeyOf(KEY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client's packet after "perform full auth", and a client's scramble: never an exception. */
    @FuzzTest
    @Timeout(10)
    void fullAuthPacket(byte[] packet) throws GeneralSecurityException {
        Optional<byte[]> decrypted = CachingSha2Password.decryptPassword(packet, NONCE, KEY);
        decrypted.ifPresent(pw -> assertTrue(pw.length < packet.length, "a password longer than its packet"));
        Optional<byte[]> clear = CachingSha2Password.clearTextPassword(packet);
        assertEquals(packet.length > 0 && packet[packet.length - 1] == 0, clear.isPresent());
        byte[] digest = CachingSha2Password.digest(packet);
        CachingSha2Password.verifyScramble(digest, NONCE, packet);
        CachingSha2Password.verifyScramble(packet, NONCE, packet);

        // the input as a password: what one 1024-bit RSA block holds with OAEP (86 bytes), less the NUL
        byte[] pw = Arrays.copyOf(packet, Math.min(packet.length, 85));
        assertArrayEquals(pw, CachingSha2Password.decryptPassword(CachingSha2Password.encryptPassword(pw, NONCE, PUBLIC), NONCE, KEY)
                .orElseThrow(), "OAEP round trip");
        assertArrayEquals(pw, CachingSha2Password.decryptPassword(legacyEncrypt(pw), NONCE, KEY).orElseThrow(), "PKCS#1 round trip");
        assertArrayEquals(pw, CachingSha2Password.clearTextPassword(Arrays.copyOf(pw, pw.length + 1)).orElseThrow());
        byte[] scramble = CachingSha2Password.scramble(pw, NONCE);
        assertEquals(pw.length > 0, CachingSha2Password.verifyScramble(CachingSha2Password.digest(pw), NONCE, scramble));
    }

    /** The public key a primary answers a key request with (0x01 || PEM). */
    @FuzzTest
    @Timeout(10)
    void publicKeyPem(byte[] data) {
        String pem = new String(data, StandardCharsets.US_ASCII);
        PublicKey key;
        try {
            key = Pem.publicKey(pem);
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertEquals("RSA", key.getAlgorithm());
        assertEquals(key, Pem.publicKey(Pem.encode(key)));
    }

    /** (password || NUL) XOR nonce, RSA PKCS#1 v1.5: what Connector/J sends a MariaDB-versioned server. */
    private static byte[] legacyEncrypt(byte[] pw) throws GeneralSecurityException {
        byte[] plain = Arrays.copyOf(pw, pw.length + 1);
        for (int i = 0; i < plain.length; i++) {
            plain[i] ^= NONCE[i % NONCE.length];
        }
        Cipher c = Cipher.getInstance(CachingSha2Password.RSA_LEGACY_TRANSFORMATION);
        c.init(Cipher.ENCRYPT_MODE, PUBLIC);
        return c.doFinal(plain);
    }
}
