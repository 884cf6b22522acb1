package dev.binlogrelay.bench.reader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DumpStreamCounterTest {
    private static final int ROTATE = 4;
    private static final int FORMAT_DESCRIPTION = 15;
    private static final int WRITE_ROWS = 30;
    private static final int QUERY = 2;

    /** The events of a small binlog file: format description, an annotate, rows, a query. */
    private static final List<byte[]> FILE_EVENTS = List.of(event(FORMAT_DESCRIPTION, 0, 100), event(QUERY, 0, 60),
            event(BinlogFiles.ANNOTATE_ROWS, 0, 80), event(WRITE_ROWS, 0, 3000), event(WRITE_ROWS, 0, 25));

    @Test
    void countsEveryEventOfTheFilesWhateverTheSplit(@TempDir Path dir) throws Exception {
        byte[] stream = dumpOf(FILE_EVENTS);
        BinlogFiles.Expected expected = BinlogFiles.expected(write(dir, FILE_EVENTS), List.of("bin.000001"), false);
        assertEquals(4, expected.events());
        for (int cut = 0; cut <= stream.length; cut++) {
            DumpStreamCounter c = new DumpStreamCounter(true);
            c.feed(le(Arrays.copyOfRange(stream, 0, cut)));
            c.feed(le(Arrays.copyOfRange(stream, cut, stream.length)));
            assertTrue(c.finished(), "cut at " + cut);
            assertNull(expected.check(c.tally()), "cut at " + cut);
            assertEquals(6, c.tally().events(), "fake rotate and heartbeat count as events");
            assertEquals(stream.length, c.tally().wireBytes());
        }
    }

    @Test
    void byteByByteGivesTheSameTally() {
        byte[] stream = dumpOf(FILE_EVENTS);
        DumpStreamCounter whole = new DumpStreamCounter(true);
        whole.feed(le(stream));
        DumpStreamCounter single = new DumpStreamCounter(true);
        for (byte b : stream) {
            single.feed(le(new byte[]{b}));
        }
        assertEquals(whole.tally().toString(), single.tally().toString());
        assertEquals(whole.tally().fingerprint(), single.tally().fingerprint());
    }

    @Test
    void anEventOverSixteenMebibytesSpansPackets(@TempDir Path dir) throws Exception {
        List<byte[]> events = List.of(event(FORMAT_DESCRIPTION, 0, 100), event(WRITE_ROWS, 0, (17 << 20) + 5));
        byte[] stream = dumpOf(events);
        BinlogFiles.Expected expected = BinlogFiles.expected(write(dir, events), List.of("bin.000001"), false);
        for (int cut : new int[]{1, 200, 0xFFFFFF, 0xFFFFFF + 4, 0xFFFFFF + 7, stream.length - 9, stream.length - 2}) {
            DumpStreamCounter c = new DumpStreamCounter(true);
            c.feed(le(Arrays.copyOfRange(stream, 0, cut)));
            c.feed(le(Arrays.copyOfRange(stream, cut, stream.length)));
            assertNull(expected.check(c.tally()), "cut at " + cut);
        }
    }

    @Test
    void aCorruptedEventFailsTheCrcCheckAndTheFingerprint(@TempDir Path dir) throws Exception {
        byte[] stream = dumpOf(FILE_EVENTS);
        BinlogFiles.Expected expected = BinlogFiles.expected(write(dir, FILE_EVENTS), List.of("bin.000001"), false);
        stream[stream.length - 200] ^= 1; // inside the 3000-byte rows event
        DumpStreamCounter verifying = new DumpStreamCounter(true);
        verifying.feed(le(stream));
        assertEquals(1, verifying.tally().crcErrors());
        assertTrue(expected.check(verifying.tally()).contains("CRC32"));
        DumpStreamCounter counting = new DumpStreamCounter(false);
        counting.feed(le(stream));
        assertNull(expected.check(counting.tally()), "without verification only the CRC bytes themselves are compared");
    }

    @Test
    void anErrorPacketEndsTheStreamWithItsMessage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        packet(out, 1, concat(new byte[]{(byte) 0xFF, (byte) 0xD4, 0x04, '#', 'H', 'Y', '0', '0', '0'},
                "Could not find first log file name".getBytes()));
        DumpStreamCounter c = new DumpStreamCounter(false);
        c.feed(le(out.toByteArray()));
        assertTrue(c.finished());
        assertFalse(c.tally().eof());
        assertEquals("server error 1236: Could not find first log file name", c.tally().problem());
    }

    @Test
    void aStreamCutShortIsAProblem() {
        byte[] stream = dumpOf(FILE_EVENTS);
        DumpStreamCounter c = new DumpStreamCounter(false);
        c.feed(le(Arrays.copyOf(stream, stream.length - 20)));
        c.closedEarly();
        assertTrue(c.tally().problem().startsWith("connection closed before the end"));
    }

    // ------------------------------------------------------------------ stream builders

    /** A dump as a server sends it: fake rotate, the file's events, a heartbeat, EOF. */
    private static byte[] dumpOf(List<byte[]> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int seq = 1;
        packet(out, seq++, concat(new byte[]{0}, event(ROTATE, DumpStreamCounter.ARTIFICIAL_FLAG, 40)));
        for (byte[] e : events) {
            if ((e[4] & 0xFF) != BinlogFiles.ANNOTATE_ROWS) {
                seq = packet(out, seq, concat(new byte[]{0}, e));
            }
        }
        seq = packet(out, seq, concat(new byte[]{0}, event(DumpStreamCounter.HEARTBEAT, 0, 30)));
        packet(out, seq, new byte[]{(byte) 0xFE, 0, 0, 2, 0});
        return out.toByteArray();
    }

    /** Writes {@code payload} as one or more packets (16 MiB chunks); returns the next sequence number. */
    private static int packet(ByteArrayOutputStream out, int seq, byte[] payload) {
        int at = 0;
        int len;
        do {
            len = Math.min(0xFFFFFF, payload.length - at);
            out.write(len);
            out.write(len >>> 8);
            out.write(len >>> 16);
            out.write(seq++);
            out.write(payload, at, len);
            at += len;
        } while (len == 0xFFFFFF);
        return seq;
    }

    /** An event of {@code size} bytes with a valid CRC32. */
    private static byte[] event(int type, int flags, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1_700_000_000).put((byte) type).putInt(1).putInt(size).putInt(0).putShort((short) flags);
        for (int i = 19; i < size - 4; i++) {
            b.put((byte) (i * 31 + type));
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, size - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static Path write(Path dir, List<byte[]> events) throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[]{(byte) 0xFE, 'b', 'i', 'n'});
        for (byte[] e : events) {
            file.write(e);
        }
        Files.write(dir.resolve("bin.000001"), file.toByteArray());
        return dir;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
