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
}
