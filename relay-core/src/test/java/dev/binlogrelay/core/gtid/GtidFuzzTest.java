package dev.binlogrelay.core.gtid;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes GTID parsing: MySQL GTID sets in text (config, {@code @@gtid_executed}) and binary form (COM_BINLOG_DUMP_GTID,
 * PREVIOUS_GTIDS), MariaDB GTID positions in text ({@code @slave_connect_state}, config).
 *
 * <p>Contract: a value or {@link IllegalArgumentException} (what these parsers document and their callers catch);
 * a binary set holds no more intervals than its bytes can carry. Round trips: text → set → text → the same set, set →
 * binary → the same set; MariaDB position → text → the same position.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/gtid/GtidFuzzTestInputs/<method>/}: sets and positions as
 * servers print them, PREVIOUS_GTIDS bodies cut from real MySQL binlogs (shared/fixtures/binlog) and sets the relay
 * encodes.
 */
class GtidFuzzTest {
    @FuzzTest
    @Timeout(10)
    void mysqlText(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        MysqlGtidSet set = parsed(() -> MysqlGtidSet.parse(text));
        if (set != null) {
            assertEquals(set, MysqlGtidSet.parse(set.toString()), () -> "text round trip of " + set);
            assertEquals(set, binaryRoundTrip(set));
        }
    }

    @FuzzTest
    @Timeout(10)
    void mysqlBinary(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        MysqlGtidSet set = parsed(() -> MysqlGtidSet.decode(in));
        if (set != null) {
            int intervals = set.intervals().values().stream().mapToInt(List::size).sum();
            assertTrue(intervals <= input.length / 16, intervals + " intervals from " + input.length + " bytes");
            assertEquals(set, binaryRoundTrip(set));
            assertEquals(set, MysqlGtidSet.parse(set.toString()), () -> "text round trip of " + set);
        }
    }

    @FuzzTest
    @Timeout(10)
    void mariaText(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        MariaGtidPosition position = parsed(() -> MariaGtidPosition.parse(text));
        if (position != null) {
            assertEquals(position, MariaGtidPosition.parse(position.toString()), () -> "text round trip of " + position);
            for (MariaGtid g : position.gtids()) {
                assertTrue(position.contains(g));
                assertEquals(g, MariaGtid.parse(g.toString()));
            }
        }
    }

    private static MysqlGtidSet binaryRoundTrip(MysqlGtidSet set) {
        ByteBuf out = Unpooled.buffer(set.encodedSize());
        set.encode(out);
        assertEquals(set.encodedSize(), out.readableBytes(), "encodedSize");
        MysqlGtidSet again = MysqlGtidSet.decode(out);
        assertEquals(0, out.readableBytes());
        return again;
    }

    private static <T> T parsed(Supplier<T> parser) {
        try {
            T value = parser.get();
            assertNotNull(value);
            return value;
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            return null;
        }
    }
}
