package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.assertSameEvents;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinlogStoreRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void emptyStoreHasNoEndNoFilesNoGtids() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.empty(), store.committedEnd());
            assertEquals(List.of(), store.files());
            assertEquals(Optional.empty(), store.file(name(1)));
            assertEquals(Optional.empty(), store.state().meta("anything"));
            assertTrue(store.mariaGtidDomains().isEmpty());
        }
    }

    @Test
    void eventsReadBackInOrderAcrossFiles() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(120).append(30, 40, 50);
            log.rotate(name(2)).append(120).append(19);
            log.rotate(name(3)).append(120).append(60, 70);

            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                List<StoredEvent> read = drain(c);
                assertSameEvents(log.written, read);
                assertEquals(new BinlogPosition(name(3), 4 + 120 + 60 + 70), c.position());
                assertNull(c.next(), "still at the end");
            }
            assertEquals(List.of(new BinlogFileInfo(name(1), 1, 4 + 120 + 120, 4), new BinlogFileInfo(name(2), 2, 4 + 139, 4),
                    new BinlogFileInfo(name(3), 3, 4 + 250, 4)), store.files());
            assertEquals(Optional.of(new BinlogPosition(name(3), 254)), store.committedEnd());
            assertEquals(Optional.of(new BinlogFileInfo(name(2), 2, 143, 4)), store.file(name(2)));
        }
    }

    @Test
    void positionStaysAtTheEndOfAFileUntilTheNextEventIsRead() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100);
            log.rotate(name(2)).append(50);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                assertEquals(new BinlogPosition(name(1), 4), c.position());
                assertEquals(4, c.next().position());
                assertEquals(new BinlogPosition(name(1), 104), c.position(), "at the end of a file with a successor");
                StoredEvent second = c.next();
                assertEquals(name(2), second.file());
                assertEquals(4, second.position());
                assertEquals(new BinlogPosition(name(2), 54), c.position());
            }
        }
    }

    @Test
    void firstFileMayStartInsideTheFile() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(7), 1000).append(10, 20);
            log.rotate(name(8)).append(30);
            assertEquals(new BinlogFileInfo(name(7), 1, 1030, 1000), store.file(name(7)).orElseThrow());
            try (BinlogCursor c = store.openCursor(name(7), 1000)) {
                assertEquals(3, drain(c).size());
            }
        }
    }

    @Test
    void reopenKeepsFilesMetaGtidIndexAndCommittedEnd() throws Exception {
        List<BinlogFileInfo> files;
        TestLog log;
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults().withWriteBufferBytes(4L << 20))) {
            log = new TestLog(store);
            log.rotate(name(1)).appendWithGtid(new MariaGtidRef(0, 11, 1), Map.of("gtid_pos", "0-11-1"), 40, 50);
            log.rotate(name(2)).appendWithGtid(new MariaGtidRef(0, 11, 2), Map.of("gtid_pos", "0-11-2"), 60, 70);
            log.appendWithGtid(new MariaGtidRef(5, 12, 900), Map.of("gtid_pos", "0-11-2,5-12-900"), 80);
            store.state().write(Map.of("server_version", "10.11.6-MariaDB", "checksum", "CRC32"), List.of());
            files = store.files();
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(files, store.files());
            assertEquals(Optional.of(new BinlogPosition(name(2), 4 + 60 + 70 + 80)), store.committedEnd());
            assertEquals(Optional.of("0-11-2,5-12-900"), store.state().meta("gtid_pos"));
            assertEquals(Optional.of("10.11.6-MariaDB"), store.state().meta("server_version"));
            assertEquals(Optional.of("CRC32"), store.state().meta("checksum"));
            assertEquals(Optional.of(new BinlogPosition(name(2), 4)), store.findMariaGtid(0, 2));
            assertEquals(Optional.of(new BinlogPosition(name(2), 134)), store.findMariaGtid(5, 900));
            assertEquals(Optional.of(new MariaGtidRef(0, 11, 1)), store.firstMariaGtid(0));
            assertEquals(java.util.Set.of(0L, 5L), store.mariaGtidDomains());
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                List<StoredEvent> read = drain(c);
                assertSameEvents(log.written, read);
            }
            // and the writer continues where it stopped
            TestLog more = new TestLog(store).rotate(name(2), store.committedEnd().orElseThrow().position());
            more.append(25);
            assertEquals(Optional.of(new BinlogPosition(name(2), 239)), store.committedEnd());
            more.rotate(name(3)).append(33);
            assertEquals(3, store.file(name(3)).orElseThrow().sequence());
        }
    }

    @Test
    void twentyMebibyteEventFromCacheAndFromRocksDb() throws Exception {
        int big = 20 << 20;
        TestLog log;
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false))) {
            log = new TestLog(store);
            log.rotate(name(1)).append(100).append(60, big + 1, 27).append(50);
            long hits = store.stats().cacheStats().hitCount();
            try (BinlogCursor c = store.openCursor(name(1), 164)) {
                assertSameEvent(log.written.get(2), c.next());
                assertSameEvent(log.written.get(3), c.next());
            }
            // a cursor adds its counts to the statistics in batches, and when it closes
            assertEquals(hits + 2, store.stats().cacheStats().hitCount(), "the big event and the next came from the hot cache");
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            try (BinlogCursor c = store.openCursor(name(1), 104)) {
                List<StoredEvent> read = drain(c);
                assertEquals(4, read.size());
                assertEquals(0, store.stats().cacheStats().hitCount(), "after a reopen everything comes from RocksDB");
                for (int i = 0; i < read.size(); i++) {
                    assertSameEvent(log.written.get(i + 1), read.get(i));
                }
            }
            try (BinlogCursor c = store.openCursor(name(1), 4 + 100 + 60 + big + 1)) {
                assertSameEvent(log.written.get(3), c.next());
            }
        }
    }
}
