package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.NativePassword;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The downstream users from the config, with their mysql_native_password hashes. Immutable, thread-safe. */
public final class UserDirectory {
    private final Map<String, byte[]> nativeHashes = new HashMap<>();

    public UserDirectory(Map<String, String> passwords) {
        passwords.forEach((user, password) -> nativeHashes.put(user, NativePassword.storedHash(password)));
    }

    /** The stored SHA1(SHA1(password)) of a user, empty if the user does not exist. */
    public Optional<byte[]> nativeHash(String user) {
        return Optional.ofNullable(nativeHashes.get(user));
    }
}
