package dev.binlogrelay.core.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The SHA-256 variant of Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" (the {@code $5$} scheme),
 * which MySQL uses for caching_sha2_password's stored hashes (mysys/crypt_genhash_impl.cc). Unlike
 * {@code crypt(3)}, the salt is not cut at 16 bytes: MySQL passes 20. Returns the 43-character digest part
 * only (what follows the last '$' of a crypt string).
 */
public final class Sha256Crypt {
    public static final int HASH_CHARS = 43;
    private static final char[] B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int LEN = 32;

    private Sha256Crypt() {
    }

    public static String hash(byte[] key, byte[] salt, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be positive, not " + rounds);
        }
        MessageDigest md = sha256();
        // B = SHA256(key || salt || key)
        md.update(key);
        md.update(salt);
        md.update(key);
        byte[] b = md.digest();
        // A = SHA256(key || salt || B repeated to len(key) || for each bit of len(key): B if 1, key if 0)
        md.update(key);
        md.update(salt);
        int n;
        for (n = key.length; n > LEN; n -= LEN) {
            md.update(b, 0, LEN);
        }
        md.update(b, 0, n);
        for (n = key.length; n > 0; n >>= 1) {
            if ((n & 1) != 0) {
                md.update(b, 0, LEN);
            } else {
                md.update(key);
            }
        }
        byte[] a = md.digest();
        // P = SHA256(key repeated len(key) times), repeated to len(key) bytes
        for (int i = 0; i < key.length; i++) {
            md.update(key);
        }
        byte[] p = repeat(md.digest(), key.length);
        // S = SHA256(salt repeated 16 + A[0] times), repeated to len(salt) bytes
        for (int i = 0; i < 16 + (a[0] & 0xFF); i++) {
            md.update(salt);
        }
        byte[] s = repeat(md.digest(), salt.length);
        byte[] c = a;
        for (int i = 0; i < rounds; i++) {
            if ((i & 1) != 0) {
                md.update(p);
            } else {
                md.update(c, 0, LEN);
            }
            if (i % 3 != 0) {
                md.update(s);
            }
            if (i % 7 != 0) {
                md.update(p);
            }
            if ((i & 1) != 0) {
                md.update(c, 0, LEN);
            } else {
                md.update(p);
            }
            c = md.digest();
        }
        Arrays.fill(p, (byte) 0);
        StringBuilder out = new StringBuilder(HASH_CHARS);
        int[][] order = {{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
                {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}};
        for (int[] o : order) {
            b64(out, c[o[0]], c[o[1]], c[o[2]], 4);
        }
        b64(out, (byte) 0, c[31], c[30], 3);
        return out.toString();
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = (b2 & 0xFF) << 16 | (b1 & 0xFF) << 8 | (b0 & 0xFF);
        for (int i = 0; i < n; i++) {
            out.append(B64[w & 0x3F]);
            w >>>= 6;
        }
    }

    private static byte[] repeat(byte[] digest, int length) {
        byte[] r = new byte[length];
        for (int i = 0; i < length; i++) {
            r[i] = digest[i % LEN];
        }
        return r;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
