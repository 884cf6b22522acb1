package dev.binlogrelay.core.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes what the relay's upstream client reads back from a primary for each setup query ({@link QueryResponseReader}:
 * OK, ERR or a text result set, packet by packet).
 *
 * <p>Contract: the reader returns or throws {@link ProtocolException}; a finished result set has as many values in
 * each row as it has columns. Round trip: the result set it read, encoded by {@link TextResultSet#encode} (what the
 * relay's downstream SQL layer sends), reads back the same.
 *
 * <p>Input: packets as records {@code length (2, LE) | payload}. Inputs:
 * {@code src/test/resources/dev/binlogrelay/core/protocol/QueryResponseFuzzTestInputs/response/}: responses as
 * MariaDB sends them to the relay's setup queries (OK, ERR, SELECT and SHOW result sets with NULLs).
 */
class QueryResponseFuzzTest {
    @FuzzTest
    @Timeout(10)
    void response(byte[] input) {
        QueryResponseReader reader = new QueryResponseReader();
        boolean done = false;
        try {
            for (int at = 0; at + 2 <= input.length && !done; ) {
                int len = Math.min((input[at] & 0xFF) | (input[at + 1] & 0xFF) << 8, input.length - at - 2);
                done = reader.accept(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, at + 2, at + 2 + len)));
                at += 2 + len;
            }
        } catch (ProtocolException e) {
            assertNotNull(e.getMessage());
            return;
        }
        if (!done || reader.isError() || reader.ok() != null) {
            return;
        }
        TextResultSet rs = reader.resultSet();
        assertTrue(rs.rows().stream().allMatch(r -> r.size() == rs.columns().size()), "row width");
        QueryResponseReader again = new QueryResponseReader();
        boolean finished = false;
        List<ByteBuf> packets = new ArrayList<>(rs.encode(Codecs.ALLOC));
        for (ByteBuf p : packets) {
            finished = again.accept(p);
            p.release();
        }
        assertTrue(finished);
        assertEquals(rs, again.resultSet());
    }
}
