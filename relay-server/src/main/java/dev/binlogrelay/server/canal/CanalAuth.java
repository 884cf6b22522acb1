package dev.binlogrelay.server.canal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Canal's client authentication. The server sends an 8-byte seed in its handshake; the client answers with the hex
 * of {@code SHA1(password) XOR SHA1(seed + SHA1(SHA1(password)))} (MySQL's native scramble). The server, knowing
 * {@code stage2 = SHA1(SHA1(password))}, XORs the token with {@code SHA1(seed + stage2)} and checks that the SHA1 of
 * the result is {@code stage2}. Without configured users every login passes, as in Canal; a user configured with an
 * empty password passes with any token.
 */
final class CanalAuth {
    /** user → SHA1(SHA1(password)), or null when nothing is checked. */
    private final Map<String, byte[]> stage2;

    CanalAuth(Map<String, String> users) {
        if (users == null || users.isEmpty()) {
            this.stage2 = null;
        } else {
            Map<String, byte[]> m = new java.util.HashMap<>();
            users.forEach((user, password) -> m.put(user, password.isEmpty() ? new byte[0]
                    : sha1(sha1(password.getBytes(StandardCharsets.UTF_8)))));
            this.stage2 = Map.copyOf(m);
        }
    }

    boolean required() {
        return stage2 != null;
    }

    /** True if {@code user} may log in with the hex token {@code passwordHex} answering {@code seed}. */
    boolean check(String user, String passwordHex, byte[] seed) {
        if (stage2 == null) {
            return true;
        }
        byte[] expected = stage2.get(user);
        if (expected == null) {
            return false;
        }
        if (expected.length == 0) {
            return true;
        }
        byte[] token;
        try {
            token = HexFormat.of().parseHex(passwordHex);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (token.length != 20) {
            return false;
        }
        MessageDigest md = digest();
        md.update(seed);
        byte[] mask = md.digest(expected);
        for (int i = 0; i < mask.length; i++) {
            mask[i] ^= token[i];
        }
        return MessageDigest.isEqual(sha1(mask), expected);
    }

    /** The client's side (for tests): the hex token Canal's client sends for {@code password}. */
    static String token(String password, byte[] seed) {
        byte[] stage1 = sha1(password.getBytes(StandardCharsets.UTF_8));
        MessageDigest md = digest();
        md.update(seed);
        byte[] mask = md.digest(sha1(stage1));
        for (int i = 0; i < mask.length; i++) {
            mask[i] ^= stage1[i];
        }
        return HexFormat.of().formatHex(mask);
    }

    private static byte[] sha1(byte[] b) {
        return digest().digest(b);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }
}
