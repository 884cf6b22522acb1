package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What every command codec test checks: exact sizes, exact round trips, clean failures on every truncation. */
final class CommandChecks {
    private CommandChecks() {
    }

    /** The payload {@code c} encodes to, checking that {@link ReplicationCommand#encodedSize()} was exact. */
    static byte[] bytes(ReplicationCommand c) {
        ByteBuf b = c.encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertEquals(c.encodedSize(), b.readableBytes(), "encodedSize of " + c);
            assertEquals(b.capacity(), b.readableBytes(), "buffer of exactly the payload's size");
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Decodes {@code payload}, asserting the decoder read all of it. */
    static <T> T decodeAll(byte[] payload, Function<ByteBuf, T> decoder) {
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        T value = decoder.apply(in);
        assertEquals(0, in.readableBytes(), "bytes left unread");
        return value;
    }

    /** Encodes {@code c}, decodes the bytes and asserts the same command came back, with every byte read. */
    static <T extends ReplicationCommand> void roundTrip(T c, Function<ByteBuf, T> decoder) {
        assertEquals(c, decodeAll(bytes(c), decoder));
    }

    /**
     * Decodes every prefix of {@code whole} (the packet cut after 0, 1, ... bytes): where {@code expected} gives a
     * value the decoder must return it, where it gives null the decoder must throw {@link ProtocolException};
     * nothing else may escape (no index exception, no other runtime exception).
     */
    static <T> void truncatedAtEveryByte(byte[] whole, Function<ByteBuf, T> decoder, IntFunction<T> expected) {
        for (int cut = 0; cut < whole.length; cut++) {
            ByteBuf in = Unpooled.wrappedBuffer(Arrays.copyOf(whole, cut));
            T want = expected.apply(cut);
            int at = cut;
            if (want == null) {
                ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.apply(in), "cut after " + cut + " bytes");
                assertEquals(false, e.getMessage() == null || e.getMessage().isBlank(), "a message names the field");
            } else {
                assertEquals(want, decoder.apply(in), () -> "cut after " + at + " bytes");
            }
        }
    }
}
