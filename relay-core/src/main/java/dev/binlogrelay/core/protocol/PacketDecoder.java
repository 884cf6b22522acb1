package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
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
 * Emits one {@link ByteBuf} per logical packet (the receiver releases it). Sequence ids are checked against
 * the connection's {@link PacketSequence}. A logical packet larger than {@code maxPayload} or a wrong sequence
 * id raises {@link ProtocolException}; the decoder then discards everything else it receives.
 */
public final class PacketDecoder extends ByteToMessageDecoder {
    public static final int MAX_CHUNK = 0xFFFFFF;
    private static final int HEADER = 4;

    private final PacketSequence sequence;
    private final long maxPayload;
    private CompositeByteBuf pending;
    private long pendingBytes;
    private boolean broken;

    public PacketDecoder(PacketSequence sequence, long maxPayload) {
        this.sequence = sequence;
        this.maxPayload = maxPayload;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
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
