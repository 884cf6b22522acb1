package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.core.auth.CachingSha2Password;
import dev.binlogrelay.core.auth.Credentials;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.auth.Pem;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.binlogrelay.server.downstream.ServerAuthMethod.Outcome.ACCEPT;
import static dev.binlogrelay.server.downstream.ServerAuthMethod.Outcome.CONTINUE;
import static dev.binlogrelay.server.downstream.ServerAuthMethod.Outcome.REJECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server side of caching_sha2_password and mysql_native_password, driven with the client-side functions. */
class CachingSha2LoginTest {
    private static final DownstreamSecurity SECURITY = DownstreamSecurity.plain();
    private static final byte[] FAST_OK = {1, 3};
    private static final byte[] FULL = {1, 4};

    private final byte[] nonce = NativePassword.newScramble();
    private final List<byte[]> sent = new ArrayList<>();
    private final ServerAuthMethod.Reply reply = sent::add;
    private final FastAuthCache cache = new FastAuthCache();

    private static UserAccount byPassword(String pw) {
        return new UserAccount("u", Credentials.ofPassword(pw), null, false);
    }

    private static UserAccount byHash(String pw) {
        return byHash("u", pw);
    }

    private static UserAccount byHash(String name, String pw) {
        return new UserAccount(name, Credentials.ofHashes(List.of(CachingSha2Hash.create(pw).format())), null, false);
    }

    private CachingSha2Login login(UserAccount a, boolean tls) {
        return new CachingSha2Login(a, nonce, cache, SECURITY, tls);
    }

    private static byte[] nul(String pw) {
        return (pw + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fastAuthWhenThePasswordIsInTheConfig() {
        assertEquals(ACCEPT, login(byPassword("pw"), false).start(CachingSha2Password.scramble("pw", nonce), reply));
        assertArrayEquals(FAST_OK, sent.get(0));
        CachingSha2Login wrong = login(byPassword("pw"), true);
        assertEquals(CONTINUE, wrong.start(CachingSha2Password.scramble("pW", nonce), reply),
                "a wrong scramble goes to full auth, as an unknown digest does (the same exchange for every account)");
        assertArrayEquals(new byte[]{CachingSha2Password.AUTH_MORE_DATA, CachingSha2Password.PERFORM_FULL_AUTH}, sent.get(1));
        assertEquals(REJECT, wrong.next(nul("pW"), reply), "and the wrong password is refused there");
    }

    @Test
    void fullAuthOverTlsThenFastAuthFromTheCache() {
        CachingSha2Login first = login(byHash("pw"), true);
        assertEquals(CONTINUE, first.start(CachingSha2Password.scramble("pw", nonce), reply));
        assertArrayEquals(FULL, sent.get(0));
        assertEquals(ACCEPT, first.next(nul("pw"), reply));
        assertTrue(cache.get("u").isPresent());
        // the next login takes the fast path, even over plain TCP
        assertEquals(ACCEPT, login(byHash("pw"), false).start(CachingSha2Password.scramble("pw", nonce), reply));
        assertArrayEquals(FAST_OK, sent.get(1));
    }

    @Test
    void fullAuthByRsaWithAndWithoutAKeyRequest() {
        CachingSha2Login l = login(byHash("pw"), false);
        assertEquals(CONTINUE, l.start(CachingSha2Password.scramble("pw", nonce), reply));
        assertEquals(CONTINUE, l.next(new byte[]{CachingSha2Password.REQUEST_PUBLIC_KEY}, reply));
        byte[] keyPacket = sent.get(1);
        assertEquals(CachingSha2Password.AUTH_MORE_DATA, keyPacket[0]);
        String pem = new String(keyPacket, 1, keyPacket.length - 1, StandardCharsets.US_ASCII);
        assertEquals(SECURITY.rsaKeys().getPublic(), Pem.publicKey(pem));
        assertEquals(ACCEPT, l.next(CachingSha2Password.encryptPassword("pw", nonce, Pem.publicKey(pem)), reply));

        CachingSha2Login direct = login(byHash("v", "other"), false);
        assertEquals(CONTINUE, direct.start(CachingSha2Password.scramble("other", nonce), reply));
        assertEquals(REJECT, direct.next(CachingSha2Password.encryptPassword("wrong", nonce, SECURITY.rsaKeys().getPublic()), reply));
    }

    @Test
    void plainTcpNeverTakesAClearTextPasswordAndOneKeyRequestIsAllowed() {
        CachingSha2Login l = login(byHash("pw"), false);
        l.start(CachingSha2Password.scramble("pw", nonce), reply);
        assertEquals(REJECT, l.next(nul("pw"), reply));
        CachingSha2Login twice = login(byHash("pw"), false);
        twice.start(CachingSha2Password.scramble("pw", nonce), reply);
        assertEquals(CONTINUE, twice.next(new byte[]{2}, reply));
        assertEquals(REJECT, twice.next(new byte[]{2}, reply));
    }

    @Test
    void wrongOrMalformedResponses() {
        assertEquals(REJECT, login(byPassword("pw"), false).start(new byte[0], reply), "empty response, non-empty password");
        assertEquals(ACCEPT, login(byPassword(""), false).start(new byte[0], reply), "the empty password");
        assertEquals(REJECT, login(byHash("pw"), false).start(new byte[31], reply));
        CachingSha2Login tls = login(byHash("pw"), true);
        tls.start(CachingSha2Password.scramble("pw", nonce), reply);
        assertEquals(REJECT, tls.next("pw".getBytes(StandardCharsets.UTF_8), reply), "no NUL");
        assertEquals(REJECT, tls.next(nul("pw"), reply), "the exchange is over");
        assertTrue(cache.get("u").isEmpty());
    }

    @Test
    void nativePassword() {
        UserAccount a = new UserAccount("u", Credentials.ofHashes(List.of(NativePassword.formatStoredHash(NativePassword.storedHash("pw")))),
                null, false);
        assertEquals(ACCEPT, new NativePasswordLogin(a, nonce).start(NativePassword.scramble("pw", nonce), reply));
        assertEquals(REJECT, new NativePasswordLogin(a, nonce).start(NativePassword.scramble("pw2", nonce), reply));
        assertEquals(REJECT, new NativePasswordLogin(byHash("pw"), nonce).start(NativePassword.scramble("pw", nonce), reply),
                "no native hash");
        assertTrue(sent.isEmpty());
    }

    @Test
    void pluginChoice() {
        var announcedNative = dev.binlogrelay.core.auth.AuthPlugin.MYSQL_NATIVE_PASSWORD;
        var sha2 = dev.binlogrelay.core.auth.AuthPlugin.CACHING_SHA2_PASSWORD;
        assertEquals(announcedNative, byPassword("pw").pluginFor(announcedNative));
        assertEquals(sha2, byPassword("pw").pluginFor(sha2));
        assertEquals(sha2, byHash("pw").pluginFor(announcedNative), "a caching_sha2 hash allows only caching_sha2");
        assertEquals(sha2, new UserAccount("u", Credentials.ofPassword("pw"), sha2, false).pluginFor(announcedNative));
    }
}
