package dev.binlogrelay.core.auth;

import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

/**
 * The client's side of a login's authentication, from the handshake response to the server's OK: the scramble
 * for the plugin the server names, auth switches, and caching_sha2_password's extra round trips (fast auth; full
 * auth with the password over TLS, or RSA-encrypted with a configured key or the one the server sends on request).
 * Used by every login the relay makes as a client (to its primary, to its SQL backend). No sockets: each step
 * returns the payload to send, or null when the next packet is awaited.
 *
 * <p>Refusals are {@link Refused}, a sentence that calls the other side "the server" (the caller says which server
 * it is); a packet that breaks the exchange is a {@link ProtocolException}. Not thread-safe: one login.
 */
public final class ClientAuthExchange {
    /** The exchange cannot go on: the message says why. */
    public static class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Full authentication over TLS was asked for, but the caller said the password may not be sent there. */
    public static final class PasswordWithheld extends Refused {
        PasswordWithheld() {
            super("full authentication would send the password over a connection whose certificate is not verified");
        }
    }

    private final String password;
    private final boolean tls;
    private final boolean passwordMayGoOverTls;
    private final PublicKey serverKey;
    private AuthPlugin plugin;
    private byte[] nonce;
    private boolean awaitingPublicKey;

    /**
     * @param plugin               the plugin the server's handshake names (mysql_native_password if it names none)
     * @param nonce                the handshake's scramble
     * @param tls                  the connection is TLS
     * @param passwordMayGoOverTls false while the server's certificate is not verified yet (the password is then
     *                             never sent in the clear over that TLS: {@link PasswordWithheld})
     * @param serverKey            a configured RSA public key of the server, or null to ask the server for it
     */
    public ClientAuthExchange(String password, AuthPlugin plugin, byte[] nonce, boolean tls, boolean passwordMayGoOverTls,
                              PublicKey serverKey) {
        this.password = password == null ? "" : password;
        this.plugin = plugin;
        this.nonce = nonce;
        this.tls = tls;
        this.passwordMayGoOverTls = passwordMayGoOverTls;
        this.serverKey = serverKey;
    }

    public AuthPlugin plugin() {
        return plugin;
    }

    /** The scramble of the current plugin (the server's nonce after a switch). */
    public byte[] nonce() {
        return nonce;
    }

    /** The auth data of the handshake response. */
    public byte[] firstResponse() {
        return scramble();
    }

    /** The server switched plugins: the new plugin's scramble of the new nonce. */
    public byte[] onSwitch(AuthSwitchRequest request) {
        plugin = AuthPlugin.byName(request.pluginName()).orElseThrow(() -> new Refused(
                "the server asks for auth plugin " + request.pluginName() + ", which the relay does not support"));
        nonce = request.data();
        awaitingPublicKey = false;
        return scramble();
    }

    /** True if {@code packet} is caching_sha2_password's "more data" (0x01 …) for this exchange. */
    public boolean isMoreData(ByteBuf packet) {
        return plugin == AuthPlugin.CACHING_SHA2_PASSWORD && packet.isReadable()
                && packet.getUnsignedByte(packet.readerIndex()) == CachingSha2Password.AUTH_MORE_DATA;
    }

    /**
     * caching_sha2_password's more data, after its 0x01: the server's public key (when asked for), fast-auth
     * success (null: an OK follows) or a request for full authentication (the password over TLS, or encrypted).
     */
    public byte[] onMoreData(ByteBuf data) {
        if (awaitingPublicKey) {
            awaitingPublicKey = false;
            PublicKey key;
            try {
                key = Pem.publicKey(data.toString(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new Refused("the server's RSA public key cannot be read: " + e.getMessage());
            }
            return encryptedPassword(key);
        }
        if (data.readableBytes() != 1) {
            throw new ProtocolException("unexpected caching_sha2_password data of " + data.readableBytes() + " bytes");
        }
        int status = data.readUnsignedByte();
        if (status == CachingSha2Password.FAST_AUTH_SUCCESS) {
            return null;
        }
        if (status != CachingSha2Password.PERFORM_FULL_AUTH) {
            throw new ProtocolException(String.format("unexpected caching_sha2_password status 0x%02X", status));
        }
        if (tls) {
            if (!passwordMayGoOverTls) {
                throw new PasswordWithheld();
            }
            byte[] pw = password.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[pw.length + 1];
            System.arraycopy(pw, 0, out, 0, pw.length);
            return out;
        }
        if (serverKey != null) {
            return encryptedPassword(serverKey);
        }
        awaitingPublicKey = true;
        return new byte[] {(byte) CachingSha2Password.REQUEST_PUBLIC_KEY};
    }

    private byte[] encryptedPassword(PublicKey key) {
        try {
            return CachingSha2Password.encryptPassword(password, nonce, key);
        } catch (IllegalArgumentException e) {
            throw new Refused("the password cannot be encrypted with the server's RSA public key: " + e.getMessage());
        }
    }

    private byte[] scramble() {
        return plugin == AuthPlugin.CACHING_SHA2_PASSWORD
                ? CachingSha2Password.scramble(password, nonce)
                : NativePassword.scramble(password, nonce);
    }
}
