package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

/**
 * The frame of a login the relay makes as a client (to its primary, to its SQL backend): each packet from the
 * server goes to the phase that expects it, the handshake and then authentication; a packet while TLS is being
 * set up or after the login is a protocol error. Every packet is released once its phase has handled it.
 * Subclasses hold the exchange itself (see {@link dev.binlogrelay.core.auth.ClientAuthExchange}).
 */
public abstract class ClientLoginHandler extends SimpleChannelInboundHandler<ByteBuf> {
    /** Where the login stands. */
    protected enum Phase { HANDSHAKE, TLS_HANDSHAKE, AUTH, DONE }

    private final String server;
    protected Phase phase = Phase.HANDSHAKE;

    /** @param server how errors name the server ("the primary") */
    protected ClientLoginHandler(String server) {
        super(false);
        this.server = server;
    }

    @Override
    protected final void channelRead0(ChannelHandlerContext ctx, ByteBuf packet) {
        try {
            switch (phase) {
                case HANDSHAKE -> onHandshake(ctx, packet);
                case AUTH -> onAuth(ctx, packet);
                case TLS_HANDSHAKE, DONE -> throw new ProtocolException("unexpected packet from " + server + " during login");
            }
        } finally {
            packet.release();
        }
    }

    /** The server's initial handshake (or its ERR). */
    protected abstract void onHandshake(ChannelHandlerContext ctx, ByteBuf packet);

    /** A packet after the handshake response: OK, ERR, an auth switch or more auth data. */
    protected abstract void onAuth(ChannelHandlerContext ctx, ByteBuf packet);
}
