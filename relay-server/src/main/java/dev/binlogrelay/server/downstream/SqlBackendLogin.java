package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.ClientAuthExchange;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.ClientLoginHandler;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The login of a session's connection to the SQL backend ({@link SqlBackendSession}), a one-shot handler that
 * removes itself once logged in. The same phases as the upstream login, without the upstream's extras (no
 * password proof of a self-signed certificate: with verify_ca / verify_identity the certificate must chain to
 * ssl_ca or the JVM's CAs; no configured RSA key: the relay asks the backend for it).
 *
 * <pre>
 * <- HandshakeV10
 * -> SSL request, then the TLS handshake       (ssl_mode other than disabled, and the backend offers TLS)
 * -> HandshakeResponse41 with the announced plugin's scramble (mysql_native_password for any other plugin)
 * <- OK | ERR | AuthSwitchRequest (-> the new plugin's scramble) | AuthMoreData (caching_sha2_password):
 *      0x01 0x03  fast auth succeeded, OK follows
 *      0x01 0x04  full auth: over TLS -> password NUL-terminated; else -> 0x02, <- 0x01 PEM, -> RSA-encrypted password
 * </pre>
 * The capabilities asked for are the upstream client's ({@link Capabilities#CLIENT_DEFAULT}): no
 * CLIENT_MULTI_STATEMENTS (one statement per forwarded query) and no CLIENT_DEPRECATE_EOF, like the relay's own
 * server side, so the backend's result sets have the framing the relay's clients negotiated.
 */
final class SqlBackendLogin extends ClientLoginHandler {
    private static final long MAX_PACKET = 1L << 30;
    private static final int CHARSET_UTF8MB4 = 45;

    private final SqlBackendSettings settings;
    private final Runnable onLoggedIn;
    private final Consumer<String> onFailed;
    private boolean secure;
    private AuthPlugin plugin;
    private byte[] nonce;
    private ClientAuthExchange auth;

    SqlBackendLogin(SqlBackendSettings settings, Runnable onLoggedIn, Consumer<String> onFailed) {
        super("the SQL backend");
        this.settings = settings;
        this.onLoggedIn = onLoggedIn;
        this.onFailed = onFailed;
    }

    @Override
    protected void onHandshake(ChannelHandlerContext ctx, ByteBuf packet) {
        if (ErrPacket.is(packet)) {
            fail(ctx, "it refused the connection: " + ErrPacket.decode(packet));
            return;
        }
        HandshakeV10 handshake = HandshakeV10.decode(packet);
        int caps = (Capabilities.CLIENT_DEFAULT & handshake.capabilities()) | Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION;
        plugin = AuthPlugin.byName(handshake.authPluginName()).orElse(AuthPlugin.MYSQL_NATIVE_PASSWORD);
        nonce = handshake.scramble();
        boolean offered = (handshake.capabilities() & Capabilities.SSL) != 0;
        if (settings.tls() == null || !offered) {
            if (settings.tlsRequired()) {
                fail(ctx, "TLS is required (ssl_mode) but the backend does not offer it");
                return;
            }
            sendResponse(ctx, caps);
            return;
        }
        int tlsCaps = caps | Capabilities.SSL;
        ctx.writeAndFlush(HandshakeResponse41.encodeSslRequest(ctx.alloc(), tlsCaps, MAX_PACKET, CHARSET_UTF8MB4));
        SslHandler tls = settings.tls().newHandler(ctx.alloc(), settings.host(), settings.port());
        ctx.pipeline().addFirst("tls", tls);
        phase = Phase.TLS_HANDSHAKE;
        tls.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                secure = true;
                sendResponse(ctx, tlsCaps);
            } else {
                fail(ctx, "TLS failed: " + f.cause().getMessage());
            }
        });
    }

    private void sendResponse(ChannelHandlerContext ctx, int caps) {
        auth = new ClientAuthExchange(settings.password(), plugin, nonce, secure, true, null);
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("_client_name", "binlog-relay");
        attrs.put("program_name", "binlog-relay sql_backend");
        ctx.writeAndFlush(new HandshakeResponse41(caps, MAX_PACKET, CHARSET_UTF8MB4, settings.user(), auth.firstResponse(), null,
                auth.plugin().protocolName(), attrs).encode(ctx.alloc()));
        phase = Phase.AUTH;
    }

    @Override
    protected void onAuth(ChannelHandlerContext ctx, ByteBuf packet) {
        if (ErrPacket.is(packet)) {
            fail(ctx, "login as '" + settings.user() + "' failed: " + ErrPacket.decode(packet));
        } else if (AuthSwitchRequest.is(packet) || auth.isMoreData(packet)) {
            byte[] reply;
            try {
                reply = AuthSwitchRequest.is(packet) ? auth.onSwitch(AuthSwitchRequest.decode(packet))
                        : auth.onMoreData(packet.skipBytes(1));
            } catch (ClientAuthExchange.Refused e) {
                fail(ctx, e.getMessage());
                return;
            }
            if (reply != null) {
                ctx.writeAndFlush(ctx.alloc().buffer(reply.length).writeBytes(reply));
            }
        } else if (OkPacket.is(packet)) {
            phase = Phase.DONE;
            ctx.pipeline().remove(this);
            onLoggedIn.run();
        } else {
            throw new ProtocolException("unexpected packet from the SQL backend during authentication");
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        onFailed.accept(reason);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "it closed the connection during login");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        fail(ctx, c.getClass().getSimpleName() + ": " + c.getMessage());
    }
}
