package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * <pre>
 * auth switch request: 0xFE | plugin name (NUL-terminated) | plugin data (rest; a scramble ends with a NUL)
 * </pre>
 */
public record AuthSwitchRequest(String pluginName, byte[] data) {
    public static final int HEADER = 0xFE;

    public static boolean is(ByteBuf payload) {
        return payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == HEADER;
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] name = pluginName.getBytes(StandardCharsets.UTF_8);
        return alloc.buffer(2 + name.length + data.length + 1)
                .writeByte(HEADER).writeBytes(name).writeByte(0).writeBytes(data).writeByte(0);
    }

    public static AuthSwitchRequest decode(ByteBuf in) {
        Wire.need(in, 1, "auth switch header");
        in.skipBytes(1);
        String name = Wire.readNulString(in, "auth plugin name");
        byte[] data = Wire.readFixedBytes(in, in.readableBytes(), "auth plugin data");
        if (data.length > 0 && data[data.length - 1] == 0) {
            data = Arrays.copyOf(data, data.length - 1);
        }
        return new AuthSwitchRequest(name, data);
    }
}
