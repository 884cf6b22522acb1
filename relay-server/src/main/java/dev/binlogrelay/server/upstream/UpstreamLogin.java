package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.ClientAuthExchange;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.auth.TlsPasswordProof;
import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.flavor.UnsupportedFlavorException;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.ClientLoginHandler;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The login to the primary, a one-shot handler: once logged in it replaces itself with an
 * {@link UpstreamConnection}.
 *
 * <pre>
 * <- HandshakeV10
 * -> SSL request, then the TLS handshake       (ssl_mode other than disabled, and the primary offers TLS)
 * -> HandshakeResponse41 with the announced plugin's scramble (mysql_native_password for any other plugin)
 * <- OK | ERR | AuthSwitchRequest (-> the new plugin's scramble) | AuthMoreData (caching_sha2_password):
 *      0x01 0x03  fast auth succeeded, OK follows
 *      0x01 0x04  full auth: over TLS -> password NUL-terminated; else -> RSA-encrypted password, with
 *                 upstream.server_public_key or after asking for the key (-> 0x02, <- 0x01 PEM)
 * </pre>
 */
final class UpstreamLogin extends ClientLoginHandler {
    private static final Logger log = LoggerFactory.getLogger(UpstreamLogin.class);
    /** max_packet_size the relay announces (MariaDB's max_allowed_packet ceiling). */
    private static final long MAX_PACKET = 1L << 30;
    private static final int CHARSET_UTF8MB4 = 45;

    private final UpstreamSettings settings;
    private final BinlogIngester ingester;
    private final PacketSequence sequence;
    private final UpstreamClient.Listener listener;
    private HandshakeV10 handshake;
    private boolean secure;
    private ClientAuthExchange auth;
    /** The fingerprint of a certificate the trust store did not accept, to be proven at the OK; null if none. */
    private byte[] certificateInDoubt;

    UpstreamLogin(UpstreamSettings settings, BinlogIngester ingester, PacketSequence sequence, UpstreamClient.Listener listener) {
        super("the primary");
        this.settings = settings;
        this.ingester = ingester;
        this.sequence = sequence;
        this.listener = listener;
    }

    @Override
    protected void onHandshake(ChannelHandlerContext ctx, ByteBuf packet) {
        if (ErrPacket.is(packet)) {
            throw new UpstreamException("primary refused the connection: " + ErrPacket.decode(packet));
        }
        handshake = HandshakeV10.decode(packet);
        int caps = Capabilities.CLIENT_DEFAULT & handshake.capabilities();
        caps |= Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION;
        SslMode mode = settings.security().sslMode();
        boolean offered = (handshake.capabilities() & Capabilities.SSL) != 0;
        if (mode == SslMode.DISABLED || !offered) {
            if (mode != SslMode.DISABLED && mode != SslMode.PREFERRED) {
                throw new UpstreamException("upstream.ssl_mode is " + mode + " but " + settings.host() + ":" + settings.port()
                        + " does not offer TLS");
            }
            sendResponse(ctx, caps);
            return;
        }
        int tlsCaps = caps | Capabilities.SSL;
        ctx.writeAndFlush(HandshakeResponse41.encodeSslRequest(ctx.alloc(), tlsCaps, MAX_PACKET, CHARSET_UTF8MB4));
        SslHandler tls = settings.security().tls().newHandler(ctx.alloc(), settings.host(), settings.port());
        ctx.pipeline().addFirst("tls", tls);
        phase = Phase.TLS_HANDSHAKE;
        tls.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                secure = true;
                if (tls.engine().getSession().getValue(PasswordProvableTrustManager.IN_DOUBT) instanceof byte[] fp) {
                    certificateInDoubt = fp;
                }
                sendResponse(ctx, tlsCaps);
            } else if (phase != Phase.DONE) {
                exceptionCaught(ctx, f.cause());
            }
        });
    }

    private void sendResponse(ChannelHandlerContext ctx, int caps) {
        auth = new ClientAuthExchange(settings.password(),
                AuthPlugin.byName(handshake.authPluginName()).orElse(AuthPlugin.MYSQL_NATIVE_PASSWORD), handshake.scramble(),
                secure, certificateInDoubt == null, settings.security().serverPublicKey());
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("_client_name", "binlog-relay");
        attrs.put("program_name", "binlog-relay");
        HandshakeResponse41 response = new HandshakeResponse41(caps, MAX_PACKET, CHARSET_UTF8MB4, settings.user(),
                auth.firstResponse(), null, auth.plugin().protocolName(), attrs);
        ctx.writeAndFlush(response.encode(ctx.alloc()));
        phase = Phase.AUTH;
    }

    @Override
    protected void onAuth(ChannelHandlerContext ctx, ByteBuf packet) {
        if (ErrPacket.is(packet)) {
            ErrPacket err = ErrPacket.decode(packet);
            throw new UpstreamException("login to " + settings.host() + ":" + settings.port() + " as '" + settings.user()
                    + "' failed: " + err);
        }
        try {
            if (AuthSwitchRequest.is(packet)) {
                ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(auth.onSwitch(AuthSwitchRequest.decode(packet))));
                return;
            }
            if (auth.isMoreData(packet)) {
                byte[] reply = auth.onMoreData(packet.skipBytes(1));
                if (reply != null) {
                    ctx.writeAndFlush(ctx.alloc().buffer(reply.length).writeBytes(reply));
                }
                return;
            }
        } catch (ClientAuthExchange.PasswordWithheld e) {
            throw new UpstreamException("the certificate of " + settings.host() + ":" + settings.port() + " is not signed by"
                    + " a CA the relay trusts, and caching_sha2_password would send the password over that connection;"
                    + " give upstream.ssl_ca (the primary's CA or certificate), or use mysql_native_password for the"
                    + " relay's user so the primary can prove its certificate with the password");
        } catch (ClientAuthExchange.Refused e) {
            throw new UpstreamException("login to " + settings.host() + ":" + settings.port() + ": " + e.getMessage());
        }
        if (OkPacket.is(packet)) {
            if (certificateInDoubt != null) {
                checkCertificateProof(packet);
            }
            Flavor flavor = Flavor.fromVersion(handshake.serverVersion());
            log.info("logged in to {}:{} ({}, {}, {}{})", settings.host(), settings.port(), handshake.serverVersion(),
                    flavor.name(), auth.plugin(), secure ? ", TLS" : "");
            phase = Phase.DONE;
            ctx.pipeline().replace(this, UpstreamClient.SESSION, new UpstreamConnection(settings, ingester, sequence, listener, flavor));
            return;
        }
        throw new ProtocolException("unexpected packet during authentication: " + ByteBufUtil.hexDump(packet, packet.readerIndex(), Math.min(16, packet.readableBytes())));
    }

    /**
     * The certificate was in doubt (see {@link PasswordProvableTrustManager}): the OK's info must prove it. MariaDB
     * writes the info length-encoded; the proof is 0x01 and 64 hex digits.
     */
    private void checkCertificateProof(ByteBuf ok) {
        String where = settings.host() + ":" + settings.port();
        if (auth.plugin() != AuthPlugin.MYSQL_NATIVE_PASSWORD || settings.password() == null || settings.password().isEmpty()) {
            throw new UpstreamException("the certificate of " + where + " is not signed by a CA the relay trusts and cannot"
                    + " be proven with " + auth.plugin() + (settings.password() == null || settings.password().isEmpty()
                    ? " and an empty password" : "") + "; give upstream.ssl_ca (the primary's CA or certificate)");
        }
        ByteBuf in = ok.duplicate();
        in.skipBytes(1);
        dev.binlogrelay.core.protocol.Wire.readLenencInt(in);
        dev.binlogrelay.core.protocol.Wire.readLenencInt(in);
        byte[] info = new byte[0];
        if (in.readableBytes() >= 4) {
            in.skipBytes(4);
            if (in.isReadable()) {
                long len = dev.binlogrelay.core.protocol.Wire.readLenencInt(in);
                if (len >= 0 && len <= in.readableBytes()) {
                    info = new byte[(int) len];
                    in.readBytes(info);
                }
            }
        }
        byte[] scramble = java.util.Arrays.copyOf(auth.nonce(), Math.min(20, auth.nonce().length));
        if (!TlsPasswordProof.verifies(info, NativePassword.storedHash(settings.password()), scramble, certificateInDoubt)) {
            throw new UpstreamException("the certificate of " + where + " is not signed by a CA the relay trusts, and the"
                    + " primary did not prove it with the password (ssl_mode " + settings.security().sslMode()
                    + "): refusing the connection; give upstream.ssl_ca, or check for a man in the middle");
        }
        log.info("{}: its self-signed certificate was proven with the password (MariaDB zero-configuration SSL)", where);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // logged by UpstreamClient, once per change of reason
            phase = Phase.DONE;
            listener.onError(new UpstreamException("no answer from the primary during login"));
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (phase == Phase.DONE) {
            ctx.close(); // already reported (a failed TLS handshake is seen twice)
            return;
        }
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof SSLException) {
            c = new UpstreamException("TLS with " + settings.host() + ":" + settings.port() + " (ssl_mode "
                    + settings.security().sslMode() + ") failed: " + c.getMessage());
        }
        if (c instanceof java.io.IOException) {
            c = new UpstreamException("connection lost during login: " + c.getMessage());
        }
        // logged by UpstreamClient, once per change of reason
        log.debug("upstream {}:{} login failed", settings.host(), settings.port(), c);
        phase = Phase.DONE;
        listener.onError(c);
        ctx.close();
    }
}
