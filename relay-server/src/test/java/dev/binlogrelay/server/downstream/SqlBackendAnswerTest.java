package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.TextResultSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The end of each kind of answer, found packet by packet, with the packets the relay's own server side encodes. */
class SqlBackendAnswerTest {
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    /** The index of the packet {@link SqlBackendAnswer} says ends the answer, or -1; each packet's indexes unmoved. */
    private static int end(List<ByteBuf> packets) {
        SqlBackendAnswer answer = new SqlBackendAnswer();
        try {
            for (int i = 0; i < packets.size(); i++) {
                ByteBuf p = packets.get(i);
                int before = p.readerIndex();
                boolean last = answer.ends(p);
                assertEquals(before, p.readerIndex());
                if (last) {
                    return i;
                }
            }
            return -1;
        } finally {
            packets.forEach(ByteBuf::release);
        }
    }

    @Test
    void okAndErrAreOnePacket() {
        assertEquals(0, end(List.of(OkPacket.of(0).encode(ALLOC), OkPacket.of(0).encode(ALLOC))));
        assertEquals(0, end(List.of(new ErrPacket(1146, "42S02", "no").encode(ALLOC))));
    }

    @Test
    void aResultSetEndsWithTheEofAfterItsRows() {
        List<ByteBuf> rs = TextResultSet.of(List.of("a", "b"), List.of(List.of("1", "x"), List.of("2", "y"))).encode(ALLOC);
        assertEquals(rs.size() - 1, end(new ArrayList<>(rs)));
        List<ByteBuf> empty = TextResultSet.of(List.of("a"), List.of()).encode(ALLOC);
        assertEquals(empty.size() - 1, end(new ArrayList<>(empty)));
    }

    @Test
    void anErrInsteadOfTheLastEofEndsIt() {
        List<ByteBuf> rs = new ArrayList<>(TextResultSet.of(List.of("a"), List.of(List.of("1"))).encode(ALLOC));
        rs.remove(rs.size() - 1).release();
        rs.add(new ErrPacket(1317, "70100", "Query execution was interrupted").encode(ALLOC));
        assertEquals(rs.size() - 1, end(rs));
    }

    @Test
    void moreResultsGoOnToTheNextAnswer() {
        List<ByteBuf> packets = new ArrayList<>(TextResultSet.of(List.of("a"), List.of(List.of("1"))).encode(ALLOC));
        packets.remove(packets.size() - 1).release();
        packets.add(new EofPacket(0, 0x0008 | 0x0002).encode(ALLOC)); // more results follow
        packets.add(new OkPacket(0, 0, 0x0002, 0, "").encode(ALLOC));   // CALL's final OK
        assertEquals(packets.size() - 1, end(packets));
        List<ByteBuf> twoOks = new ArrayList<>(List.of(new OkPacket(0, 0, 0x0008, 0, "").encode(ALLOC),
                new OkPacket(0, 0, 0, 0, "").encode(ALLOC)));
        assertEquals(1, end(twoOks));
    }
}
