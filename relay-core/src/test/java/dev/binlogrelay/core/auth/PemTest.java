package dev.binlogrelay.core.auth;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;

import static dev.binlogrelay.core.auth.CachingSha2PasswordTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys made by OpenSSL 3 (genrsa -traditional, pkcs8 -topk8, rsa -pubout, rsa -RSAPublicKey_out). */
class PemTest {
    @Test
    void pkcs1AndPkcs8PrivateKeysAreTheSameKey() throws IOException {
        PrivateKey pkcs1 = Pem.privateKey(resource("rsa-pkcs1.pem"));
        PrivateKey pkcs8 = Pem.privateKey(resource("rsa-pkcs8.pem"));
        assertEquals(pkcs8, pkcs1);
        assertEquals("RSA", pkcs1.getAlgorithm());
    }

    @Test
    void publicKeysInBothFormsMatchThePrivateKey() throws IOException {
        PublicKey spki = Pem.publicKey(resource("rsa-public.pem"));
        PublicKey pkcs1 = Pem.publicKey(resource("rsa-public-pkcs1.pem"));
        assertEquals(spki, pkcs1);
        assertEquals(spki, Pem.rsaPublicKeyOf(Pem.privateKey(resource("rsa-pkcs8.pem"))));
    }

    @Test
    void encodedPublicKeyIsWhatOpenSslWrites() throws IOException {
        PublicKey key = Pem.publicKey(resource("rsa-public.pem"));
        assertEquals(resource("rsa-public.pem"), Pem.encode(key));
        KeyPair generated = Pem.generateRsa(2048);
        String pem = Pem.encode(generated.getPublic());
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n") && pem.endsWith("-----END PUBLIC KEY-----\n"), pem);
        assertEquals(generated.getPublic(), Pem.publicKey(pem));
    }

    @Test
    void refusals() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")).getMessage().contains("encrypted"));
        assertThrows(IllegalArgumentException.class, () -> Pem.privateKey("no pem here"));
        assertThrows(IllegalArgumentException.class, () -> Pem.publicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
        assertThrows(IllegalArgumentException.class, () -> Pem.certificates("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
        assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(
                "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"));
    }
}
