package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.zip.CRC32;

import static dev.binlogrelay.core.binlog.ChecksumAlgorithm.CRC32;
import static dev.binlogrelay.core.binlog.ChecksumAlgorithm.NONE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventsTest {
    private static long plainCrc(byte[] b, int length) {
        CRC32 c = new CRC32();
        c.update(b, 0, length);
        return c.getValue();
    }

    @Test
    void headerFieldsAreReadAsUnsigned() {
        byte[] e = new byte[Events.HEADER_SIZE + 4];
        Events.writeHeader(e, 0xFFFF_FFFEL, EventType.MARIA_GTID_LIST, 0xFFFF_FFFFL, 0x9000_0000L, 0x8021);
        assertEquals(0xFFFF_FFFEL, Events.timestamp(e));
        assertEquals(163, Events.type(e));
        assertEquals(0xFFFF_FFFFL, Events.serverId(e));
        assertEquals(23, Events.size(e));
        assertEquals(0x9000_0000L, Events.logPos(e), "positions past 2 GiB stay positive");
        assertEquals(0x8021, Events.flags(e));
        assertTrue(Events.isArtificial(e));
        Events.checkHeader(e);
    }

    @Test
    void headerLayoutIsLittleEndianAtTheDocumentedOffsets() {
        byte[] e = new byte[Events.HEADER_SIZE];
        Events.writeHeader(e, 0x04030201L, 0x05, 0x09080706L, 0x11100F0EL, 0x1312);
        Events.put32(e, Events.OFFSET_SIZE, 0x0D0C0B0AL);
        byte[] expected = new byte[Events.HEADER_SIZE];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) (i + 1);
        }
        assertArrayEquals(expected, e);
    }

    @Test
    void settersChangeOnlyTheirField() {
        byte[] e = TestEvents.xid(NONE);
        byte[] before = e.clone();
        Events.setTimestamp(e, 0);
        Events.setLogPos(e, 0xFFFF_FFFFL);
        Events.setFlags(e, Events.FLAG_ARTIFICIAL);
        assertEquals(0, Events.timestamp(e));
        assertEquals(0xFFFF_FFFFL, Events.logPos(e));
        assertEquals(Events.FLAG_ARTIFICIAL, Events.flags(e));
        assertArrayEquals(Arrays.copyOfRange(before, 4, 13), Arrays.copyOfRange(e, 4, 13), "type, server id, size");
        assertArrayEquals(Arrays.copyOfRange(before, 19, before.length), Arrays.copyOfRange(e, 19, e.length), "body");
    }

    @Test
    void checkHeaderRejectsShortAndMisSizedEvents() {
        BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> Events.checkHeader(new byte[18]));
        assertEquals("event of 18 bytes is shorter than the 19-byte header", e.getMessage());
        byte[] xid = TestEvents.xid(CRC32);
        e = assertThrows(BinlogFormatException.class, () -> Events.checkHeader(Arrays.copyOf(xid, xid.length - 1)));
        assertEquals("event header says 31 bytes but 30 arrived (type XID)", e.getMessage());
    }

    @Test
    void u64AndPut64CarryAll64Bits() {
        byte[] b = new byte[8];
        Events.put64(b, 0, 0xFEDC_BA98_7654_3210L);
        assertEquals(0xFEDC_BA98_7654_3210L, Events.u64(b, 0));
        assertEquals(0x3210, Events.u16(b, 0));
        assertEquals(0xFEDC_BA98L, Events.u32(b, 4));
    }

    @Test
    void crcCoversHeaderAndBody() {
        byte[] e = TestEvents.query("INSERT INTO t VALUES (1)", CRC32);
        assertEquals(plainCrc(e, e.length - 4), Events.u32(e, e.length - 4));
        assertTrue(Events.crcMatches(e));
        for (int i = 0; i < e.length; i++) {
            byte[] corrupt = e.clone();
            corrupt[i] ^= 0x10;
            assertFalse(Events.crcMatches(corrupt), "flipped bit in byte " + i);
        }
    }

    @Test
    void crcOfAFormatDescriptionIgnoresTheInUseFlag() {
        byte[] fde = TestEvents.ofType(EventType.FORMAT_DESCRIPTION, CRC32);
        byte[] inUse = fde.clone();
        Events.setFlags(inUse, Events.FLAG_BINLOG_IN_USE);
        assertEquals(Events.crc32(fde, fde.length - 4), Events.crc32(inUse, inUse.length - 4));
        assertTrue(Events.crcMatches(inUse));
        assertEquals(Events.FLAG_BINLOG_IN_USE, Events.flags(inUse), "the flag itself is left alone");

        // other event types get no such treatment
        byte[] query = TestEvents.query("BEGIN", CRC32);
        Events.setFlags(query, Events.FLAG_BINLOG_IN_USE);
        assertFalse(Events.crcMatches(query));
    }

    @Test
    void fixCrcRepairsAnEditedEvent() {
        byte[] e = TestEvents.xid(CRC32);
        Events.setLogPos(e, 4242);
        assertFalse(Events.crcMatches(e));
        Events.fixCrc(e);
        assertTrue(Events.crcMatches(e));
    }

    @Test
    void crcMatchesIsFalseForEventsTooShortToCarryOne() {
        assertFalse(Events.crcMatches(new byte[Events.HEADER_SIZE + 3]));
    }

    @Test
    void withoutCrcAndWithCrcRoundTrip() {
        byte[] withCrc = TestEvents.query("COMMIT", CRC32);
        byte[] stripped = Events.withoutCrc(withCrc);
        assertEquals(withCrc.length - 4, stripped.length);
        assertEquals(stripped.length, Events.size(stripped));
        Events.checkHeader(stripped);
        assertArrayEquals(TestEvents.query("COMMIT", NONE), stripped);
        assertArrayEquals(withCrc, Events.withCrc(stripped));
        assertTrue(Events.crcMatches(Events.withCrc(stripped)));
    }
}
