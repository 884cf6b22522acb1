package dev.binlogrelay.bench.reader;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TailStreamTest {
    private static final int ROTATE = 4;
    private static final int WRITE_ROWS_V1 = 23;
    private static final int XID = 16;

    /** A dump packet (header + 0x00 + event) of {@code type} whose body is {@code body}. */
    private static byte[] event(int type, String body) {
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        int size = 19 + b.length + 4;
        ByteBuffer p = ByteBuffer.allocate(4 + 1 + size).order(ByteOrder.LITTLE_ENDIAN);
        int len = 1 + size;
        p.put((byte) len).put((byte) (len >>> 8)).put((byte) (len >>> 16)).put((byte) 1);
        p.put((byte) 0).putInt(0).put((byte) type).putInt(1).putInt(size).putInt(0).putShort((short) 0);
        p.put(b).putInt(0);
        return p.array();
    }

    private static byte[] stream(byte[]... packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static final byte[] DUMP = stream(event(ROTATE, "\4\0\0\0\0\0\0\0mariadb-bin.000001"),
            event(WRITE_ROWS_V1, "xxxxLAT:000000000101pad"), event(XID, "12345678"),
            event(WRITE_ROWS_V1, "xxxxLAT:000000000100pad"), event(XID, "12345678"),
            event(WRITE_ROWS_V1, "xxxxLAT:000000000101pad"), // the same transaction again: counted once
            event(WRITE_ROWS_V1, "xxxxLAT:000000000099pad"), // not the writer's range
            event(WRITE_ROWS_V1, "xxxxLAT:000000000102pad"));

    @Test
    void marksEachOfTheWritersTransactionsOnceWhereverTheReadsSplitTheStream() {
        for (int split = 1; split <= DUMP.length; split++) {
            TailStream s = new TailStream(100, 3, true, 0);
            for (int at = 0; at < DUMP.length; at += split) {
                ByteBuffer b = ByteBuffer.wrap(DUMP, at, Math.min(split, DUMP.length - at)).slice().order(ByteOrder.LITTLE_ENDIAN);
                s.feed(b, 1_000_000L * (at + 1));
                assertFalse(b.hasRemaining(), "split " + split + ": every byte consumed");
            }
            assertNull(s.problem(), "split " + split);
            assertTrue(s.started());
            assertEquals(3, s.arrived(), "split " + split);
            assertEquals(0, s.missingOf(3));
            assertTrue(s.arrivalNanos(0) > 0 && s.arrivalNanos(1) > 0 && s.arrivalNanos(2) > 0);
        }
    }

    @Test
    void anUnsampledStreamOnlyMarksAndCountsWhatIsMissing() {
        TailStream s = new TailStream(100, 5, false, 0);
        s.feed(ByteBuffer.wrap(DUMP).order(ByteOrder.LITTLE_ENDIAN), 5_000);
        assertEquals(3, s.arrived());
        assertEquals(2, s.missingOf(5));
        assertEquals(0, s.arrivalNanos(0), "no arrival times without sampling");
    }

    @Test
    void anErrorOrAnEofInTheDumpIsAProblem() {
        byte[] err = {9, 0, 0, 1, (byte) 0xFF, (byte) 0xE4, 0x04, 'g', 'o', 'n', 'e', '!', '!'};
        TailStream s = new TailStream(100, 3, false, 0);
        s.feed(ByteBuffer.wrap(err).order(ByteOrder.LITTLE_ENDIAN), 1);
        assertNotNull(s.problem());
        assertTrue(s.problem().contains("1252"), s.problem());

        TailStream e = new TailStream(100, 3, false, 0);
        e.feed(ByteBuffer.wrap(new byte[] {5, 0, 0, 1, (byte) 0xFE, 0, 0, 2, 0}).order(ByteOrder.LITTLE_ENDIAN), 1);
        assertEquals("EOF in a blocking dump", e.problem());
    }

    @Test
    void anEventWhoseSizeDisagreesWithItsPacketOrAnOversizedPacketIsAProblem() {
        byte[] bad = event(WRITE_ROWS_V1, "LAT:000000000100");
        bad[4 + 1 + 9] ^= 1;
        TailStream s = new TailStream(100, 1, false, 0);
        s.feed(ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN), 1);
        assertTrue(s.problem().contains("event_size"), s.problem());

        TailStream big = new TailStream(100, 1, false, 0);
        big.feed(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0}).order(ByteOrder.LITTLE_ENDIAN), 1);
        assertTrue(big.problem().contains("more than"), big.problem());
    }
}
