package dev.binlogrelay.server.downstream;

import dev.binlogrelay.server.memory.PendingWriteBudget;
import dev.binlogrelay.core.protocol.PacketDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Counts what one session's SQL backend connection makes the relay hold against the readers' global budget
 * ({@code downstream.max_pending_bytes}, {@link PendingWriteBudget}): every byte of an answer from when it is read
 * off the backend's socket (a packet still being received included) until the client's socket has taken it, or
 * until it is dropped. While the budget is spent the backend is not read; it is read on once there is room and the
 * client's socket buffer is under its high watermark.
 *
 * <p>Sits in the backend's pipeline in front of its packet decoder, counting from the end of the login on. Event
 * loop of the session only, except the write listeners and the budget's wake-up (both only release or reschedule).
 */
final class SqlBackendMemory extends ChannelInboundHandlerAdapter {
    private final PendingWriteBudget budget;
    private final Channel client;
    private final Runnable readOn;
    /** Bytes read off the backend and not yet handed to the client's socket nor dropped. */
    private long held;
    private boolean counting;

    /** @param readOn called on the session's event loop when the budget has room again after a pause */
    SqlBackendMemory(PendingWriteBudget budget, Channel client, Runnable readOn) {
        this.budget = budget;
        this.client = client;
        this.readOn = readOn;
    }

    /** The login is over: from now on what the backend sends is an answer, counted. */
    void startCounting() {
        counting = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (counting && msg instanceof ByteBuf bytes) {
            held += bytes.readableBytes();
            budget.reserve(bytes.readableBytes());
            if (!budget.hasRoom()) {
                pause(ctx.channel());
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** True while the backend may be read: the client keeps up and the budget has room. */
    boolean mayRead() {
        return client.isWritable() && budget.hasRoom();
    }

    /**
     * Stops reading the backend. A spent budget wakes it up once there is room; a full client socket buffer, once
     * it drains (the caller flushes after pausing, so that the drain's writability event comes after the pause).
     */
    void pause(Channel backend) {
        backend.config().setAutoRead(false);
        if (!budget.hasRoom()) {
            budget.whenRoom(() -> client.eventLoop().execute(readOn));
        }
    }

    /** Writes {@code packet} (the reference passes) to the client; its bytes stay counted until the socket takes them. */
    void relay(ByteBuf packet) {
        long bytes = wireSize(packet);
        held -= bytes;
        client.write(packet).addListener(f -> budget.release(bytes));
    }

    /** {@code packet} is not relayed (the caller releases it): its bytes no longer count. */
    void dropped(ByteBuf packet) {
        long bytes = wireSize(packet);
        held -= bytes;
        budget.release(bytes);
    }

    /** The backend connection is gone: what it had sent and was not relayed no longer counts. */
    void close() {
        counting = false;
        if (held > 0) {
            budget.release(held);
        }
        held = 0;
    }

    /** The bytes a packet took on the wire: its payload and a 4-byte header per 16 MiB chunk. */
    private static long wireSize(ByteBuf packet) {
        long payload = packet.readableBytes();
        return payload + 4 * (payload / PacketDecoder.MAX_CHUNK + 1);
    }
}
