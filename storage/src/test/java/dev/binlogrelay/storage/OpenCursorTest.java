package dev.binlogrelay.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenCursorTest {
    @TempDir
    Path dir;
    BinlogStore store;
    TestLog log;

    @BeforeEach
    void fill() {
        store = BinlogStore.open(dir, TestLog.fastOptions());
        log = new TestLog(store);
        log.rotate(name(1)).append(100).append(20, 30, 40).append(7);
        log.rotate(name(2)).append(100).append(55, 66);
        log.rotate(name(3)).append(100);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void everyEventStartIsAValidStart() throws Exception {
        for (int i = 0; i < log.written.size(); i++) {
            StoredEvent start = log.written.get(i);
            try (BinlogCursor c = store.openCursor(start.file(), start.position())) {
                assertEquals(new BinlogPosition(start.file(), start.position()), c.position());
                List<StoredEvent> rest = drain(c);
                assertEquals(log.written.size() - i, rest.size(), "events after " + start.file() + ":" + start.position());
                assertSameEvent(start, rest.get(0));
            }
        }
    }

    @Test
    void endOfEachFileIsAValidStart() throws Exception {
        try (BinlogCursor c = store.openCursor(name(1), 201)) {
            assertSameEvent(log.written.get(5), c.next()); // first event of file 2
        }
        try (BinlogCursor c = store.openCursor(name(3), 104)) {
            assertNull(c.next(), "the committed end of the newest file is the tail");
            assertEquals(new BinlogPosition(name(3), 104), c.position());
        }
    }

    @Test
    void positionsBetweenBoundariesAreRejected() {
        Set<Long> starts = new HashSet<>();
        log.written.stream().filter(e -> e.file().equals(name(1))).forEach(e -> starts.add(e.position()));
        for (long p = 0; p < 201; p++) {
            if (starts.contains(p)) {
                continue;
            }
            long pos = p;
            PositionException e = assertThrows(PositionException.class, () -> store.openCursor(name(1), pos));
            assertTrue(e.getMessage().contains("position " + p + " of " + name(1) + ", which is not an event boundary"), e.getMessage());
        }
        assertEquals(0, store.stats().openCursors(), "failed opens leave no cursor behind");
    }

    @Test
    void unknownFileIsRejected() {
        PositionException e = assertThrows(PositionException.class, () -> store.openCursor("mariadb-bin.000099", 4));
        assertTrue(e.getMessage().startsWith("Could not find first log file name in binary log index file"), e.getMessage());
        assertTrue(e.getMessage().contains("mariadb-bin.000099"), e.getMessage());
    }

    @Test
    void beyondTheEndIsRejected() {
        PositionException e = assertThrows(PositionException.class, () -> store.openCursor(name(2), 226));
        assertTrue(e.getMessage().contains("position 226 of " + name(2)), e.getMessage());
        assertTrue(e.getMessage().contains("beyond its end 225"), e.getMessage());
        assertThrows(PositionException.class, () -> store.openCursor(name(3), Long.MAX_VALUE));
    }

    @Test
    void positionsBelowFourAreNotAdjusted() {
        for (long p = 0; p < 4; p++) {
            long pos = p;
            PositionException e = assertThrows(PositionException.class, () -> store.openCursor(name(2), pos));
            assertTrue(e.getMessage().contains("not an event boundary"), e.getMessage());
        }
    }

    @Test
    void positionBeforeAMidFileStartIsNotHeld(@TempDir Path other) {
        try (BinlogStore s = BinlogStore.open(other, TestLog.fastOptions())) {
            new TestLog(s).rotate(name(5), 500).append(10);
            PositionException e = assertThrows(PositionException.class, () -> s.openCursor(name(5), 4));
            assertTrue(e.getMessage().contains("starts at 500"), e.getMessage());
        }
    }
}
