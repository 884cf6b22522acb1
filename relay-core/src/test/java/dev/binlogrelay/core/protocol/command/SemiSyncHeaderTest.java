package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemiSyncHeaderTest {
    /** The start of an event packet whose ack the primary waits for: OK byte, header, then the event's timestamp. */
    private static final String XID_PACKET = "00 ef01 5c3a7065 10";

    @Test
    void decodesTheHeaderAfterTheOkByteAndLeavesTheEvent() {
        ByteBuf packet = Unpooled.wrappedBuffer(Hex.bytes(XID_PACKET));
        packet.skipBytes(1);
        SemiSyncHeader h = SemiSyncHeader.decode(packet);
        assertSame(SemiSyncHeader.ACK, h);
        assertTrue(h.ackRequested());
        assertArrayEquals(Hex.bytes("5c3a7065 10"), ByteBufUtil.getBytes(packet));
        assertFalse(SemiSyncHeader.decode(Unpooled.wrappedBuffer(Hex.bytes("ef00"))).ackRequested());
    }

    @Test
    void roundTripsEveryFlagByte() {
        for (int flags = 0; flags <= 0xFF; flags++) {
            SemiSyncHeader h = new SemiSyncHeader(flags);
            ByteBuf out = Unpooled.buffer();
            h.encode(out);
            assertArrayEquals(h.bytes(), ByteBufUtil.getBytes(out));
            assertEquals(SemiSyncHeader.SIZE, out.readableBytes());
            assertEquals(h, SemiSyncHeader.decode(out));
            assertEquals(0, out.readableBytes());
            assertEquals((flags & 1) != 0, h.ackRequested());
        }
        assertThrows(IllegalArgumentException.class, () -> new SemiSyncHeader(0x100));
    }

    /** Split at every byte: a prefix shorter than the header fails with a message, never another exception. */
    @Test
    void everyTruncationFailsCleanly() {
        byte[] whole = SemiSyncHeader.ACK.bytes();
        CommandChecks.truncatedAtEveryByte(whole, SemiSyncHeader::decode, cut -> null);
        assertEquals(SemiSyncHeader.ACK, SemiSyncHeader.decode(Unpooled.wrappedBuffer(whole)));
        assertEquals(SemiSyncHeader.ACK, SemiSyncHeader.decode(Unpooled.wrappedBuffer(Arrays.copyOf(whole, 3))));
    }

    @Test
    void anEventWithoutTheHeaderIsRefused() {
        // a semi-sync dump's event packet whose header is missing: the event's timestamp comes first
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> SemiSyncHeader.decode(Unpooled.wrappedBuffer(Hex.bytes("5c3a7065"))));
        assertTrue(e.getMessage().contains("0x5C where the header's 0xEF was expected"), e.getMessage());
    }
}
