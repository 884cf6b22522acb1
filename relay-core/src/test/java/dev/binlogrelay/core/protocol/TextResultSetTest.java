package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextResultSetTest {
    /** Encodes {@code rs}, feeds every packet to a {@link QueryResponseReader}, and returns what it read. */
    static TextResultSet throughReader(TextResultSet rs) {
        List<ByteBuf> packets = rs.encode(Codecs.ALLOC);
        try {
            assertEquals(rs.columns().size() + rs.rows().size() + 3, packets.size(), "count, columns, EOF, rows, EOF");
            assertTrue(EofPacket.is(packets.get(rs.columns().size() + 1)), "EOF after the column definitions");
            assertTrue(EofPacket.is(packets.get(packets.size() - 1)), "EOF after the rows");
            QueryResponseReader reader = new QueryResponseReader();
            for (int i = 0; i < packets.size(); i++) {
                ByteBuf p = packets.get(i);
                boolean eof = EofPacket.is(p);
                boolean done = reader.accept(p);
                assertEquals(i == packets.size() - 1, done, "response complete after packet " + i);
                if (!eof) {
                    assertEquals(0, p.readableBytes(), "packet " + i + " fully read");
                }
            }
            assertFalse(reader.isError());
            return reader.resultSet();
        } finally {
            packets.forEach(ByteBuf::release);
        }
    }

    @Test
    void oneRowWithNullsAndEmptyStrings() {
        TextResultSet rs = TextResultSet.single(List.of("Variable_name", "Value", "Comment"), "binlog_checksum", null, "");
        TextResultSet back = throughReader(rs);
        assertEquals(rs, back);
        assertNull(back.rows().get(0).get(1), "NULL stays NULL");
        assertEquals("", back.rows().get(0).get(2), "empty string is not NULL");
    }

    @Test
    void noRows() {
        TextResultSet rs = TextResultSet.of(List.of("File", "Position"), List.of());
        assertEquals(rs, throughReader(rs));
        assertNull(throughReader(rs).scalar());
    }

    @Test
    void manyColumnsAndLongValues() {
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            columns.add("c" + i); // 300 > 250: the column count takes a 3-byte length-encoded integer
        }
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<String> row = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                row.add(switch ((r + c) % 5) {
                    case 0 -> null;
                    case 1 -> "";
                    case 2 -> "x".repeat(251);
                    case 3 -> "ünïcødé " + c;
                    default -> "y".repeat(70_000);
                });
            }
            rows.add(row);
        }
        TextResultSet rs = TextResultSet.of(columns, rows);
        assertEquals(rs, throughReader(rs));
    }

    @Test
    void scalarIsTheFirstValue() {
        assertEquals("4", TextResultSet.single(List.of("@@server_id", "x"), "4", "5").scalar());
        assertNull(TextResultSet.single(List.of("@@x"), (String) null).scalar());
    }

    @Test
    void rowWithTheWrongNumberOfValuesIsRefusedBeforeAnythingIsAllocated() {
        TextResultSet rs = TextResultSet.of(List.of("a", "b"), List.of(List.of("1", "2"), Arrays.asList("1")));
        TrackingAllocator alloc = new TrackingAllocator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rs.encode(alloc));
        assertEquals("row has 1 values for 2 columns", e.getMessage());
        assertEquals(0, alloc.allocated(), "no packet buffers left behind");
    }
}
