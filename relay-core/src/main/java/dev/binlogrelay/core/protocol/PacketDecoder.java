package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Frames MySQL packets and joins the 16 MiB chunks of a large one into a single payload.
 *
 * <pre>
 * packet: payload_length (3, LE) | sequence_id (1) | payload (payload_length bytes)
 * a payload of 0xFFFFFF bytes means "more follows"; the logical packet ends with the first chunk shorter
 * than 0xFFFFFF (possibly empty, when the total is an exact multiple of 0xFFFFFF)
 * </pre>
 *
 * Emits one {@link ByteBuf} per logical packet (the receiver releases it), one per {@code decode} call. Sequence ids are checked against
 * the connection's {@link PacketSequence}. A logical packet larger than {@code maxPayload} or a wrong sequence
 * id raises {@link ProtocolException}; the decoder then discards everything else it receives. The limit is checked
 * against the length in the header, before the payload arrives, so a peer announcing a large packet and sending
 * it slowly holds no more than the limit.
 *
 * <p>A server that answers a command asynchronously {@link #pause() pauses} the decoder: the bytes of commands the
 * client pipelined behind it stay undecoded (their sequence ids are judged only once the answer has reset the
 * sequence) until {@link #resume()}. Whoever pauses also turns the channel's autoRead off, which bounds what
 * accumulates meanwhile to one read.
 */
public final class PacketDecoder extends ByteToMessageDecoder {
    public static final int MAX_CHUNK = 0xFFFFFF;
    private static final int HEADER = 4;

    private final PacketSequence sequence;
    private long maxPayload;
    private CompositeByteBuf pending;
    private long pendingBytes;
    private boolean broken;
    private boolean paused;
    private ChannelHandlerContext context;

    public PacketDecoder(PacketSequence sequence, long maxPayload) {
        this.sequence = sequence;
        this.maxPayload = maxPayload;
    }

    /**
     * Changes the size limit for the packets still to come (a server raises it once the client has logged in:
     * before that a handshake response needs a few KiB). The check also applies to a packet already partly
     * received.
     */
    public void maxPayload(long maxPayload) {
        this.maxPayload = maxPayload;
    }

    /** Decodes nothing more until {@link #resume()}; the packet being handled now is not affected. */
    public void pause() {
        paused = true;
    }

    /** Decodes, on the channel's event loop and in order, what arrived while paused; then goes on as usual. */
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (context == null || context.isRemoved()) {
            return;
        }
        try {
            channelRead(context, Unpooled.EMPTY_BUFFER);
        } catch (Exception e) {
            context.fireExceptionCaught(e);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (paused) {
            return;
        }
        while (in.readableBytes() >= HEADER) {
            int start = in.readerIndex();
            int length = in.getUnsignedMediumLE(start);
            int seq = in.getUnsignedByte(start + 3);
            if (in.readableBytes() < HEADER + length) {
                if (pendingBytes + length > maxPayload) {
                    fail(in, "packet of at least " + (pendingBytes + length) + " bytes exceeds the limit of " + maxPayload);
                }
                return;
            }
            if (pendingBytes + length > maxPayload) {
                fail(in, "packet of at least " + (pendingBytes + length) + " bytes exceeds the limit of " + maxPayload);
            }
            try {
                sequence.accept(seq);
            } catch (ProtocolException e) {
                fail(in, e.getMessage());
            }
            in.skipBytes(HEADER);
            ByteBuf chunk = in.readRetainedSlice(length);
            if (length == MAX_CHUNK) {
                if (pending == null) {
                    pending = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
                }
                pending.addComponent(true, chunk);
                pendingBytes += length;
                continue;
            }
            if (pending == null) {
                out.add(chunk);
            } else {
                pending.addComponent(true, chunk);
                out.add(pending);
                pending = null;
                pendingBytes = 0;
            }
            // one logical packet per call: ByteToMessageDecoder hands it on and calls again for the rest, so the
            // bytes after it are not judged (size limit, sequence id) before it is handled. After an SSL request
            // they are the client's TLS handshake, which the SslHandler put in front of this decoder must get.
            return;
        }
    }

    private void fail(ByteBuf in, String why) {
        broken = true;
        in.skipBytes(in.readableBytes());
        releasePending();
        throw new ProtocolException(why);
    }

    private void releasePending() {
        if (pending != null) {
            pending.release();
            pending = null;
            pendingBytes = 0;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releasePending();
    }
}
