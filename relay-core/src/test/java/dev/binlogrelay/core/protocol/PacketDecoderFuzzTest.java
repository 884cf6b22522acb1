package dev.binlogrelay.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.binlogrelay.core.protocol.PacketCodecHarness.assertPayloadsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes packet framing ({@link PacketDecoder}): arbitrary bytes from a peer, fed whole, in pieces and byte by byte.
 *
 * <p>Contract: the decoder emits exactly the packets a plain model of the framing finds (length, sequence id,
 * limit), and fails with {@link ProtocolException} (inside Netty's {@link DecoderException}) exactly where the model
 * does, whatever the pieces; after a failure it emits nothing more; every buffer is released; the payloads it emits,
 * encoded again by {@link PacketEncoder}, are the bytes it consumed.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/protocol/PacketDecoderFuzzTestInputs/frames/} (captured
 * login packets framed as on the wire). See docs/development.md, "Fuzzing".
 */
class PacketDecoderFuzzTest {
    /** Smaller than a 16 MiB chunk, so a fuzzer can reach the limit (a 0xFFFFFF chunk is always over it). */
    private static final long LIMIT = 1024;

    @FuzzTest
    @Timeout(10)
    void frames(byte[] wire) {
        Model expected = Model.of(wire);
        int[] cuts = cuts(wire);
        Decoded whole = decode(wire, new int[0]);
        Decoded pieces = decode(wire, cuts);
        for (Decoded d : wire.length <= 512 ? List.of(whole, pieces, decode(wire, everyByte(wire))) : List.of(whole, pieces)) {
            assertPayloadsEqual(expected.payloads, d.payloads);
            assertEquals(expected.failed, d.error != null, () -> "model failed: " + expected.failed + ", decoder: " + d.error);
            if (d.error != null) {
                assertInstanceOf(ProtocolException.class, d.error.getCause(), "decoder failed with " + d.error.getCause());
                assertNotNull(d.error.getCause().getMessage());
            }
        }
        // the payloads encoded again are the bytes the decoder consumed (every packet here is a single chunk)
        PacketCodecHarness h = new PacketCodecHarness();
        byte[] again = expected.payloads.isEmpty() ? new byte[0] : h.encode(0, expected.payloads.toArray(new byte[0][]));
        assertArrayEquals(Arrays.copyOf(wire, expected.consumed), again);
        h.alloc.assertAllReleased();
    }

    private record Decoded(List<byte[]> payloads, DecoderException error) {
    }

    /** Feeds {@code wire} in pieces ending at {@code cuts}; keeps feeding after a failure (nothing may come out). */
    private static Decoded decode(byte[] wire, int[] cuts) {
        PacketCodecHarness h = new PacketCodecHarness();
        EmbeddedChannel ch = h.side(new PacketSequence(), LIMIT);
        List<byte[]> payloads = new ArrayList<>();
        DecoderException error = null;
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : wire.length;
            if (to <= from && i < cuts.length) {
                continue;
            }
            boolean brokenBefore = error != null;
            try {
                ch.writeInbound(h.alloc.copyOf(wire, from, to - from));
            } catch (DecoderException e) {
                assertNull(error, "a second failure after the decoder broke: " + e);
                error = e;
            }
            List<byte[]> out = drainInbound(ch);
            assertTrue(!brokenBefore || out.isEmpty(), "packets emitted after the decoder failed");
            payloads.addAll(out);
            from = to;
        }
        ch.finishAndReleaseAll();
        h.alloc.assertAllReleased();
        return new Decoded(payloads, error);
    }

    /** What the framing says, computed without Netty: header by header, sequence ids from 0, the limit. */
    private record Model(List<byte[]> payloads, boolean failed, int consumed) {
        static Model of(byte[] wire) {
            List<byte[]> payloads = new ArrayList<>();
            int off = 0;
            int seq = 0;
            while (wire.length - off >= 4) {
                int len = wire[off] & 0xFF | (wire[off + 1] & 0xFF) << 8 | (wire[off + 2] & 0xFF) << 16;
                if (len > LIMIT) {
                    return new Model(payloads, true, off);
                }
                if (wire.length - off - 4 < len) {
                    break;
                }
                if ((wire[off + 3] & 0xFF) != seq) {
                    return new Model(payloads, true, off);
                }
                payloads.add(Arrays.copyOfRange(wire, off + 4, off + 4 + len));
                seq = (seq + 1) & 0xFF;
                off += 4 + len;
            }
            return new Model(payloads, false, off);
        }
    }

    /** Cut points derived from the input itself, so a finding replays with the same pieces. */
    private static int[] cuts(byte[] wire) {
        List<Integer> cuts = new ArrayList<>();
        long state = Arrays.hashCode(wire) | 1L;
        int at = 0;
        while (wire.length > 1) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            at += 1 + (int) ((state >>> 33) % 37);
            if (at >= wire.length) {
                break;
            }
            cuts.add(at);
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The packets the channel emitted, copied and released. (Not {@link PacketCodecHarness#drainInbound}: a packet is a
     * slice of the decoder's cumulation, which stays referenced while a partial packet waits in it; the allocator's
     * check at the end finds any buffer left unreleased.)
     */
    private static List<byte[]> drainInbound(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            ByteBuf b = assertInstanceOf(ByteBuf.class, m);
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            b.release();
            out.add(bytes);
        }
        return out;
    }

    private static int[] everyByte(byte[] wire) {
        return PacketCodecHarness.everyByte(wire);
    }
}
