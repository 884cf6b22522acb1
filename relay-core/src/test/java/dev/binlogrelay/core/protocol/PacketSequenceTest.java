package dev.binlogrelay.core.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PacketSequenceTest {
    @Test
    void takeAndAcceptAdvanceTheSameCounterAndWrap() {
        PacketSequence s = new PacketSequence();
        assertEquals(0, s.take());
        s.accept(1);
        for (int i = 2; i < 256; i++) {
            assertEquals(i, s.take());
        }
        assertEquals(0, s.next(), "wraps after 255");
        s.accept(0);
        assertEquals(1, s.next());
    }

    @Test
    void wrongIdIsRejectedAndDoesNotAdvance() {
        PacketSequence s = new PacketSequence();
        ProtocolException e = assertThrows(ProtocolException.class, () -> s.accept(3));
        assertEquals("packet sequence id 3 where 0 was expected", e.getMessage());
        assertEquals(0, s.next());
    }

    @Test
    void resetStartsANewExchange() {
        PacketSequence s = new PacketSequence();
        s.take();
        s.take();
        s.reset();
        assertEquals(0, s.next());
        s.accept(0);
    }

    /** A semi-sync primary numbers on from 1 after an event it waits for an ack of (the ack took 0). */
    @Test
    void restartAtSetsTheNextIdInBothDirections() {
        PacketSequence s = new PacketSequence();
        s.accept(0);
        s.accept(1);
        s.restartAt(1);
        s.accept(1);
        assertEquals(2, s.next());
        s.restartAt(256);
        assertEquals(0, s.next());
    }

    /** The relay serving a semi-sync replica: its acks all carry id 0 and leave the events' numbering alone. */
    @Test
    void repliesAtZeroAreAcceptedWithoutMovingTheOutgoingIds() {
        PacketSequence s = new PacketSequence();
        s.repliesStartAtZero(true);
        assertEquals(0, s.take());
        assertEquals(1, s.take());
        s.accept(0);
        s.accept(0);
        assertEquals(2, s.take());
        ProtocolException e = assertThrows(ProtocolException.class, () -> s.accept(3));
        assertEquals("packet sequence id 3 where 0 was expected (a semi-sync reply)", e.getMessage());
        s.repliesStartAtZero(false);
        s.accept(3);
        assertEquals(4, s.next());
    }
}
