package dev.binlogrelay.core.auth;

import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's side of authentication, checked against the server side's own verification code. */
class ClientAuthExchangeTest {
    private static final byte[] NONCE = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_NONCE = "jihgfedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    private static ClientAuthExchange exchange(AuthPlugin plugin, boolean tls, boolean mayGoOverTls, KeyPair key) {
        return new ClientAuthExchange("secret", plugin, NONCE.clone(), tls, mayGoOverTls, key == null ? null : key.getPublic());
    }

    private static io.netty.buffer.ByteBuf status(int status) {
        return Unpooled.wrappedBuffer(new byte[] {(byte) status});
    }

    @Test
    void nativeScrambleIsWhatTheServerVerifies() {
        ClientAuthExchange auth = exchange(AuthPlugin.MYSQL_NATIVE_PASSWORD, false, true, null);
        assertTrue(NativePassword.verify(NativePassword.storedHash("secret"), NONCE, auth.firstResponse()));
    }

    @Test
    void anAuthSwitchScramblesTheNewNonceWithTheNewPlugin() {
        ClientAuthExchange auth = exchange(AuthPlugin.MYSQL_NATIVE_PASSWORD, false, true, null);
        byte[] reply = auth.onSwitch(new AuthSwitchRequest(CachingSha2Password.PLUGIN, OTHER_NONCE));
        assertEquals(AuthPlugin.CACHING_SHA2_PASSWORD, auth.plugin());
        assertArrayEquals(OTHER_NONCE, auth.nonce());
        assertTrue(CachingSha2Password.verifyScramble(CachingSha2Password.digest("secret"), OTHER_NONCE, reply));
        ClientAuthExchange.Refused refused = assertThrows(ClientAuthExchange.Refused.class,
                () -> auth.onSwitch(new AuthSwitchRequest("dialog", NONCE)));
        assertTrue(refused.getMessage().contains("dialog"), refused.getMessage());
    }

    @Test
    void fastAuthSuccessSendsNothing() {
        ClientAuthExchange auth = exchange(AuthPlugin.CACHING_SHA2_PASSWORD, false, true, null);
        assertTrue(auth.isMoreData(Unpooled.wrappedBuffer(new byte[] {1, 3})));
        assertNull(auth.onMoreData(status(CachingSha2Password.FAST_AUTH_SUCCESS)));
    }

    @Test
    void fullAuthOverTlsSendsThePasswordNulTerminatedUnlessItIsWithheld() {
        byte[] reply = exchange(AuthPlugin.CACHING_SHA2_PASSWORD, true, true, null)
                .onMoreData(status(CachingSha2Password.PERFORM_FULL_AUTH));
        assertArrayEquals("secret\0".getBytes(StandardCharsets.UTF_8), reply);
        assertThrows(ClientAuthExchange.PasswordWithheld.class, () -> exchange(AuthPlugin.CACHING_SHA2_PASSWORD, true, false, null)
                .onMoreData(status(CachingSha2Password.PERFORM_FULL_AUTH)));
    }

    @Test
    void fullAuthOverPlainTcpEncryptsWithTheConfiguredKeyOrAsksForOne() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair pair = gen.generateKeyPair();
        byte[] encrypted = exchange(AuthPlugin.CACHING_SHA2_PASSWORD, false, true, pair)
                .onMoreData(status(CachingSha2Password.PERFORM_FULL_AUTH));
        assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8),
                CachingSha2Password.decryptPassword(encrypted, NONCE, pair.getPrivate()).orElseThrow());

        ClientAuthExchange asking = exchange(AuthPlugin.CACHING_SHA2_PASSWORD, false, true, null);
        assertArrayEquals(new byte[] {(byte) CachingSha2Password.REQUEST_PUBLIC_KEY},
                asking.onMoreData(status(CachingSha2Password.PERFORM_FULL_AUTH)));
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        byte[] afterKey = asking.onMoreData(Unpooled.copiedBuffer(pem, StandardCharsets.US_ASCII));
        assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8),
                CachingSha2Password.decryptPassword(afterKey, NONCE, pair.getPrivate()).orElseThrow());
    }

    @Test
    void aBrokenExchangeIsRefusedOrAProtocolError() {
        ClientAuthExchange auth = exchange(AuthPlugin.CACHING_SHA2_PASSWORD, false, true, null);
        assertThrows(ProtocolException.class, () -> auth.onMoreData(status(0x7F)));
        assertThrows(ProtocolException.class, () -> auth.onMoreData(Unpooled.wrappedBuffer(new byte[] {3, 3})));
        auth.onMoreData(status(CachingSha2Password.PERFORM_FULL_AUTH));
        ClientAuthExchange.Refused refused = assertThrows(ClientAuthExchange.Refused.class,
                () -> auth.onMoreData(Unpooled.copiedBuffer("not a key", StandardCharsets.US_ASCII)));
        assertTrue(refused.getMessage().contains("RSA public key"), refused.getMessage());
        assertTrue(!exchange(AuthPlugin.MYSQL_NATIVE_PASSWORD, false, true, null).isMoreData(Unpooled.wrappedBuffer(new byte[] {1, 3})),
                "more data belongs to caching_sha2_password only");
    }
}
