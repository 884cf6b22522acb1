package dev.binlogrelay.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.assertSameEvents;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening a store after an unclean stop: data past the committed end is removed, inconsistencies are refused. */
class RecoveryTest {
    @TempDir
    Path dir;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger recoveryLog = (Logger) LoggerFactory.getLogger(StoreRecovery.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        recoveryLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        recoveryLog.detachAppender(logged);
    }

    @Test
    void strayEventsFilesAndGtidEntriesPastTheEndAreRemoved() throws Exception {
        List<StoredEvent> written;
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).appendWithGtid(new MariaGtidRef(0, 1, 1), Map.of(), 100, 20);
            log.rotate(name(2)).appendWithGtid(new MariaGtidRef(0, 1, 2), Map.of(), 100, 30);
            written = log.written;
        }
        // what a crash in the middle of a write could leave behind, if batches were not atomic
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            raw.db.put(raw.events, Keys.event(2, 134), Values.event(3, new byte[] {1, 2, 3}));
            raw.db.put(raw.events, Keys.event(2, 137), Values.event(3, new byte[] {4, 5}));
            raw.db.put(raw.events, Keys.event(3, 4), Values.event(3, new byte[] {6}));
            raw.db.put(raw.files, Keys.file(3), Values.file(new BinlogFileInfo(name(3), 3, 5, 4)));
            raw.db.put(raw.gtid, Keys.gtid(0, 3), Values.gtid(2, 134, 1));
            raw.db.put(raw.gtid, Keys.gtid(7, 1), Values.gtid(3, 4, 1));
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of(new BinlogPosition(name(2), 134)), store.committedEnd());
            assertEquals(List.of(name(1), name(2)), store.files().stream().map(BinlogFileInfo::name).toList());
            assertEquals(Optional.of(new MariaGtidRef(0, 1, 2)), store.lastMariaGtid(0));
            assertEquals(Optional.empty(), store.findMariaGtid(0, 3));
            assertEquals(java.util.Set.of(0L), store.mariaGtidDomains());
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                List<StoredEvent> read = drain(c);
                assertSameEvents(written, read);
            }
            // the writer continues at the committed end; readers see its events, not the stray ones
            TestLog more = new TestLog(store).rotate(name(2), 134);
            more.append(9);
            try (BinlogCursor c = store.openCursor(name(2), 134)) {
                assertSameEvent(more.written.get(0), c.next());
                assertNull(c.next());
            }
        }
        ILoggingEvent warning = logged.list.stream().filter(e -> e.getLevel() == Level.WARN).findFirst().orElseThrow();
        assertTrue(warning.getFormattedMessage().contains("removed 3 event records, 1 file records and 2 GTID index entries past the committed end 2:134"),
                warning.getFormattedMessage());

        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions()); RocksIterator it = raw.db.newIterator(raw.events)) {
            it.seek(Keys.event(2, 143));
            assertFalse(it.isValid(), "nothing after the new committed end");
            assertNull(raw.db.get(raw.files, Keys.file(3)));
            assertNull(raw.db.get(raw.gtid, Keys.gtid(0, 3)));
            assertNull(raw.db.get(raw.gtid, Keys.gtid(7, 1)));
        }
    }

    @Test
    void cleanOpenLogsNoWarning() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            new TestLog(store).rotate(name(1)).append(10);
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of(new BinlogPosition(name(1), 14)), store.committedEnd());
        }
        assertTrue(logged.list.stream().noneMatch(e -> e.getLevel() == Level.WARN), logged.list.toString());
    }

    @Test
    void eventsInAStoreThatNeverCommittedAreRemoved() {
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            raw.db.put(raw.events, Keys.event(1, 4), Values.event(3, new byte[] {1}));
        } catch (org.rocksdb.RocksDBException e) {
            throw new AssertionError(e);
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.empty(), store.committedEnd());
            new TestLog(store).rotate(name(1)).append(10);
            assertEquals(Optional.of(new BinlogPosition(name(1), 14)), store.committedEnd());
        }
        assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("removed 1 event records")));
    }

    @Test
    void fileRecordsWithoutACommittedEndAreRefused() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            new TestLog(store).rotate(name(1)).append(10);
        }
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            raw.db.delete(raw.meta, Values.utf8(Values.META_COMMITTED));
        }
        StoreException e = assertThrows(StoreException.class, () -> BinlogStore.open(dir, TestLog.fastOptions()));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("no committed end"), e.getMessage());
        // the failed open released RocksDB's lock: the store can be opened raw again
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            assertNull(raw.db.get(raw.meta, Values.utf8(Values.META_COMMITTED)));
        }
    }

    @Test
    void laterLayoutVersionIsRefused() throws Exception {
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            raw.db.put(raw.meta, Values.utf8(Values.META_FORMAT), Values.utf8("5")); // one after the version this relay writes
        }
        StoreException e = assertThrows(StoreException.class, () -> BinlogStore.open(dir, TestLog.fastOptions()));
        assertTrue(e.getMessage().contains("layout version 5"), e.getMessage());
    }

    /**
     * A kill between writing a batch's bytes to the event file and writing its index leaves bytes past the committed
     * end (and an event file of a file never recorded): opening cuts them and deletes it, the store reads as it was,
     * and the next group is stored where the cut bytes were.
     */
    @Test
    void eventBytesPastTheCommittedEndAreCut() throws Exception {
        List<StoredEvent> written;
        long committed;
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store).rotate(name(1)).append(30, 40, 50);
            written = new java.util.ArrayList<>(log.written);
            committed = store.committedEnd().orElseThrow().position();
        }
        java.nio.file.Path file1 = EventFiles.dirOf(dir).resolve("0000000001");
        java.nio.file.Path file2 = EventFiles.dirOf(dir).resolve("0000000002");
        assertEquals(committed, java.nio.file.Files.size(file1));
        java.nio.file.Files.write(file1, new byte[777], java.nio.file.StandardOpenOption.APPEND);
        java.nio.file.Files.write(file2, new byte[] {1, 2, 3});
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(committed, java.nio.file.Files.size(file1), "cut to the committed end");
            assertFalse(java.nio.file.Files.exists(file2), "the event file of a file never recorded is deleted");
            TestLog more = new TestLog(store).rotate(name(1), committed);
            more.append(60);
            written.addAll(more.written);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                List<StoredEvent> read = drain(c);
                assertSameEvents(written, read);
            }
        }
        assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("cut 777 bytes past the committed end")),
                "the cut is logged");
    }

    /** An event file shorter than its index (bytes lost) is refused with one line naming the file and the way out. */
    @Test
    void anEventFileShorterThanItsIndexIsRefused() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            new TestLog(store).rotate(name(1)).append(30, 40, 50);
        }
        java.nio.file.Path file1 = EventFiles.dirOf(dir).resolve("0000000001");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file1, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        StoreException e = assertThrows(StoreException.class, () -> BinlogStore.open(dir, TestLog.fastOptions()));
        assertTrue(e.getMessage().contains(file1.toString()) && e.getMessage().contains("were lost")
                && e.getMessage().contains(name(1)), e.getMessage());
    }
}
