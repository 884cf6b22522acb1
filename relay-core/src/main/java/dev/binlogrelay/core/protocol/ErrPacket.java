package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * <pre>
 * ERR: 0xFF | error_code (2) | '#' | sql_state (5) | message (rest)
 * </pre>
 * (Before the handshake completes a server may omit the '#' and state; {@link #decode} accepts both.)
 */
public record ErrPacket(int code, String sqlState, String message) {
    public static final int HEADER = 0xFF;

    public static boolean is(ByteBuf payload) {
        return payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == HEADER;
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(9 + msg.length);
        out.writeByte(HEADER).writeShortLE(code).writeByte('#');
        // the state is always 5 characters on the wire
        String state = (sqlState + "HY000").substring(0, 5);
        out.writeBytes(state.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(msg);
        return out;
    }

    public static ErrPacket decode(ByteBuf in) {
        Wire.need(in, 3, "ERR header");
        int header = in.readUnsignedByte();
        if (header != HEADER) {
            throw new ProtocolException(String.format("expected ERR packet, got 0x%02X", header));
        }
        int code = in.readUnsignedShortLE();
        String state = ErrorCodes.STATE_GENERAL;
        if (in.isReadable() && in.getByte(in.readerIndex()) == '#' && in.readableBytes() >= 6) {
            in.skipBytes(1);
            state = in.readCharSequence(5, StandardCharsets.US_ASCII).toString();
        }
        return new ErrPacket(code, state, Wire.readRestString(in, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ERROR " + code + " (" + sqlState + "): " + message;
    }
}
