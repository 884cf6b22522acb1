package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.auth.TlsPasswordProof;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.ServerStatus;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The login phase of one downstream connection, a one-shot handler: it replaces itself with a
 * {@link ClientSession} once the client is authenticated.
 *
 * <pre>
 * -> HandshakeV10 (scramble, the announced plugin; CLIENT_SSL when TLS is configured)
 * <- SSL request (32 bytes)       an SslHandler goes in front of the packet decoder; sequence ids continue
 * <- HandshakeResponse41          malformed -> ERR 1043; an unknown user goes on like a known one with a
 *                                 wrong password (checked against decoy credentials), ending in ERR 1045
 *    offered plugin == the user's plugin -> the method starts with the response's auth data (unless the
 *                                           response is an empty dummy for a plugin that was not announced)
 *    otherwise                           -> AuthSwitchRequest(user's plugin, same scramble)
 * <- auth switch response         the method starts with it
 * <-> method exchange             (caching_sha2_password: 0x01 0x03 / 0x01 0x04, public key request, ...)
 * -> OK                           or ERR 1045 for a wrong password, or a require_tls user over plain TCP;
 *                                 over TLS its info proves the certificate with the password hash (TlsPasswordProof)
 *                                 (after a delay for a host with repeated failures: AuthThrottle)
 * </pre>
 */
final class LoginHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(LoginHandler.class);

    private enum State { RESPONSE, AUTH_SWITCH, EXCHANGE, DONE }

    private final DownstreamServer server;
    private final PacketSequence sequence;
    private final long connectionId;
    private final byte[] scramble = NativePassword.newScramble();
    private State state = State.RESPONSE;
    private AuthPlugin announced;
    private boolean secure;
    private String user;
    /** The database the client's handshake response names (CLIENT_CONNECT_WITH_DB), or null: the SQL backend's default. */
    private String loginDatabase;
    /** The capabilities of the client's handshake response (CLIENT_IGNORE_SPACE starts the session's sql_mode). */
    private int clientCapabilities;
    /** The collation id of the client's handshake response: the session's character set variables. */
    private int clientCharset;
    private UserAccount account;
    private boolean passwordGiven;
    private boolean knownUser;
    private ServerAuthMethod method;

    LoginHandler(DownstreamServer server, PacketSequence sequence, long connectionId) {
        super(false);
        this.server = server;
        this.sequence = sequence;
        this.connectionId = connectionId;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        String version = server.handshakeVersion();
        announced = server.announcedPlugin();
        int caps = Capabilities.SERVER_DEFAULT | (server.security().tls() != null ? Capabilities.SSL : 0);
        HandshakeV10 hs = new HandshakeV10(version, connectionId, scramble, caps, 45, ServerStatus.AUTOCOMMIT,
                announced.protocolName());
        ctx.writeAndFlush(hs.encode(ctx.alloc()));
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf packet) {
        try {
            switch (state) {
                case RESPONSE -> onHandshakeResponse(ctx, packet);
                case AUTH_SWITCH -> startMethod(ctx, Wire.readFixedBytes(packet, packet.readableBytes(), "auth switch response"));
                case EXCHANGE -> decide(ctx, method.next(Wire.readFixedBytes(packet, packet.readableBytes(), "auth data"), reply(ctx)));
                case DONE -> throw new ProtocolException("packet after the login was decided");
            }
        } finally {
            packet.release();
        }
    }

    private void onHandshakeResponse(ChannelHandlerContext ctx, ByteBuf packet) {
        if (HandshakeResponse41.isSslRequest(packet)) {
            startTls(ctx);
            return;
        }
        HandshakeResponse41 response = decodeResponse(packet);
        user = response.user();
        clientCapabilities = response.capabilities();
        clientCharset = response.characterSet();
        loginDatabase = response.database();
        passwordGiven = response.authResponse().length > 0;
        Optional<UserAccount> found = server.users().account(user);
        // an unknown user goes through the same exchange as a known one (auth switch, scramble, then 1045), checked
        // against credentials nobody has, so that neither the answers nor their timing tell which names exist
        knownUser = found.isPresent();
        account = found.orElseGet(() -> new UserAccount(user, server.decoyCredentials(), null, false));
        AuthPlugin plugin = account.pluginFor(announced);
        String offered = response.authPluginName();
        if (offered == null || offered.isEmpty()) {
            offered = NativePassword.PLUGIN; // a client without CLIENT_PLUGIN_AUTH scrambles the native way
        }
        method = plugin == AuthPlugin.CACHING_SHA2_PASSWORD
                ? new CachingSha2Login(account, scramble, server.fastAuthCache(), server.security(), secure)
                : new NativePasswordLogin(account, scramble);
        boolean pluginAuth = (response.capabilities() & Capabilities.PLUGIN_AUTH) != 0;
        // a client offering the user's plugin is taken at its word, as MySQL does, except when it offered a
        // plugin other than the announced one and sent nothing: libmysql/libmariadb then had no data for their
        // plugin and sent a dummy response to get an auth switch with the scramble
        boolean madeForUs = plugin == announced || response.authResponse().length > 0 || !pluginAuth;
        if (plugin.protocolName().equals(offered) && madeForUs) {
            startMethod(ctx, response.authResponse());
        } else if (!pluginAuth) {
            afterThrottle(ctx, () -> deny(ctx, "the client cannot switch to " + plugin));
        } else {
            state = State.AUTH_SWITCH;
            log.debug("{} offered auth plugin {}; switching it to {}", ctx.channel().remoteAddress(), PeerText.name(offered), plugin);
            ctx.writeAndFlush(new AuthSwitchRequest(plugin.protocolName(), scramble).encode(ctx.alloc()));
        }
    }

    /** The handshake response; whatever is wrong with it is the client's error, answered with ERR 1043 Bad handshake. */
    private static HandshakeResponse41 decodeResponse(ByteBuf packet) {
        try {
            return HandshakeResponse41.decode(packet);
        } catch (ProtocolException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new BadHandshakeException(e.getMessage());
        }
    }

    /** A malformed handshake response. */
    private static final class BadHandshakeException extends ProtocolException {
        BadHandshakeException(String message) {
            super(message);
        }
    }

    /**
     * Puts an SslHandler in front of the packet decoder. The decoder is replaced rather than kept: when
     * removed, it hands the bytes it already holds (the start of the client's TLS handshake, if it arrived
     * in the same read as the SSL request) to the SslHandler.
     */
    private void startTls(ChannelHandlerContext ctx) {
        if (server.security().tls() == null) {
            refuse(ctx, ErrorCodes.ER_NOT_SUPPORTED_YET, ErrorCodes.STATE_GENERAL, "TLS is not enabled on this relay");
            return;
        }
        if (secure) {
            throw new ProtocolException("a second SSL request");
        }
        secure = true;
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(DownstreamServer.DECODER, DownstreamServer.TLS, server.security().tls().newHandler(ctx.alloc()));
        p.addAfter(DownstreamServer.TLS, DownstreamServer.TLS_DECODER, new PacketDecoder(sequence, server.limits().maxLoginPacket()));
        p.remove(DownstreamServer.DECODER);
    }

    private void startMethod(ChannelHandlerContext ctx, byte[] response) {
        passwordGiven = passwordGiven || response.length > 0;
        decide(ctx, method.start(response, reply(ctx)));
    }

    private ServerAuthMethod.Reply reply(ChannelHandlerContext ctx) {
        return payload -> ctx.writeAndFlush(ctx.alloc().buffer(payload.length).writeBytes(payload));
    }

    private void decide(ChannelHandlerContext ctx, ServerAuthMethod.Outcome outcome) {
        switch (outcome) {
            case CONTINUE -> state = State.EXCHANGE;
            case REJECT -> afterThrottle(ctx, () -> deny(ctx, knownUser ? "wrong password" : "unknown user"));
            case ACCEPT -> afterThrottle(ctx, () -> accept(ctx));
        }
    }

    /**
     * Runs the answer to a login now, or, for a host with repeated failures ({@link AuthThrottle}), after a delay
     * (the same for success and failure); the connection takes no packets meanwhile.
     */
    private void afterThrottle(ChannelHandlerContext ctx, Runnable answer) {
        long delay = server.authThrottle().delayNanos(PeerHost.of(ctx.channel().remoteAddress()));
        if (delay <= 0) {
            answer.run();
            return;
        }
        state = State.DONE;
        server.metrics().authDelayed();
        LoginGate gate = LoginGate.of(ctx.pipeline());
        if (gate != null) {
            gate.postpone(delay);
        }
        ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                answer.run();
            }
        }, delay, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private void accept(ChannelHandlerContext ctx) {
        if (account.requireTls() && !secure) {
            state = State.DONE;
            server.rejections().warn("access denied for '{}' from {}: the user requires TLS", PeerText.name(user),
                    ctx.channel().remoteAddress());
            server.metrics().authFailure();
            server.authThrottle().failure(PeerHost.of(ctx.channel().remoteAddress()));
            refuse(ctx, ErrorCodes.ER_ACCESS_DENIED, ErrorCodes.STATE_ACCESS_DENIED, String.format(
                    "Access denied for user '%s'@'%s' (using password: YES): the account requires TLS (connect with SSL)",
                    PeerText.name(user), host(ctx)));
            return;
        }
        state = State.DONE;
        log.debug("'{}' logged in from {}{}", PeerText.name(user), ctx.channel().remoteAddress(), secure ? " over TLS" : "");
        ctx.writeAndFlush(new OkPacket(0, 0, ServerStatus.AUTOCOMMIT, 0, certificateProof()).encodeWithLenencInfo(ctx.alloc()));
        sequence.reset();
        ClientSession session = new ClientSession(server, sequence, DownstreamServer.packetDecoder(ctx.pipeline()), connectionId,
                user, host(ctx), clientCapabilities);
        session.loginDatabase(loginDatabase);
        session.handshakeCharset(clientCharset);
        ctx.pipeline().replace(this, DownstreamServer.SESSION, session);
    }

    /**
     * Over TLS, the proof that this relay knows the user's password hash and holds the certificate the client saw,
     * so that a MariaDB 11.4+ client verifying a certificate nobody signed accepts it (zero-configuration SSL); empty
     * otherwise. Sent whatever the client asked, as MariaDB does: clients that do not check it ignore the info.
     */
    private String certificateProof() {
        byte[] fingerprint = secure ? server.security().tlsFingerprint() : null;
        if (fingerprint == null) {
            return "";
        }
        return method.certificateProofHash().map(hash -> TlsPasswordProof.okInfo(hash, scramble, fingerprint)).orElse("");
    }

    private void deny(ChannelHandlerContext ctx, String why) {
        state = State.DONE;
        server.rejections().warn("access denied for '{}' from {}{}: {}", PeerText.name(user), ctx.channel().remoteAddress(),
                secure ? " (TLS)" : "", why);
        server.metrics().authFailure();
        server.authThrottle().failure(PeerHost.of(ctx.channel().remoteAddress()));
        refuse(ctx, ErrorCodes.ER_ACCESS_DENIED, ErrorCodes.STATE_ACCESS_DENIED, String.format(
                "Access denied for user '%s'@'%s' (using password: %s)", PeerText.name(user), host(ctx), passwordGiven ? "YES" : "NO"));
    }

    private void refuse(ChannelHandlerContext ctx, int code, String sqlState, String message) {
        ctx.writeAndFlush(new ErrPacket(code, sqlState, message).encode(ctx.alloc())).addListener(f -> ctx.close());
    }

    static String host(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "localhost";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException) {
            boolean badHandshake = c instanceof BadHandshakeException;
            server.rejections().warn("closing {} during login{}: {}{}", ctx.channel().remoteAddress(),
                    user == null ? "" : " (user '" + PeerText.name(user) + "')", badHandshake ? "bad handshake response: " : "", PeerText.text(c.getMessage()));
            server.metrics().protocolError();
            if (state == State.DONE) {
                ctx.close(); // the answer went out already (or is held back)
                return;
            }
            state = State.DONE;
            ErrPacket err = badHandshake ? new ErrPacket(ErrorCodes.ER_HANDSHAKE_ERROR, ErrorCodes.STATE_COMMAND, "Bad handshake")
                    : new ErrPacket(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, ErrorCodes.STATE_COMMAND,
                    "Malformed packet: " + PeerText.text(c.getMessage()));
            ctx.writeAndFlush(err.encode(ctx.alloc())).addListener(f -> ctx.close());
            return;
        }
        if (c instanceof SSLException) {
            server.rejections().warn("TLS with {} failed: {}", ctx.channel().remoteAddress(), PeerText.text(c.getMessage()));
        } else if (c instanceof java.io.IOException) {
            log.debug("connection {} failed during login: {}", ctx.channel().remoteAddress(), c.getMessage());
        } else {
            log.error("closing {} after an internal error during login", ctx.channel().remoteAddress(), c);
        }
        ctx.close();
    }
}
