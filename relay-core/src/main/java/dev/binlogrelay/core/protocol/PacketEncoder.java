package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Writes payloads ({@link ByteBuf}) as MySQL packets, taking sequence ids from the connection's
 * {@link PacketSequence}. Payloads of 0xFFFFFF bytes or more are split into 0xFFFFFF-byte chunks followed by
 * a shorter last chunk, which is empty when the payload is an exact multiple of 0xFFFFFF. Chunks are slices
 * of the payload: nothing is copied. {@link FramedPackets} already hold whole packets and pass through.
 */
public final class PacketEncoder extends MessageToMessageEncoder<Object> {
    private final PacketSequence sequence;

    public PacketEncoder(PacketSequence sequence) {
        this.sequence = sequence;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof ByteBuf || msg instanceof FramedPackets;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
        if (msg instanceof FramedPackets framed) {
            out.add(framed.content().retain());
            return;
        }
        ByteBuf payload = (ByteBuf) msg;
        int remaining = payload.readableBytes();
        while (true) {
            int len = Math.min(remaining, PacketDecoder.MAX_CHUNK);
            ByteBuf header = ctx.alloc().buffer(4, 4);
            header.writeMediumLE(len).writeByte(sequence.take());
            out.add(header);
            if (len > 0) {
                out.add(payload.readRetainedSlice(len));
            }
            remaining -= len;
            if (len < PacketDecoder.MAX_CHUNK) {
                return;
            }
        }
    }
}
