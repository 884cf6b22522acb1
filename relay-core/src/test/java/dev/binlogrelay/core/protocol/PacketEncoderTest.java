package dev.binlogrelay.core.protocol;

import dev.binlogrelay.core.Hex;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.binlogrelay.core.protocol.PacketCodecHarness.MAX_CHUNK;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.frames;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PacketEncoderTest {
    private final PacketCodecHarness harness = new PacketCodecHarness();

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void nothingLeaked() {
        harness.alloc.assertAllReleased();
    }

    @Test
    void smallPayloadGetsAHeaderWithLengthAndSequenceId() {
        // COM_QUERY "sel"
        assertEquals("04000000 0373656C".replace(" ", ""), Hex.of(harness.encode(0, Hex.bytes("0373656C"))));
        assertEquals("04000007 0373656C".replace(" ", ""), Hex.of(harness.encode(7, Hex.bytes("0373656C"))));
    }

    @Test
    void emptyPayloadIsAHeaderAlone() {
        assertEquals("00000000", Hex.of(harness.encode(0, new byte[0])));
    }

    @Test
    void consecutivePayloadsTakeConsecutiveIds() {
        byte[] wire = harness.encode(3, new byte[] {1}, new byte[0], payload(300, 1));
        assertFrames(wire, new int[][] {{1, 3}, {0, 4}, {300, 5}});
    }

    static Stream<Arguments> chunking() {
        int twenty = 20 << 20;
        return Stream.of(
                Arguments.of(MAX_CHUNK - 1, new int[][] {{MAX_CHUNK - 1, 0}}),
                Arguments.of(MAX_CHUNK, new int[][] {{MAX_CHUNK, 0}, {0, 1}}),
                Arguments.of(MAX_CHUNK + 1, new int[][] {{MAX_CHUNK, 0}, {1, 1}}),
                Arguments.of(2 * MAX_CHUNK, new int[][] {{MAX_CHUNK, 0}, {MAX_CHUNK, 1}, {0, 2}}),
                Arguments.of(twenty, new int[][] {{MAX_CHUNK, 0}, {twenty - MAX_CHUNK, 1}}));
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("chunking")
    void largePayloadsAreSplitIntoFullChunksAndAShorterLastOne(int size, int[][] expectedFrames) {
        byte[] p = payload(size, size);
        byte[] wire = harness.encode(0, p);
        assertFrames(wire, expectedFrames);
        assertArrayEquals(p, stripHeaders(wire), "chunks joined");
    }

    @Test
    void idsWrapAt256() {
        byte[][] payloads = new byte[300][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = new byte[] {(byte) i};
        }
        List<int[]> frames = frames(harness.encode(0, payloads));
        assertEquals(300, frames.size());
        for (int i = 0; i < 300; i++) {
            assertEquals(i & 0xFF, frames.get(i)[1], "id of packet " + i);
        }
    }

    @Test
    void chunksOfOnePayloadWrapAt256Too() {
        PacketSequence seq = PacketCodecHarness.sequenceAt(255);
        EmbeddedChannel ch = harness.side(seq);
        ch.writeOutbound(harness.alloc.copyOf(payload(2 * MAX_CHUNK, 5)));
        assertFrames(PacketCodecHarness.drainOutbound(ch), new int[][] {{MAX_CHUNK, 255}, {MAX_CHUNK, 0}, {0, 1}});
        assertEquals(2, seq.next());
        assertFalse(ch.finish());
    }

    @Test
    void chunksAreSlicesOfThePayloadNotCopies() {
        EmbeddedChannel ch = harness.side(new PacketSequence());
        var payload = harness.alloc.copyOf(payload(2 * MAX_CHUNK + 10, 9));
        int before = harness.alloc.allocated();
        ch.writeOutbound(payload);
        // three 4-byte headers are all the encoder allocates
        assertEquals(3, harness.alloc.allocated() - before);
        assertEquals(3, frames(PacketCodecHarness.drainOutbound(ch)).size());
        assertEquals(0, payload.refCnt(), "payload released once its chunks were written and released");
        assertFalse(ch.finish());
    }

    private static void assertFrames(byte[] wire, int[][] expected) {
        List<int[]> actual = frames(wire);
        List<String> a = new ArrayList<>();
        for (int[] f : actual) {
            a.add(Arrays.toString(f));
        }
        List<String> e = new ArrayList<>();
        for (int[] f : expected) {
            e.add(Arrays.toString(f));
        }
        assertEquals(e, a, "[payload_length, sequence_id] of each packet");
    }

    private static byte[] stripHeaders(byte[] wire) {
        byte[] out = new byte[wire.length];
        int n = 0;
        for (int off = 0; off < wire.length; ) {
            int len = wire[off] & 0xFF | (wire[off + 1] & 0xFF) << 8 | (wire[off + 2] & 0xFF) << 16;
            System.arraycopy(wire, off + 4, out, n, len);
            n += len;
            off += 4 + len;
        }
        return Arrays.copyOf(out, n);
    }
}
