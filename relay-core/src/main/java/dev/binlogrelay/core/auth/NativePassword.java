package dev.binlogrelay.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * mysql_native_password.
 *
 * <pre>
 * stored    = SHA1(SHA1(password))                       (what "*" + hex(stored) in mysql.user holds)
 * response  = SHA1(password) XOR SHA1(scramble + stored)  (what the client sends; empty for an empty password)
 * check     : SHA1(response XOR SHA1(scramble + stored)) == stored
 * </pre>
 */
public final class NativePassword {
    public static final String PLUGIN = "mysql_native_password";
    private static final SecureRandom RANDOM = new SecureRandom();

    private NativePassword() {
    }

    /** A 20-byte scramble of printable, non-NUL bytes (as servers send). */
    public static byte[] newScramble() {
        byte[] s = new byte[20];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (33 + RANDOM.nextInt(94));
        }
        return s;
    }

    /** SHA1(SHA1(password)); empty for an empty password. */
    public static byte[] storedHash(String password) {
        if (password == null || password.isEmpty()) {
            return new byte[0];
        }
        return sha1(sha1(password.getBytes(StandardCharsets.UTF_8)));
    }

    /** Parses the "*HEX" form of mysql.user.authentication_string (or bare hex). */
    public static byte[] parseStoredHash(String text) {
        String hex = text.startsWith("*") ? text.substring(1) : text;
        if (hex.length() != 40) {
            throw new IllegalArgumentException("a mysql_native_password hash is '*' and 40 hex digits");
        }
        return HexFormat.of().parseHex(hex);
    }

    /** "*" + upper-case hex of SHA1(SHA1(password)), as PASSWORD() prints it. */
    public static String formatStoredHash(byte[] stored) {
        return "*" + HexFormat.of().withUpperCase().formatHex(stored);
    }

    public static byte[] scramble(String password, byte[] scramble) {
        if (password == null || password.isEmpty()) {
            return new byte[0];
        }
        byte[] stage1 = sha1(password.getBytes(StandardCharsets.UTF_8));
        byte[] stage2 = sha1(stage1);
        byte[] mix = sha1(concat(scramble20(scramble), stage2));
        for (int i = 0; i < mix.length; i++) {
            mix[i] ^= stage1[i];
        }
        return mix;
    }

    /** Constant-time check of a client's response against the stored hash. */
    public static boolean verify(byte[] stored, byte[] scramble, byte[] response) {
        if (stored.length == 0) {
            return response.length == 0;
        }
        if (response.length != 20) {
            return false;
        }
        byte[] mix = sha1(concat(scramble20(scramble), stored));
        byte[] candidate = new byte[20];
        for (int i = 0; i < 20; i++) {
            candidate[i] = (byte) (response[i] ^ mix[i]);
        }
        return MessageDigest.isEqual(sha1(candidate), stored);
    }

    private static byte[] scramble20(byte[] scramble) {
        return scramble.length > 20 ? java.util.Arrays.copyOf(scramble, 20) : scramble;
    }

    static byte[] sha1(byte[] in) {
        return Digests.digest("SHA-1", in);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return Digests.concat(a, b);
    }
}
