package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloseTest {
    @TempDir
    Path dir;

    @Test
    void everyCallAfterCloseSaysTheStoreIsClosed() throws Exception {
        BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions());
        TestLog log = new TestLog(store);
        log.rotate(name(1)).append(100, 20);
        BinlogWriter writer = store.writer();
        store.close();
        store.close(); // idempotent

        String closed = "store " + dir + " is closed";
        List<Executable> calls = List.of(
                store::writer,
                () -> writer.appendGroup(name(1), List.of(new EventToStore(124, new byte[5], 3, null)), StateUpdate.NONE),
                () -> store.openCursor(name(1), 4),
                store::committedEnd,
                store::files,
                () -> store.file(name(1)),
                () -> store.state().meta("k"),
                () -> store.state().write(Map.of("k", "v"), List.of()),
                () -> store.findMariaGtid(0, 1),
                () -> store.firstMariaGtid(0),
                () -> store.lastMariaGtid(0),
                store::mariaGtidDomains,
                () -> store.purgeFilesBefore(name(1)),
                store::purgedRange,
                () -> store.fileNotHeld(name(1)),
                store::storedBytes,
                () -> store.lastEvent(name(1)),
                () -> store.state().write(Map.of(), List.of("k")),
                () -> store.addCommitListener(() -> { }),
                () -> store.awaitCommitBeyond(new BinlogPosition(name(1), 4), 1, TimeUnit.MILLISECONDS));
        for (Executable call : calls) {
            StoreException e = assertThrows(StoreException.class, call);
            assertEquals(closed, e.getMessage());
        }
        // statistics and listener removal stay harmless for shutdown paths
        assertNotNull(store.stats().cacheStats());
        assertDoesNotThrow(() -> store.removeCommitListener(() -> { }));
        assertTrue(store.isClosed());
    }

    @Test
    void closeClosesOpenCursorsFirst() throws Exception {
        BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions().withCacheBytes(0));
        TestLog log = new TestLog(store);
        log.rotate(name(1)).append(100, 20, 30);
        BinlogCursor reading = store.openCursor(name(1), 4);
        assertNotNull(reading.next()); // holds a RocksDB iterator now
        BinlogCursor idle = store.openCursor(name(1), 104);
        assertEquals(2, store.stats().openCursors());
        store.close();
        assertEquals(0, store.stats().openCursors());

        StoreException e = assertThrows(StoreException.class, reading::next);
        assertEquals("store " + dir + " is closed", e.getMessage());
        assertDoesNotThrow(reading::close);
        assertDoesNotThrow(idle::close);
        assertEquals(new BinlogPosition(name(1), 104), reading.position());

        // the data survived: reopen and read on
        try (BinlogStore again = BinlogStore.open(dir, TestLog.fastOptions()); BinlogCursor c = again.openCursor(name(1), 104)) {
            assertEquals(20, c.next().bytes().length);
        }
    }

    @Test
    void closedCursorRefusesToRead() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            new TestLog(store).rotate(name(1)).append(10);
            BinlogCursor c = store.openCursor(name(1), 4);
            c.close();
            c.close();
            assertEquals(0, store.stats().openCursors());
            StoreException e = assertThrows(StoreException.class, c::next);
            assertTrue(e.getMessage().contains("is closed") && e.getMessage().contains(name(1) + ":4"), e.getMessage());
        }
    }

    @Test
    void secondWriterThreadIsRefused() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(10);
            StoreException[] fromOther = new StoreException[1];
            store.appender().afterWriteBeforePublish(() -> {
                Thread other = new Thread(() -> {
                    try {
                        store.writer().appendGroup(name(1), List.of(new EventToStore(14, new byte[1], 3, null)), StateUpdate.NONE);
                    } catch (StoreException e) {
                        fromOther[0] = e;
                    }
                });
                other.start();
                try {
                    other.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            log.append(5);
            assertNotNull(fromOther[0]);
            assertTrue(fromOther[0].getMessage().contains("single writer"), fromOther[0].getMessage());
            assertEquals(new BinlogPosition(name(1), 19), store.committedEnd().orElseThrow());
        }
    }
}
