package dev.binlogrelay.server.wiring;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.Credentials;
import dev.binlogrelay.core.auth.Pem;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.DownstreamSecurity;
import dev.binlogrelay.server.downstream.GeneratedCertificate;
import dev.binlogrelay.server.downstream.UserAccount;
import dev.binlogrelay.server.downstream.UserDirectory;
import dev.binlogrelay.server.upstream.SslMode;
import dev.binlogrelay.server.upstream.UpstreamSecurity;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The auth and TLS parts of the config turned into what the downstream server and upstream client use: users
 * with their credentials, TLS contexts, RSA keys. {@link ConfigCheck} calls the same methods to check a
 * config, so a bad key fails start-up with one line naming it ({@link ConfigException}, without the file).
 */
public final class SecurityConfig {
    private SecurityConfig() {
    }

    public static UserDirectory users(RelayConfig.Downstream d) {
        if (d.users == null || d.users.isEmpty()) {
            throw new ConfigException("missing key 'downstream.users'");
        }
        List<UserAccount> accounts = new ArrayList<>();
        for (int i = 0; i < d.users.size(); i++) {
            accounts.add(user(d.users.get(i), "downstream.users[" + i + "]", tlsOn(d)));
        }
        try {
            return new UserDirectory(accounts);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for 'downstream.users': " + e.getMessage());
        }
    }

    static UserAccount user(RelayConfig.User u, String key, boolean tlsConfigured) {
        if (u == null || u.user == null || u.user.isBlank()) {
            throw new ConfigException("missing key '" + key + ".user'");
        }
        boolean hashed = u.passwordHash != null && !u.passwordHash.isEmpty();
        if (u.password == null && !hashed) {
            throw new ConfigException("missing key '" + key + ".password' (or " + key + ".password_hash)");
        }
        if (u.password != null && hashed) {
            throw new ConfigException(key + ": give password or password_hash, not both");
        }
        Credentials credentials;
        try {
            credentials = hashed ? Credentials.ofHashes(u.passwordHash) : Credentials.ofPassword(u.password);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for '" + key + ".password_hash': " + e.getMessage());
        }
        AuthPlugin plugin = u.authPlugin == null ? null : plugin(u.authPlugin, key + ".auth_plugin");
        if (plugin != null && !credentials.supports(plugin)) {
            throw new ConfigException("bad value for '" + key + ".auth_plugin': " + plugin + " cannot use a "
                    + credentials + "; give a " + plugin + " hash or the password");
        }
        boolean requireTls = Boolean.TRUE.equals(u.requireTls);
        if (requireTls && !tlsConfigured) {
            throw new ConfigException(key + ".require_tls needs TLS, which downstream.tls: off turns off");
        }
        return new UserAccount(u.user, credentials, plugin, requireTls, admin(u.role, key + ".role"));
    }

    /** {@code role}: admin (true) or replication (false, also when absent). */
    static boolean admin(String role, String key) {
        if (role == null) {
            return false;
        }
        return switch (role.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "admin" -> true;
            case "replication" -> false;
            default -> throw new ConfigException("bad value for '" + key + "': '" + role + "' is not admin or replication");
        };
    }

    /** True unless {@code downstream.tls: off}. */
    static boolean tlsOn(RelayConfig.Downstream d) {
        return d.tls == null || !d.tls.off;
    }

    /**
     * TLS (the configured certificate; without one, the relay's own, made once in {@code dataDir/tls/}; none with
     * {@code tls: off}), the RSA key pair (generated, 2048 bits, in the background when not configured) and the
     * announced plugin.
     */
    public static DownstreamSecurity downstream(RelayConfig.Downstream d, Path dataDir) {
        DownstreamSecurity.ServerTls tls;
        if (!tlsOn(d)) {
            tls = null;
        } else if (d.tls != null) {
            tls = serverTls(d.tls);
        } else {
            GeneratedCertificate.Material own = GeneratedCertificate.loadOrCreate(dataDir);
            tls = DownstreamSecurity.tlsContext(List.of(own.certificate()), own.key(), null);
        }
        AuthPlugin defaultPlugin = defaultPlugin(d);
        Optional<KeyPair> rsa = rsaKeys(d);
        return rsa.isPresent() ? new DownstreamSecurity(tls, rsa.get(), defaultPlugin)
                : DownstreamSecurity.withGeneratedRsaKeys(tls, defaultPlugin);
    }

    /** Checks every auth and TLS key of a config (files read and parsed), without generating anything. */
    public static void check(RelayConfig c) {
        users(c.downstream);
        if (c.downstream.tls != null && !c.downstream.tls.off) {
            serverTls(c.downstream.tls);
        }
        defaultPlugin(c.downstream);
        rsaKeys(c.downstream);
        if (c.upstream != null) {
            upstream(c.upstream);
        }
    }

    private static AuthPlugin defaultPlugin(RelayConfig.Downstream d) {
        return d.defaultAuthPlugin == null ? null : plugin(d.defaultAuthPlugin, "downstream.default_auth_plugin");
    }

    private static DownstreamSecurity.ServerTls serverTls(RelayConfig.Tls t) {
        if (t.cert == null || t.key == null) {
            throw new ConfigException("missing key 'downstream.tls." + (t.cert == null ? "cert" : "key")
                    + "' (or downstream.tls: off; leave downstream.tls out for the relay's own certificate)");
        }
        List<X509Certificate> chain = PemFiles.certificates(t.cert, "downstream.tls.cert");
        PrivateKey key = PemFiles.privateKey(t.key, "downstream.tls.key");
        List<X509Certificate> ca = t.ca == null ? null : PemFiles.certificates(t.ca, "downstream.tls.ca");
        try {
            return DownstreamSecurity.tlsContext(chain, key, ca);
        } catch (IllegalArgumentException e) {
            throw PemFiles.bad("downstream.tls.key", t.key, e.getMessage());
        }
    }

    private static Optional<KeyPair> rsaKeys(RelayConfig.Downstream d) {
        if (d.rsaPrivateKey == null) {
            if (d.rsaPublicKey != null) {
                throw new ConfigException("downstream.rsa_public_key needs downstream.rsa_private_key");
            }
            return Optional.empty();
        }
        PrivateKey priv = PemFiles.privateKey(d.rsaPrivateKey, "downstream.rsa_private_key");
        if (!"RSA".equals(priv.getAlgorithm())) {
            throw PemFiles.bad("downstream.rsa_private_key", d.rsaPrivateKey, "not an RSA key");
        }
        PublicKey derived = Pem.rsaPublicKeyOf(priv);
        if (d.rsaPublicKey != null) {
            PublicKey pub = PemFiles.publicKey(d.rsaPublicKey, "downstream.rsa_public_key");
            if (!pub.equals(derived)) {
                throw PemFiles.bad("downstream.rsa_public_key", d.rsaPublicKey, "does not belong to downstream.rsa_private_key");
            }
        }
        return Optional.of(new KeyPair(derived, priv));
    }

    public static UpstreamSecurity upstream(RelayConfig.Upstream u) {
        SslMode mode;
        try {
            mode = SslMode.parse(u.sslMode);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for 'upstream.ssl_mode': " + e.getMessage());
        }
        List<X509Certificate> ca = u.sslCa == null ? null : PemFiles.certificates(u.sslCa, "upstream.ssl_ca");
        if (ca != null && !mode.verifiesCertificate()) {
            throw new ConfigException("upstream.ssl_ca is used only with upstream.ssl_mode verify_ca or verify_identity, not " + mode);
        }
        PublicKey key = u.serverPublicKey == null ? null : PemFiles.publicKey(u.serverPublicKey, "upstream.server_public_key");
        try {
            return UpstreamSecurity.of(mode, ca, key);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for 'upstream.ssl_ca': " + e.getMessage());
        }
    }

    private static AuthPlugin plugin(String name, String key) {
        return AuthPlugin.byName(name.strip()).orElseThrow(() -> new ConfigException("bad value for '" + key + "': '" + name
                + "' is not mysql_native_password or caching_sha2_password"));
    }
}
