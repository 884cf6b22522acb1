package dev.binlogrelay.core.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The hashing and byte helpers the password plugins share. */
final class Digests {
    private Digests() {
    }

    static byte[] digest(String algorithm, byte[] in) {
        try {
            return MessageDigest.getInstance(algorithm).digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
