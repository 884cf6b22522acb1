package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileTableTest {
    private static final BinlogFileInfo A = new BinlogFileInfo("a.000001", 1, 500, 4);
    private static final BinlogFileInfo B = new BinlogFileInfo("a.000002", 2, 300, 4);
    private static final BinlogFileInfo C = new BinlogFileInfo("a.000003", 3, 100, 4);

    @Test
    void emptyTable() {
        FileTable t = FileTable.EMPTY;
        assertTrue(t.isEmpty());
        assertEquals(Optional.empty(), t.end());
        assertFalse(t.endIsAfter(0, 0));
        assertNull(t.bySequence(1));
        assertNull(t.byName("a.000001"));
        assertEquals(List.of(), t.all());
    }

    @Test
    void lookupsAndEnd() {
        FileTable t = FileTable.of(List.of(A, B, C));
        assertSame(A, t.bySequence(1));
        assertSame(B, t.bySequence(2));
        assertSame(C, t.bySequence(3));
        assertNull(t.bySequence(0));
        assertNull(t.bySequence(4));
        assertSame(B, t.byName("a.000002"));
        assertEquals(Optional.of(new BinlogPosition("a.000003", 100)), t.end());
        assertTrue(t.endIsAfter(1, 10_000), "an earlier file is before the end whatever the offset");
        assertTrue(t.endIsAfter(3, 99));
        assertFalse(t.endIsAfter(3, 100));
        assertFalse(t.endIsAfter(4, 4));
        assertEquals(List.of(A, B, C), t.all());
    }

    @Test
    void growingTheNewestSharesTheOlderFiles() {
        FileTable t = FileTable.of(List.of(A, B));
        BinlogFileInfo grown = new BinlogFileInfo(B.name(), 2, 900, 4);
        FileTable u = t.withNewestGrown(grown);
        assertEquals(List.of(A, B), t.all(), "the old table is unchanged");
        assertEquals(List.of(A, grown), u.all());
        assertSame(grown, u.byName(B.name()));
        assertThrows(IllegalStateException.class, () -> u.withNewestGrown(new BinlogFileInfo(A.name(), 1, 9, 4)));
        FileTable v = u.withNewFile(C);
        assertEquals(List.of(A, grown, C), v.all());
        assertSame(grown, v.bySequence(2));
    }

    @Test
    void recoveredFilesMustBeContiguousAndUnique() {
        StoreException gap = assertThrows(StoreException.class, () -> FileTable.of(List.of(A, C)));
        assertTrue(gap.getMessage().contains("gap"), gap.getMessage());
        StoreException twice = assertThrows(StoreException.class,
                () -> FileTable.of(List.of(A, new BinlogFileInfo(A.name(), 2, 10, 4))));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    }
}
