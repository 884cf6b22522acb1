package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.PacketDecoder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The limits of the login phase, for one connection, in front of the {@link LoginHandler}:
 *
 * <pre>
 * connect      over downstream.max_connections                 -> ERR 1040 instead of the handshake, closed
 *              over downstream.max_unauthenticated_per_host    -> ERR 1040 instead of the handshake, closed
 * login phase  packets up to downstream.max_login_packet (the packet decoders are built with it)
 *              not logged in after downstream.connect_timeout  -> closed (as MariaDB does)
 * logged in    ({@link #loggedIn}) the timer stops, the host's unauthenticated slot is freed, the packet
 *              decoder takes packets up to downstream.max_packet, and this handler leaves the pipeline
 * </pre>
 * The connection counts against max_connections until it closes. Runs on the channel's event loop only.
 */
final class LoginGate extends ChannelInboundHandlerAdapter {
    private final DownstreamServer server;
    private String host;
    private boolean holdsHostSlot;
    private boolean loggedIn;
    private long postponedNanos;
    private ScheduledFuture<?> timer;

    LoginGate(DownstreamServer server) {
        this.server = server;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ConnectionCounts counts = server.connectionCounts();
        DownstreamLimits limits = server.limits();
        host = PeerHost.of(ctx.channel().remoteAddress());
        if (!counts.open()) {
            refuse(ctx, "max_connections", "Too many connections");
            return;
        }
        ctx.channel().closeFuture().addListener(f -> counts.closed());
        if (!counts.startLogin(host)) {
            refuse(ctx, "max_unauthenticated_per_host", "Too many connections from " + host
                    + " that have not logged in (downstream.max_unauthenticated_per_host is " + limits.maxUnauthenticatedPerHost() + ")");
            return;
        }
        holdsHostSlot = true;
        ctx.channel().closeFuture().addListener(f -> releaseHostSlot());
        timer = ctx.executor().schedule(() -> checkDeadline(ctx), limits.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void refuse(ChannelHandlerContext ctx, String limit, String message) {
        server.metrics().connectionRefused(limit);
        server.rejections().warn("refused connection from {}: {}", ctx.channel().remoteAddress(), message);
        ctx.writeAndFlush(new ErrPacket(ErrorCodes.ER_CON_COUNT_ERROR, ErrorCodes.STATE_CONNECTION, message).encode(ctx.alloc()))
                .addListener(f -> ctx.close());
    }

    private void checkDeadline(ChannelHandlerContext ctx) {
        if (loggedIn || !ctx.channel().isActive()) {
            return;
        }
        if (postponedNanos > 0) {
            long more = postponedNanos;
            postponedNanos = 0;
            timer = ctx.executor().schedule(() -> checkDeadline(ctx), more, TimeUnit.NANOSECONDS);
            return;
        }
        server.metrics().connectionRefused("connect_timeout");
        server.rejections().warn("closing {}: not logged in within downstream.connect_timeout ({} ms)",
                ctx.channel().remoteAddress(), server.limits().connectTimeout().toMillis());
        ctx.close();
    }

    /** Gives the login more time (while its answer is held back by {@link AuthThrottle}). */
    void postpone(long nanos) {
        postponedNanos += nanos;
    }

    private void releaseHostSlot() {
        if (holdsHostSlot) {
            holdsHostSlot = false;
            server.connectionCounts().endLogin(host);
        }
    }

    private void onLoggedIn(ChannelHandlerContext ctx) {
        loggedIn = true;
        if (timer != null) {
            timer.cancel(false);
        }
        releaseHostSlot();
        server.authThrottle().success(host);
        ChannelPipeline p = ctx.pipeline();
        PacketDecoder decoder = DownstreamServer.packetDecoder(p);
        if (decoder != null) {
            decoder.maxPayload(server.maxPacket());
        }
        p.remove(this);
    }

    /** The connection has logged in: called by the session that replaces the login handler. */
    static void loggedIn(ChannelPipeline pipeline) {
        ChannelHandler gate = pipeline.get(LoginGate.class);
        if (gate != null) {
            ((LoginGate) gate).onLoggedIn(pipeline.context(gate));
        }
    }

    /** The gate of a connection still logging in, or null. */
    static LoginGate of(ChannelPipeline pipeline) {
        return pipeline.get(LoginGate.class);
    }
}
