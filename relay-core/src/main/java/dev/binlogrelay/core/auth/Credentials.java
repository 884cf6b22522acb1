package dev.binlogrelay.core.auth;

import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * What the relay knows about one account's password: the password itself, or stored hashes, so that no
 * plaintext needs to sit in a config file. Which auth plugins an account can use follows from it:
 *
 * <ul>
 *   <li>a password: both plugins; caching_sha2_password's fast-auth digest is known from the start;</li>
 *   <li>a mysql_native_password hash ({@code *HEX40}, as mysql.user and PASSWORD() show it): only
 *       mysql_native_password;</li>
 *   <li>a caching_sha2_password hash ({@code $A$005$...}): only caching_sha2_password, and the first login
 *       needs full authentication (over TLS or RSA), after which the server may cache the digest.</li>
 * </ul>
 * Immutable and thread-safe. All comparisons are constant-time.
 */
public final class Credentials {
    private final byte[] password;
    private final byte[] nativeHash;
    private final CachingSha2Hash sha2Hash;
    private final byte[] sha2Digest;

    private Credentials(byte[] password, byte[] nativeHash, CachingSha2Hash sha2Hash) {
        this.password = password;
        this.nativeHash = nativeHash;
        this.sha2Hash = sha2Hash;
        this.sha2Digest = password == null ? null : CachingSha2Password.digest(password);
    }

    /** A password (UTF-8); the empty password is allowed. */
    public static Credentials ofPassword(String password) {
        byte[] pw = CachingSha2Password.bytes(password);
        return new Credentials(pw, NativePassword.storedHash(password), null);
    }

    /**
     * Stored hashes, each either {@code *HEX40} (mysql_native_password) or {@code $A$...} / {@code 0x2441...}
     * (caching_sha2_password); at most one of each kind.
     */
    public static Credentials ofHashes(List<String> hashes) {
        byte[] nat = null;
        CachingSha2Hash sha2 = null;
        for (String h : hashes) {
            String t = h == null ? "" : h.strip();
            if (t.startsWith("*") || t.matches("[0-9A-Fa-f]{40}")) {
                if (nat != null) {
                    throw new IllegalArgumentException("two mysql_native_password hashes");
                }
                nat = NativePassword.parseStoredHash(t);
            } else if (CachingSha2Hash.looksLike(t)) {
                if (sha2 != null) {
                    throw new IllegalArgumentException("two caching_sha2_password hashes");
                }
                sha2 = CachingSha2Hash.parse(t);
            } else {
                throw new IllegalArgumentException("a password hash is '*' and 40 hex digits (mysql_native_password) "
                        + "or '$A$005$...' / '0x2441...' (caching_sha2_password)");
            }
        }
        if (nat == null && sha2 == null) {
            throw new IllegalArgumentException("no password hash");
        }
        return new Credentials(null, nat, sha2);
    }

    public boolean supports(AuthPlugin plugin) {
        return switch (plugin) {
            case MYSQL_NATIVE_PASSWORD -> nativeHash != null;
            case CACHING_SHA2_PASSWORD -> password != null || sha2Hash != null;
        };
    }

    /** The only plugin these credentials allow, if they allow just one. */
    public Optional<AuthPlugin> onlyPlugin() {
        boolean nat = supports(AuthPlugin.MYSQL_NATIVE_PASSWORD);
        boolean sha2 = supports(AuthPlugin.CACHING_SHA2_PASSWORD);
        return nat == sha2 ? Optional.empty() : Optional.of(nat ? AuthPlugin.MYSQL_NATIVE_PASSWORD : AuthPlugin.CACHING_SHA2_PASSWORD);
    }

    /** SHA1(SHA1(password)) (empty for the empty password), if known. */
    public Optional<byte[]> nativeHash() {
        return Optional.ofNullable(nativeHash);
    }

    /** SHA256(SHA256(password)), known without a login only when the password itself was given. */
    public Optional<byte[]> sha2Digest() {
        return Optional.ofNullable(sha2Digest);
    }

    /** Whether the empty password is the account's password. */
    public boolean emptyPassword() {
        return password != null ? password.length == 0 : nativeHash != null && nativeHash.length == 0;
    }

    /** Checks a password received in clear (full authentication), in constant time. */
    public boolean verifyPassword(byte[] candidate) {
        if (password != null) {
            return MessageDigest.isEqual(password, candidate);
        }
        if (sha2Hash != null) {
            return sha2Hash.verify(candidate);
        }
        return nativeHash != null && candidate.length > 0
                && MessageDigest.isEqual(NativePassword.sha1(NativePassword.sha1(candidate)), nativeHash);
    }

    @Override
    public String toString() {
        return password != null ? "password" : (nativeHash != null ? "mysql_native_password hash " : "")
                + (sha2Hash != null ? "caching_sha2_password hash" : "");
    }
}
