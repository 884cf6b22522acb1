package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeysValuesTest {
    @Test
    void eventKeyLayoutAndRoundTrip() {
        byte[] k = Keys.event(0x01020304L, 0x0A0B0C0D0E0F1011L);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11}, k);
        assertEquals(0x01020304L, Keys.eventFile(k));
        assertEquals(0x0A0B0C0D0E0F1011L, Keys.eventPosition(k));
        assertEquals(Keys.MAX_FILE_SEQ, Keys.eventFile(Keys.event(Keys.MAX_FILE_SEQ, 4)));
    }

    @Test
    void eventKeysSortInBinlogOrder() {
        byte[][] inOrder = {Keys.event(1, 4), Keys.event(1, 255), Keys.event(1, 256), Keys.event(1, 1L << 32),
                Keys.event(2, 4), Keys.event(255, 4), Keys.event(256, 4), Keys.event(Keys.MAX_FILE_SEQ, Long.MAX_VALUE),
                Keys.AFTER_ALL_EVENTS};
        for (int i = 1; i < inOrder.length; i++) {
            assertTrue(Arrays.compareUnsigned(inOrder[i - 1], inOrder[i]) < 0, "key " + i);
        }
    }

    @Test
    void aFormatDescriptionKeySitsRightAfterItsFileRecord() {
        byte[] k = Keys.format(0x01020304L);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 1}, k);
        assertTrue(Keys.isFormat(k));
        assertEquals(0x01020304L, Keys.formatFileSeq(k));
        assertTrue(!Keys.isFormat(Keys.file(7)));
        assertTrue(Arrays.compareUnsigned(Keys.file(7), Keys.format(7)) < 0);
        assertTrue(Arrays.compareUnsigned(Keys.format(7), Keys.file(8)) < 0);
        assertThrows(StoreException.class, () -> Keys.fileSeq(k), "not a file record's key");
    }

    @Test
    void gtidKeysSortByDomainThenUnsignedSequence() {
        assertTrue(Arrays.compareUnsigned(Keys.gtid(0, Long.MAX_VALUE), Keys.gtid(0, -1L)) < 0);
        assertTrue(Arrays.compareUnsigned(Keys.gtid(0, -1L), Keys.gtid(1, 0)) < 0);
        assertEquals(0xFFFF_FFFFL, Keys.gtidDomain(Keys.gtid(0xFFFF_FFFFL, 1)));
        assertEquals(-1L, Keys.gtidSequence(Keys.gtid(0, -1L)));
    }

    @Test
    void eventValueRoundTrip() {
        byte[] raw = {9, 8, 7};
        byte[] v = Values.event(0xFF, raw);
        assertArrayEquals(new byte[] {-1, 9, 8, 7}, v);
        StoredEvent e = Values.event("f", 4, v);
        assertEquals(0xFF, e.flags());
        assertArrayEquals(raw, e.bytes());
        assertThrows(StoreException.class, () -> Values.event("f", 4, new byte[] {1}));
    }

    @Test
    void fileValueRoundTrip() {
        BinlogFileInfo f = new BinlogFileInfo("mysql-bin.000042 ü", 42, 1L << 33, 4);
        assertEquals(f, Values.file(42, Values.file(f)));
        assertThrows(StoreException.class, () -> Values.file(1, new byte[16]));
    }

    @Test
    void gtidValueRoundTrip() {
        byte[] v = Values.gtid(7, 1L << 40, 0xFFFF_FFFFL);
        assertEquals(16, v.length);
        assertEquals(7, Values.gtidFileSeq(v));
        assertEquals(1L << 40, Values.gtidPosition(v));
        assertEquals(0xFFFF_FFFFL, Values.gtidServerId(v));
        assertThrows(StoreException.class, () -> Values.gtidPosition(new byte[15]));
    }

    @Test
    void committedEndRoundTrip() {
        assertArrayEquals(new long[] {3, 1234}, Values.parseCommitted(Values.committed(3, 1234)));
        assertThrows(StoreException.class, () -> Values.parseCommitted("3-1234"));
        assertThrows(StoreException.class, () -> Values.parseCommitted("x:1"));
    }
}
