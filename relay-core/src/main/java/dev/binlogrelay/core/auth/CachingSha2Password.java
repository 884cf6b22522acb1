package dev.binlogrelay.core.auth;

import javax.crypto.Cipher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * caching_sha2_password, as plain functions (the exchange itself lives with the server and client code).
 *
 * <pre>
 * digest    = SHA256(SHA256(password))                   (what the server's fast-auth cache holds)
 * response  = SHA256(password) XOR SHA256(digest || nonce)  (the scramble; empty for an empty password)
 * fast check: SHA256(response XOR SHA256(digest || nonce)) == digest
 *
 * after the scramble the server sends AuthMoreData (0x01) packets:
 *   0x01 0x03  fast auth succeeded, an OK follows
 *   0x01 0x04  perform full auth: the client sends
 *                over TLS    the password, NUL-terminated, in clear
 *                otherwise   RSA-OAEP(SHA-1, MGF1-SHA-1) of ((password || NUL) XOR nonce, the nonce repeated),
 *                            with the server's public key, which it may first ask for with a 0x02 packet;
 *                            the server answers 0x01 || public key PEM
 * </pre>
 * The nonce is the 20-byte scramble of the handshake (or of the auth switch request).
 */
public final class CachingSha2Password {
    public static final String PLUGIN = "caching_sha2_password";
    /** First byte of an AuthMoreData packet. */
    public static final int AUTH_MORE_DATA = 0x01;
    /** The client asks for the server's RSA public key. */
    public static final int REQUEST_PUBLIC_KEY = 0x02;
    /** After AUTH_MORE_DATA: the scramble matched the cache; an OK follows. */
    public static final int FAST_AUTH_SUCCESS = 0x03;
    /** After AUTH_MORE_DATA: the server needs the password (over TLS or RSA-encrypted). */
    public static final int PERFORM_FULL_AUTH = 0x04;
    public static final int DIGEST_LENGTH = 32;
    public static final int NONCE_LENGTH = 20;
    /** MySQL's RSA_PKCS1_OAEP_PADDING: OAEP with SHA-1 and MGF1 with SHA-1. */
    public static final String RSA_TRANSFORMATION = "RSA/ECB/OAEPWithSHA-1AndMGF1Padding";
    /**
     * PKCS#1 v1.5 padding, what MySQL Connector/J uses with servers older than 8.0.5 by their version string,
     * which includes every MariaDB version (5.5.5-10.x).
     */
    public static final String RSA_LEGACY_TRANSFORMATION = "RSA/ECB/PKCS1Padding";

    private CachingSha2Password() {
    }

    /** The client's scramble for a password (UTF-8) and nonce; empty for an empty password. */
    public static byte[] scramble(String password, byte[] nonce) {
        return scramble(bytes(password), nonce);
    }

    public static byte[] scramble(byte[] password, byte[] nonce) {
        if (password.length == 0) {
            return new byte[0];
        }
        byte[] stage1 = sha256(password);
        byte[] mix = sha256(concat(sha256(stage1), nonce20(nonce)));
        for (int i = 0; i < mix.length; i++) {
            mix[i] ^= stage1[i];
        }
        return mix;
    }

    /** SHA256(SHA256(password)): what the fast-auth cache holds for a user. */
    public static byte[] digest(byte[] password) {
        return sha256(sha256(password));
    }

    public static byte[] digest(String password) {
        return digest(bytes(password));
    }

    /** The server's fast check of a scramble against a cached digest, in constant time. */
    public static boolean verifyScramble(byte[] digest, byte[] nonce, byte[] response) {
        if (response.length != DIGEST_LENGTH || digest.length != DIGEST_LENGTH) {
            return false;
        }
        byte[] mix = sha256(concat(digest, nonce20(nonce)));
        byte[] stage1 = new byte[DIGEST_LENGTH];
        for (int i = 0; i < DIGEST_LENGTH; i++) {
            stage1[i] = (byte) (response[i] ^ mix[i]);
        }
        return MessageDigest.isEqual(sha256(stage1), digest);
    }

    /** The client's full-auth packet over plain TCP: RSA-OAEP of (password || NUL) XOR nonce. */
    public static byte[] encryptPassword(byte[] password, byte[] nonce, PublicKey serverKey) {
        byte[] plain = xorWithNonce(Arrays.copyOf(password, password.length + 1), nonce20(nonce));
        try {
            Cipher rsa = Cipher.getInstance(RSA_TRANSFORMATION);
            rsa.init(Cipher.ENCRYPT_MODE, serverKey);
            return rsa.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot RSA-encrypt the password with the server's public key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public static byte[] encryptPassword(String password, byte[] nonce, PublicKey serverKey) {
        return encryptPassword(bytes(password), nonce, serverKey);
    }

    /**
     * The server's side of {@link #encryptPassword}: the password without its NUL, or empty when the packet
     * does not decrypt with this key (wrong key, not RSA, or not NUL-terminated). OAEP first, then PKCS#1 v1.5
     * (see {@link #RSA_LEGACY_TRANSFORMATION}); a failure says nothing about which padding failed.
     */
    public static Optional<byte[]> decryptPassword(byte[] encrypted, byte[] nonce, PrivateKey serverKey) {
        byte[] plain = rsaDecrypt(RSA_TRANSFORMATION, encrypted, serverKey);
        if (plain == null) {
            plain = rsaDecrypt(RSA_LEGACY_TRANSFORMATION, encrypted, serverKey);
        }
        if (plain == null) {
            return Optional.empty();
        }
        xorWithNonce(plain, nonce20(nonce));
        try {
            return clearTextPassword(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] rsaDecrypt(String transformation, byte[] encrypted, PrivateKey key) {
        try {
            Cipher rsa = Cipher.getInstance(transformation);
            rsa.init(Cipher.DECRYPT_MODE, key);
            return rsa.doFinal(encrypted);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The password of a full-auth packet sent in clear over TLS (NUL-terminated; the NUL is dropped). */
    public static Optional<byte[]> clearTextPassword(byte[] packet) {
        if (packet.length == 0 || packet[packet.length - 1] != 0) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(packet, packet.length - 1));
    }

    private static byte[] xorWithNonce(byte[] data, byte[] nonce) {
        for (int i = 0; i < data.length; i++) {
            data[i] ^= nonce[i % nonce.length];
        }
        return data;
    }

    private static byte[] nonce20(byte[] nonce) {
        if (nonce.length == 0) {
            throw new IllegalArgumentException("empty caching_sha2_password nonce");
        }
        return nonce.length > NONCE_LENGTH ? Arrays.copyOf(nonce, NONCE_LENGTH) : nonce;
    }

    static byte[] bytes(String password) {
        return password == null ? new byte[0] : password.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] sha256(byte[] in) {
        return Digests.digest("SHA-256", in);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return Digests.concat(a, b);
    }
}
