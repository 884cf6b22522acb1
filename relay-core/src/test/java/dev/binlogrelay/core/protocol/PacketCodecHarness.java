package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link EmbeddedChannel}s carrying {@link PacketDecoder} and {@link PacketEncoder}, all allocating from one
 * {@link TrackingAllocator}, plus helpers to turn payloads into wire bytes and wire bytes (fed in pieces) back
 * into payloads. Every buffer a helper takes out of a channel is copied and released, and its refCnt checked.
 */
final class PacketCodecHarness {
    static final int MAX_CHUNK = PacketDecoder.MAX_CHUNK;

    final TrackingAllocator alloc = new TrackingAllocator();

    /** One side of a connection: a decoder and an encoder sharing {@code sequence}, as the relay sets them up. */
    EmbeddedChannel side(PacketSequence sequence, long maxPayload) {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketDecoder(sequence, maxPayload), new PacketEncoder(sequence));
        ch.config().setAllocator(alloc);
        return ch;
    }

    EmbeddedChannel side(PacketSequence sequence) {
        return side(sequence, Long.MAX_VALUE);
    }

    /** A sequence whose next id is {@code next}. */
    static PacketSequence sequenceAt(int next) {
        PacketSequence s = new PacketSequence();
        for (int i = 0; i < next; i++) {
            s.take();
        }
        return s;
    }

    /** The wire bytes an encoder writes for {@code payloads}, numbering packets from {@code firstSeq}. */
    byte[] encode(int firstSeq, byte[]... payloads) {
        EmbeddedChannel ch = side(sequenceAt(firstSeq));
        for (byte[] p : payloads) {
            ch.writeOutbound(alloc.copyOf(p));
        }
        byte[] wire = drainOutbound(ch);
        assertFalse(ch.finish(), "encoder channel has messages left");
        return wire;
    }

    /** All outbound messages of {@code ch}, concatenated; each is released and checked. */
    static byte[] drainOutbound(EmbeddedChannel ch) {
        List<Object> messages = new ArrayList<>();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            messages.add(m);
        }
        return concat(copyAndRelease(messages));
    }

    /** All inbound messages (decoded payloads) of {@code ch}; each is released and checked. */
    static List<byte[]> drainInbound(EmbeddedChannel ch) {
        List<Object> messages = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            messages.add(m);
        }
        return copyAndRelease(messages);
    }

    /** Writes {@code wire} to {@code ch} in pieces ending at each cut (and at the end), then drains the payloads. */
    List<byte[]> feed(EmbeddedChannel ch, byte[] wire, int[] cuts) {
        int from = 0;
        for (int cut : cuts) {
            if (cut > from && cut < wire.length) {
                ch.writeInbound(alloc.copyOf(wire, from, cut - from));
                from = cut;
            }
        }
        ch.writeInbound(alloc.copyOf(wire, from, wire.length - from));
        return drainInbound(ch);
    }

    /** Cuts every {@code step} bytes plus around each packet header (so headers and chunk ends are split too). */
    static int[] cuts(byte[] wire, int step) {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int c = step; c < wire.length; c += step) {
            cuts.add(c);
        }
        int off = 0;
        while (off + 4 <= wire.length) {
            for (int d = -1; d <= 5; d++) {
                cuts.add(off + d);
            }
            off += 4 + (wire[off] & 0xFF | (wire[off + 1] & 0xFF) << 8 | (wire[off + 2] & 0xFF) << 16);
        }
        return cuts.stream().filter(c -> c > 0 && c < wire.length).mapToInt(Integer::intValue).toArray();
    }

    static int[] everyByte(byte[] wire) {
        int[] cuts = new int[Math.max(0, wire.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }

    /** The (payload_length, sequence_id) of each packet on the wire; asserts the packets fill it exactly. */
    static List<int[]> frames(byte[] wire) {
        List<int[]> frames = new ArrayList<>();
        int off = 0;
        while (off < wire.length) {
            int len = wire[off] & 0xFF | (wire[off + 1] & 0xFF) << 8 | (wire[off + 2] & 0xFF) << 16;
            frames.add(new int[] {len, wire[off + 3] & 0xFF});
            off += 4 + len;
        }
        assertEquals(wire.length, off, "packets overrun the wire bytes");
        return frames;
    }

    /** Deterministic pseudo-random payload (no period that could hide a misplaced chunk). */
    static byte[] payload(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void assertPayloadsEqual(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "number of payloads");
        for (int i = 0; i < expected.size(); i++) {
            byte[] e = expected.get(i);
            byte[] a = actual.get(i);
            assertEquals(e.length, a.length, "length of payload " + i);
            assertEquals(-1, Arrays.mismatch(e, a), "first differing byte of payload " + i);
        }
    }

    /**
     * Copies and releases every message, then checks that all of them reached refCnt 0. (Checked after releasing
     * them all: slices of one buffer share its count, so one slice reaches 0 only when its siblings are released.)
     */
    private static List<byte[]> copyAndRelease(List<Object> messages) {
        List<byte[]> copies = new ArrayList<>(messages.size());
        for (Object m : messages) {
            ByteBuf b = assertInstanceOf(ByteBuf.class, m);
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            copies.add(bytes);
            b.release();
        }
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(0, ((ByteBuf) messages.get(i)).refCnt(), "refCnt of message " + i + " after release");
        }
        return copies;
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }
}
