package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * <pre>
 * EOF: 0xFE | warnings (2) | status (2)      (payload shorter than 9 bytes)
 * </pre>
 */
public record EofPacket(int warnings, int status) {
    public static final int HEADER = 0xFE;

    /** An EOF packet: 0xFE and shorter than 9 bytes (longer 0xFE packets are length-encoded data or auth switches). */
    public static boolean is(ByteBuf payload) {
        return payload.isReadable() && payload.readableBytes() < 9
                && payload.getUnsignedByte(payload.readerIndex()) == HEADER;
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        return alloc.buffer(5).writeByte(HEADER).writeShortLE(warnings).writeShortLE(status);
    }

    public static EofPacket decode(ByteBuf in) {
        Wire.need(in, 1, "EOF header");
        if (in.readUnsignedByte() != HEADER) {
            throw new ProtocolException("expected EOF packet");
        }
        if (in.readableBytes() >= 4) {
            return new EofPacket(in.readUnsignedShortLE(), in.readUnsignedShortLE());
        }
        in.skipBytes(in.readableBytes());
        return new EofPacket(0, 0);
    }
}
