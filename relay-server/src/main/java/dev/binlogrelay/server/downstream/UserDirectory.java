package dev.binlogrelay.server.downstream;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The downstream users from the config: where each one's credentials live (a password or stored hashes),
 * its plugin and TLS requirement. The auth methods ({@link NativePasswordLogin}, {@link CachingSha2Login}) look
 * credentials up here. Immutable, thread-safe.
 */
public final class UserDirectory {
    private final Map<String, UserAccount> accounts = new LinkedHashMap<>();

    /** Users given by password only (the original form of the config). */
    public UserDirectory(Map<String, String> passwords) {
        passwords.forEach((user, password) -> accounts.put(user, UserAccount.withPassword(user, password)));
    }

    public UserDirectory(Collection<UserAccount> users) {
        for (UserAccount u : users) {
            if (accounts.putIfAbsent(u.name(), u) != null) {
                throw new IllegalArgumentException("user '" + u.name() + "' is listed twice");
            }
        }
    }

    public Optional<UserAccount> account(String user) {
        return Optional.ofNullable(accounts.get(user));
    }

    /** True if {@code user} exists and has {@code role: admin}. */
    public boolean isAdmin(String user) {
        return user != null && account(user).map(UserAccount::admin).orElse(false);
    }

    /** The stored SHA1(SHA1(password)) of a user, empty if the user does not exist or has no native hash. */
    public Optional<byte[]> nativeHash(String user) {
        return account(user).flatMap(a -> a.credentials().nativeHash());
    }
}
