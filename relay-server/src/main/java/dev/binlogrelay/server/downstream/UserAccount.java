package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.Credentials;

import java.util.Objects;

/**
 * One downstream user: where its credentials live, which plugin it must log in with, and whether it needs TLS.
 *
 * @param plugin     the plugin this user must use, or null for "what the handshake announces" (narrowed to the
 *                   only plugin the credentials allow, when they allow one)
 * @param requireTls refuse the user over plain TCP
 * @param admin      {@code role: admin}: may run the operator's statements (SHOW SLAVE STATUS, STOP SLAVE, PURGE, KILL,
 *                   ...); a replication user (the default) gets ERR 1227 for them
 */
public record UserAccount(String name, Credentials credentials, AuthPlugin plugin, boolean requireTls, boolean admin) {
    /** A replication user (the default role). */
    public UserAccount(String name, Credentials credentials, AuthPlugin plugin, boolean requireTls) {
        this(name, credentials, plugin, requireTls, false);
    }

    public UserAccount {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(credentials, "credentials");
        if (plugin != null && !credentials.supports(plugin)) {
            throw new IllegalArgumentException("user '" + name + "' has a " + credentials + ", which " + plugin + " cannot use");
        }
    }

    public static UserAccount withPassword(String name, String password) {
        return new UserAccount(name, Credentials.ofPassword(password), null, false);
    }

    /** The plugin this user logs in with when the handshake announced {@code announced}. */
    public AuthPlugin pluginFor(AuthPlugin announced) {
        if (plugin != null) {
            return plugin;
        }
        return credentials.onlyPlugin().orElse(announced);
    }
}
