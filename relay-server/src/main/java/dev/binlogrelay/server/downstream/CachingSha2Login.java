package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.CachingSha2Password;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * caching_sha2_password, server side.
 *
 * <pre>
 * scramble (32 bytes)  digest known (password in config, or cached after a full auth) and it matches
 *                        -> 0x01 0x03, ACCEPT (the login handler sends OK)
 *                      a mismatch, or digest unknown -> 0x01 0x04 (perform full auth, as MySQL does; so every account,
 *                        unknown users included, goes through the same exchange), then:
 *   over TLS           password NUL-terminated in clear -> check against the stored hash, cache the digest
 *   over plain TCP     0x02 (once) -> 0x01 || public key PEM; then RSA-OAEP((password || NUL) XOR nonce)
 *                      -> decrypt with the private key, check, cache the digest
 * empty response       ACCEPT only for the empty password
 * </pre>
 * A password in clear over plain TCP is never asked for; anything that does not decrypt is REJECT.
 */
final class CachingSha2Login implements ServerAuthMethod {
    private static final Logger log = LoggerFactory.getLogger(CachingSha2Login.class);
    private static final byte[] FAST_AUTH_SUCCESS = {CachingSha2Password.AUTH_MORE_DATA, CachingSha2Password.FAST_AUTH_SUCCESS};
    private static final byte[] PERFORM_FULL_AUTH = {CachingSha2Password.AUTH_MORE_DATA, CachingSha2Password.PERFORM_FULL_AUTH};

    private enum Step { SCRAMBLE, FULL_AUTH, DONE }

    private final UserAccount account;
    private final byte[] nonce;
    private final FastAuthCache cache;
    private final DownstreamSecurity security;
    private final boolean secure;
    private Step step = Step.SCRAMBLE;
    private boolean publicKeySent;

    CachingSha2Login(UserAccount account, byte[] nonce, FastAuthCache cache, DownstreamSecurity security, boolean secure) {
        this.account = account;
        this.nonce = nonce;
        this.cache = cache;
        this.security = security;
        this.secure = secure;
    }

    @Override
    public Outcome start(byte[] response, Reply reply) {
        if (step != Step.SCRAMBLE) {
            return Outcome.REJECT;
        }
        step = Step.DONE;
        if (response.length == 0) {
            return account.credentials().emptyPassword() ? Outcome.ACCEPT : Outcome.REJECT;
        }
        if (response.length != CachingSha2Password.DIGEST_LENGTH) {
            return Outcome.REJECT;
        }
        Optional<byte[]> digest = cache.get(account.name()).or(() -> account.credentials().sha2Digest());
        if (digest.isPresent() && CachingSha2Password.verifyScramble(digest.get(), nonce, response)) {
            log.debug("caching_sha2_password: fast auth for '{}'", account.name());
            reply.send(FAST_AUTH_SUCCESS);
            return Outcome.ACCEPT;
        }
        // a wrong scramble goes to full authentication like an unknown digest, as on MySQL: the exchange is then the
        // same for every account (password in config, hash not yet cached, unknown user with decoy credentials)
        step = Step.FULL_AUTH;
        reply.send(PERFORM_FULL_AUTH);
        return Outcome.CONTINUE;
    }

    @Override
    public Outcome next(byte[] packet, Reply reply) {
        if (step != Step.FULL_AUTH) {
            return Outcome.REJECT;
        }
        Optional<byte[]> password;
        if (secure) {
            password = CachingSha2Password.clearTextPassword(packet);
        } else if (packet.length == 1 && packet[0] == CachingSha2Password.REQUEST_PUBLIC_KEY && !publicKeySent) {
            publicKeySent = true;
            byte[] pem = security.rsaPublicKeyPem().getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[1 + pem.length];
            out[0] = CachingSha2Password.AUTH_MORE_DATA;
            System.arraycopy(pem, 0, out, 1, pem.length);
            reply.send(out);
            return Outcome.CONTINUE;
        } else {
            password = CachingSha2Password.decryptPassword(packet, nonce, security.rsaKeys().getPrivate());
        }
        step = Step.DONE;
        if (password.isEmpty()) {
            return Outcome.REJECT;
        }
        byte[] pw = password.get();
        try {
            if (!account.credentials().verifyPassword(pw)) {
                return Outcome.REJECT;
            }
            cache.put(account.name(), CachingSha2Password.digest(pw));
            log.debug("caching_sha2_password: full auth for '{}' {}", account.name(), secure ? "over TLS" : "by RSA");
            return Outcome.ACCEPT;
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }
}
