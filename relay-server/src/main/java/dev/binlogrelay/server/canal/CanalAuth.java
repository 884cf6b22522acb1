package dev.binlogrelay.server.canal;

import dev.binlogrelay.core.auth.NativePassword;

import java.util.HexFormat;
import java.util.Map;

/**
 * Canal's client authentication. The server sends an 8-byte seed in its handshake; the client answers with the hex
 * of MySQL's native scramble of its password with that seed ({@link NativePassword#scramble}), which the server
 * checks against {@code SHA1(SHA1(password))} as a MySQL server does ({@link NativePassword#verify}). Without
 * configured users every login passes, as in Canal; a user configured with an empty password passes with any token.
 */
final class CanalAuth {
    /** user → SHA1(SHA1(password)) (empty for an empty password), or null when nothing is checked. */
    private final Map<String, byte[]> stored;

    CanalAuth(Map<String, String> users) {
        if (users == null || users.isEmpty()) {
            this.stored = null;
        } else {
            Map<String, byte[]> m = new java.util.HashMap<>();
            users.forEach((user, password) -> m.put(user, NativePassword.storedHash(password)));
            this.stored = Map.copyOf(m);
        }
    }

    boolean required() {
        return stored != null;
    }

    /** True if {@code user} may log in with the hex token {@code passwordHex} answering {@code seed}. */
    boolean check(String user, String passwordHex, byte[] seed) {
        if (stored == null) {
            return true;
        }
        byte[] expected = stored.get(user);
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
        return NativePassword.verify(expected, seed, token);
    }

    /** The client's side (for tests): the hex token Canal's client sends for {@code password}. */
    static String token(String password, byte[] seed) {
        return HexFormat.of().formatHex(NativePassword.scramble(password, seed));
    }
}
