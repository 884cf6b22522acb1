package dev.binlogrelay.server.downstream;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * caching_sha2_password's server-side cache: SHA256(SHA256(password)) per user, filled by a successful full
 * authentication (users given by a caching_sha2_password hash) so that later logins take the fast path. Users
 * given by password never need it: their digest is known from the config. In memory only, like MySQL's, and
 * never stale, since the relay's users cannot change while it runs. Thread-safe.
 */
final class FastAuthCache {
    private final Map<String, byte[]> digests = new ConcurrentHashMap<>();

    Optional<byte[]> get(String user) {
        return Optional.ofNullable(digests.get(user));
    }

    void put(String user, byte[] digest) {
        digests.put(user, digest.clone());
    }
}
