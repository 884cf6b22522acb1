package dev.binlogrelay.core.protocol;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.binlogrelay.core.protocol.PacketCodecHarness.MAX_CHUNK;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.assertPayloadsEqual;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.cuts;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.drainInbound;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.everyByte;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.frames;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.payload;
import static dev.binlogrelay.core.protocol.PacketCodecHarness.sequenceAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacketDecoderTest {
    private static final List<byte[]> SMALL = List.of(new byte[0], new byte[] {0x0E}, payload(7, 1), payload(251, 2),
            payload(300, 3));

    private final PacketCodecHarness harness = new PacketCodecHarness();

    @BeforeAll
    static void paranoidLeakDetection() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void nothingLeaked() {
        harness.alloc.assertAllReleased();
    }

    /** Decodes {@code wire} fed in pieces on a fresh channel whose first expected id is {@code firstSeq}. */
    private List<byte[]> decode(byte[] wire, int[] cuts, int firstSeq, int expectedNextSeq) {
        PacketSequence seq = sequenceAt(firstSeq);
        EmbeddedChannel ch = harness.side(seq);
        List<byte[]> out = harness.feed(ch, wire, cuts);
        assertEquals(expectedNextSeq, seq.next(), "next sequence id");
        assertFalse(ch.finish(), "nothing left over");
        return out;
    }

    private static ProtocolException assertProtocolError(Runnable write) {
        DecoderException e = assertThrows(DecoderException.class, write::run);
        return assertInstanceOf(ProtocolException.class, e.getCause());
    }

    /**
     * A server answering the first of two pipelined commands asynchronously pauses the decoder: the second (id 0,
     * a new exchange) is not judged until the answer has reset the sequence and decoding resumes.
     */
    @Test
    void aPausedDecoderHoldsPipelinedCommandsUntilResumed() {
        PacketSequence seq = new PacketSequence();
        PacketDecoder decoder = new PacketDecoder(seq, 1 << 20);
        List<byte[]> handled = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.buffer.ByteBuf packet = (io.netty.buffer.ByteBuf) msg;
                handled.add(io.netty.buffer.ByteBufUtil.getBytes(packet));
                packet.release();
                decoder.pause(); // every command is answered later
            }
        });
        ch.config().setAllocator(harness.alloc);
        byte[] first = {0x03, 'A'};
        byte[] second = {0x03, 'B'};
        byte[] wire = concat(harness.encode(0, first), harness.encode(0, second));
        ch.writeInbound(harness.alloc.copyOf(wire));
        assertEquals(1, handled.size(), "the second command waits, undecoded (its id 0 would be out of order now)");
        seq.reset(); // the first command is answered
        decoder.resume();
        assertEquals(2, handled.size(), "then it is decoded");
        assertArrayEquals(second, handled.get(1));
        seq.reset();
        decoder.resume(); // nothing waiting: nothing happens
        assertEquals(2, handled.size());
        assertFalse(ch.finish(), "nothing left over");
    }

    @Test
    void smallPacketsInOneWrite() {
        byte[] wire = harness.encode(0, SMALL.toArray(byte[][]::new));
        assertPayloadsEqual(SMALL, decode(wire, new int[0], 0, SMALL.size()));
    }

    @Test
    void smallPacketsFedOneByteAtATime() {
        byte[] wire = harness.encode(0, SMALL.toArray(byte[][]::new));
        assertPayloadsEqual(SMALL, decode(wire, everyByte(wire), 0, SMALL.size()));
    }

    @Test
    void smallPacketsSplitInTwoAtEveryByte() {
        byte[] wire = harness.encode(0, SMALL.toArray(byte[][]::new));
        for (int cut = 1; cut < wire.length; cut++) {
            assertPayloadsEqual(SMALL, decode(wire, new int[] {cut}, 0, SMALL.size()));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {MAX_CHUNK, 2 * MAX_CHUNK, MAX_CHUNK + 1, 20 << 20})
    void largePayloadsAreJoined(int size) {
        byte[] big = payload(size, size);
        byte[] after = payload(100, 7);
        byte[] wire = harness.encode(0, big, after);
        int packets = frames(wire).size();
        assertEquals(size / MAX_CHUNK + 2, packets, "full chunks, the shorter last chunk, the small packet");
        List<byte[]> expected = List.of(big, after);
        assertPayloadsEqual(expected, decode(wire, new int[0], 0, packets));
        assertPayloadsEqual(expected, decode(wire, cuts(wire, 4099), 0, packets));
    }

    @Test
    void idsWrapAt256() {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            payloads.add(new byte[] {(byte) i, (byte) (i >> 8)});
        }
        byte[] wire = harness.encode(0, payloads.toArray(byte[][]::new));
        assertPayloadsEqual(payloads, decode(wire, cuts(wire, 97), 0, 300 & 0xFF));
    }

    @Test
    void chunksOfOnePayloadMayWrapAt256() {
        byte[] big = payload(2 * MAX_CHUNK, 11);
        byte[] wire = harness.encode(254, big);
        assertEquals(List.of(254, 255, 0), frames(wire).stream().map(f -> f[1]).toList());
        assertPayloadsEqual(List.of(big), decode(wire, cuts(wire, 1 << 20), 254, 1));
    }

    @Test
    void bothDirectionsOfAnExchangeShareOneSequence() {
        PacketSequence clientSeq = new PacketSequence();
        PacketSequence serverSeq = new PacketSequence();
        EmbeddedChannel client = harness.side(clientSeq);
        EmbeddedChannel server = harness.side(serverSeq);
        byte[] query = {Commands.COM_QUERY, 's', 'e', 'l', 'e', 'c', 't'};

        clientSeq.reset();
        client.writeOutbound(harness.alloc.copyOf(query));
        serverSeq.reset();
        assertPayloadsEqual(List.of(query), harness.feed(server, PacketCodecHarness.drainOutbound(client), new int[0]));

        List<byte[]> response = List.of(payload(1, 1), payload(20, 2), payload(5, 3));
        for (byte[] r : response) {
            server.writeOutbound(harness.alloc.copyOf(r));
        }
        byte[] wire = PacketCodecHarness.drainOutbound(server);
        assertEquals(List.of(1, 2, 3), frames(wire).stream().map(f -> f[1]).toList(), "server answers with ids 1..");
        assertPayloadsEqual(response, harness.feed(client, wire, everyByte(wire)));
        assertEquals(4, clientSeq.next());
        assertEquals(4, serverSeq.next());
        assertFalse(client.finish());
        assertFalse(server.finish());
    }

    @Test
    void wrongSequenceIdFailsAndLaterInputIsDiscarded() {
        EmbeddedChannel ch = harness.side(new PacketSequence());
        byte[] good = harness.encode(0, payload(10, 1));
        byte[] wrong = harness.encode(1, payload(10, 2));

        ProtocolException e = assertProtocolError(() -> ch.writeInbound(harness.alloc.copyOf(wrong)));
        assertEquals("packet sequence id 1 where 0 was expected", e.getMessage());

        ch.writeInbound(harness.alloc.copyOf(good));
        assertEquals(List.of(), drainInbound(ch), "input after the error is discarded");
        assertFalse(ch.finish());
    }

    @Test
    void packetsBeforeTheBadOneAreStillDelivered() {
        EmbeddedChannel ch = harness.side(new PacketSequence());
        byte[] first = payload(10, 1);
        byte[] wire = concat(harness.encode(0, first), harness.encode(5, payload(10, 2)));

        assertProtocolError(() -> ch.writeInbound(harness.alloc.copyOf(wire)));
        assertPayloadsEqual(List.of(first), drainInbound(ch));
        assertFalse(ch.finish());
    }

    @Test
    void wrongSequenceIdInTheMiddleOfALargePacketReleasesTheChunksSoFar() {
        EmbeddedChannel ch = harness.side(new PacketSequence());
        byte[] wire = harness.encode(0, payload(MAX_CHUNK + 10, 3));
        wire[4 + MAX_CHUNK + 3] = 9; // id of the second chunk

        ch.writeInbound(harness.alloc.copyOf(wire, 0, 4 + MAX_CHUNK));
        ProtocolException e = assertProtocolError(
                () -> ch.writeInbound(harness.alloc.copyOf(wire, 4 + MAX_CHUNK, wire.length - 4 - MAX_CHUNK)));
        assertEquals("packet sequence id 9 where 1 was expected", e.getMessage());
        assertEquals(List.of(), drainInbound(ch));
        harness.alloc.assertAllReleased(); // at once, not only when the channel closes
        assertFalse(ch.finish());
    }

    @Test
    void payloadAtTheLimitIsAccepted() {
        byte[] p = payload(1000, 1);
        EmbeddedChannel ch = harness.side(new PacketSequence(), 1000);
        assertPayloadsEqual(List.of(p), harness.feed(ch, harness.encode(0, p), new int[0]));
        assertFalse(ch.finish());
    }

    @Test
    void payloadOverTheLimitFailsAsSoonAsItsHeaderArrives() {
        EmbeddedChannel ch = harness.side(new PacketSequence(), 1000);
        byte[] wire = harness.encode(0, payload(1001, 1));

        ProtocolException e = assertProtocolError(() -> ch.writeInbound(harness.alloc.copyOf(wire, 0, 4)));
        assertTrue(e.getMessage().contains("exceeds the limit of 1000"), e.getMessage());

        ch.writeInbound(harness.alloc.copyOf(wire, 4, wire.length - 4));
        assertEquals(List.of(), drainInbound(ch));
        assertFalse(ch.finish());
    }

    @Test
    void largePayloadOverTheLimitFailsBeforeItIsBuffered() {
        EmbeddedChannel ch = harness.side(new PacketSequence(), 1 << 20);
        byte[] wire = harness.encode(0, payload(20 << 20, 1));
        int allocatedBefore = harness.alloc.allocated();

        assertProtocolError(() -> ch.writeInbound(harness.alloc.copyOf(wire, 0, 4)));
        assertEquals(1, harness.alloc.allocated() - allocatedBefore, "only the 4-byte input was allocated");
        assertFalse(ch.finish());
    }

    @Test
    void limitCountsAllChunksOfAPacket() {
        EmbeddedChannel ch = harness.side(new PacketSequence(), MAX_CHUNK + 100);
        byte[] wire = harness.encode(0, payload(MAX_CHUNK + 101, 1));

        ch.writeInbound(harness.alloc.copyOf(wire, 0, 4 + MAX_CHUNK));
        ProtocolException e = assertProtocolError(() -> ch.writeInbound(harness.alloc.copyOf(wire, 4 + MAX_CHUNK, 4)));
        assertTrue(e.getMessage().contains("of at least " + (MAX_CHUNK + 101L) + " bytes"), e.getMessage());
        harness.alloc.assertAllReleased(); // the first chunk, held for joining, is let go at once
        assertFalse(ch.finish());
    }

    @Test
    void streamEndingInsideAPacketLeavesNothingBehind() {
        EmbeddedChannel ch = harness.side(new PacketSequence());
        byte[] wire = harness.encode(0, payload(300, 1));
        ch.writeInbound(harness.alloc.copyOf(wire, 0, 100));
        assertEquals(List.of(), drainInbound(ch));
        assertFalse(ch.finish());
    }

    @Test
    void streamEndingInsideALargePacketReleasesTheJoinedChunks() {
        EmbeddedChannel ch = harness.side(new PacketSequence());
        byte[] wire = harness.encode(0, payload(2 * MAX_CHUNK + 5, 1));
        ch.writeInbound(harness.alloc.copyOf(wire, 0, 2 * (4 + MAX_CHUNK) + 2));
        assertEquals(List.of(), drainInbound(ch));
        assertFalse(ch.finish());
        harness.alloc.assertAllReleased();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * An SSL request and the start of the client's TLS handshake in one read, with a small (login) limit: the TLS
     * record header read as a packet header announces 66,326 or 197,398 bytes. The decoder must hand on the SSL
     * request before judging the bytes after it, so that the handler that puts TLS in front (and removes the
     * decoder) gets them untouched.
     */
    @Test
    void bytesAfterAPacketAreNotJudgedBeforeThePacketIsHandled() {
        byte[] sslRequest = new byte[32];
        sslRequest[1] = 0x08; // CLIENT_SSL
        byte[] clientHello = {0x16, 0x03, 0x03, 0x01, 0x00, 0x01, 0x00, 0x00, (byte) 0xFC, 0x03, 0x03};
        io.netty.buffer.ByteBuf both = io.netty.buffer.Unpooled.buffer().writeMediumLE(32).writeByte(1).writeBytes(sslRequest)
                .writeBytes(clientHello);
        PacketSequence sequence = new PacketSequence();
        sequence.accept(0);
        List<byte[]> after = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("decoder", new PacketDecoder(sequence, 64 * 1024)).addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            private boolean tls;

            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.buffer.ByteBuf b = (io.netty.buffer.ByteBuf) msg;
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                if (!tls) {
                    tls = true;
                    assertEquals(32, bytes.length, "the SSL request");
                    ctx.pipeline().remove("decoder"); // what the login handler does when TLS starts
                } else {
                    after.add(bytes);
                }
            }
        });
        ch.writeInbound(both);
        assertEquals(1, after.size(), "the TLS bytes reach the next handler");
        assertEquals(Arrays.toString(clientHello), Arrays.toString(after.get(0)));
        assertFalse(ch.finish());
    }
}
