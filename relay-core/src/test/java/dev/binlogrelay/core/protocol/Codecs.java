package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Helpers for payload codec tests: encode, decode, and check that the decoder read exactly what was written. */
final class Codecs {
    static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private Codecs() {
    }

    /** Encodes, decodes the result, asserts nothing was left unread, releases the buffer. */
    static <T> T roundTrip(Function<ByteBufAllocator, ByteBuf> encoder, Function<ByteBuf, T> decoder) {
        ByteBuf encoded = encoder.apply(ALLOC);
        try {
            T decoded = decoder.apply(encoded);
            assertEquals(0, encoded.readableBytes(), "decoder left bytes unread");
            return decoded;
        } finally {
            encoded.release();
        }
    }

    /** The bytes an encoder writes (the buffer is released). */
    static byte[] bytes(Function<ByteBufAllocator, ByteBuf> encoder) {
        ByteBuf encoded = encoder.apply(ALLOC);
        try {
            return ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
        }
    }

    /** Decodes the given bytes, asserting the decoder consumed all of them. */
    static <T> T decode(byte[] payload, Function<ByteBuf, T> decoder) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        T decoded = decoder.apply(in);
        assertEquals(0, in.readableBytes(), "decoder left bytes unread");
        return decoded;
    }

    static <T> T decodeHex(String hex, Function<ByteBuf, T> decoder) {
        return decode(Hex.bytes(hex), decoder);
    }

    static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(Hex.bytes(hex));
    }
}
