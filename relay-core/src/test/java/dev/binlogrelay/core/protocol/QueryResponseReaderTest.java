package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.binlogrelay.core.protocol.Codecs.buf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryResponseReaderTest {
    /** Feeds encoded packets; returns the reader after asserting it finished exactly at the last one. */
    private static QueryResponseReader read(List<ByteBuf> packets) {
        QueryResponseReader reader = new QueryResponseReader();
        try {
            for (int i = 0; i < packets.size(); i++) {
                assertEquals(i == packets.size() - 1, reader.accept(packets.get(i)), "complete after packet " + i);
            }
            return reader;
        } finally {
            packets.forEach(ByteBuf::release);
        }
    }

    @Test
    void okResponse() {
        OkPacket ok = new OkPacket(3, 0, ServerStatus.AUTOCOMMIT, 1, "");
        QueryResponseReader r = read(List.of(ok.encode(Codecs.ALLOC)));
        assertFalse(r.isError());
        assertEquals(ok, r.ok());
        assertNull(r.error());
        assertEquals(List.of(), r.resultSet().columns());
    }

    @Test
    void errResponse() {
        ErrPacket err = new ErrPacket(ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE, "HY000", "Unknown system variable 'x'");
        QueryResponseReader r = read(List.of(err.encode(Codecs.ALLOC)));
        assertTrue(r.isError());
        assertEquals(err, r.error());
        assertNull(r.ok());
    }

    @Test
    void errorInsteadOfTheNextRowEndsTheResponse() {
        List<ByteBuf> packets = new java.util.ArrayList<>(TextResultSet.single(List.of("a"), "1").encode(Codecs.ALLOC));
        packets.remove(packets.size() - 1).release(); // the final EOF
        // ER_SERVER_SHUTDOWN, as a server sends it (the relay itself never does)
        ErrPacket err = new ErrPacket(1053, "08S01", "Server shutdown in progress");
        packets.add(err.encode(Codecs.ALLOC));
        QueryResponseReader r = read(packets);
        assertTrue(r.isError());
        assertEquals(err, r.error());
        assertEquals(List.of(List.of("1")), r.resultSet().rows(), "rows before the error are kept");
    }

    @Test
    void packetAfterTheEndIsAProtocolError() {
        QueryResponseReader r = read(List.of(OkPacket.of(0).encode(Codecs.ALLOC)));
        ByteBuf extra = OkPacket.of(0).encode(Codecs.ALLOC);
        try {
            ProtocolException e = assertThrows(ProtocolException.class, () -> r.accept(extra));
            assertEquals("packet after the end of a query response", e.getMessage());
        } finally {
            extra.release();
        }
    }

    @Test
    void fewerColumnDefinitionsThanAnnounced() {
        QueryResponseReader r = new QueryResponseReader();
        List<ByteBuf> two = TextResultSet.of(List.of("a", "b"), List.of()).encode(Codecs.ALLOC);
        try {
            r.accept(two.get(0));
            r.accept(two.get(1));
            ProtocolException e = assertThrows(ProtocolException.class, () -> r.accept(two.get(3)));
            assertEquals("result set announced 2 columns but sent 1", e.getMessage());
        } finally {
            two.forEach(ByteBuf::release);
        }
    }

    @Test
    void implausibleColumnCounts() {
        assertThrows(ProtocolException.class, () -> new QueryResponseReader().accept(buf("00")), "0 columns");
        assertThrows(ProtocolException.class, () -> new QueryResponseReader().accept(buf("FC 0110")), "4097 columns");
    }

    @Test
    void boundedReaderDropsRowsPastTheCountOrTheBytesAndSaysSo() {
        List<List<String>> rows = List.of(List.of("a", "1"), List.of("b", "22"), List.of("c", "333"));
        for (int[] bound : new int[][] {{2, 1000}, {1000, 10}}) {
            List<ByteBuf> packets = TextResultSet.of(List.of("Variable_name", "Value"), rows).encode(Codecs.ALLOC);
            QueryResponseReader r = new QueryResponseReader(bound[0], bound[1]);
            try {
                for (int i = 0; i < packets.size(); i++) {
                    assertEquals(i == packets.size() - 1, r.accept(packets.get(i)), "complete after packet " + i);
                }
            } finally {
                packets.forEach(ByteBuf::release);
            }
            assertTrue(r.truncated());
            assertEquals(rows.subList(0, 2), r.resultSet().rows(), "rows within " + bound[0] + " rows, " + bound[1] + " bytes");
        }
        QueryResponseReader all = read(TextResultSet.of(List.of("Variable_name", "Value"), rows).encode(Codecs.ALLOC));
        assertFalse(all.truncated());
        assertEquals(rows, all.resultSet().rows());
    }
}
