package dev.binlogrelay.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.assertSameEvents;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention: whole files purged oldest first, atomically, with what was purged remembered. */
class PurgeTest {
    @TempDir
    Path dir;
    BinlogStore store;
    TestLog log;

    /**
     * Four files. Domain 0 runs through all of them; domain 3 only in file 1; domain 5 in files 2 and 4.
     */
    @BeforeEach
    void fill() {
        store = BinlogStore.open(dir, TestLog.fastOptions());
        log = new TestLog(store);
        log.rotate(name(1)).append(100);
        log.appendWithGtid(new MariaGtidRef(0, 1, 10), Map.of(), 40, 50);  // 104
        log.appendWithGtid(new MariaGtidRef(3, 2, 7), Map.of(), 40, 50);   // 194
        log.appendWithGtid(new MariaGtidRef(0, 1, 11), Map.of(), 40, 50);  // 284
        log.append(30);                                                    // 374: rotate, ends at 404
        log.rotate(name(2)).append(100);
        log.appendWithGtid(new MariaGtidRef(0, 1, 12), Map.of(), 40, 50);  // 104
        log.appendWithGtid(new MariaGtidRef(5, 1, 100), Map.of(), 40, 50); // 194
        log.append(30);
        log.rotate(name(3)).append(100);
        log.appendWithGtid(new MariaGtidRef(0, 1, 13), Map.of(), 40, 50);  // 104
        log.append(30);
        log.rotate(name(4)).append(100);
        log.appendWithGtid(new MariaGtidRef(0, 1, 14), Map.of(), 40, 50);  // 104
        log.appendWithGtid(new MariaGtidRef(5, 1, 101), Map.of(), 40, 50); // 194
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<String> fileNames() {
        return store.files().stream().map(BinlogFileInfo::name).toList();
    }

    private List<StoredEvent> writtenFrom(String file) {
        int i = 0;
        while (!log.written.get(i).file().equals(file)) {
            i++;
        }
        return log.written.subList(i, log.written.size());
    }

    @Test
    void purgesWholeFilesOldestFirstAndKeepsTheRest() throws Exception {
        long before = store.storedBytes();
        long first = store.file(name(1)).orElseThrow().storedBytes();
        long second = store.file(name(2)).orElseThrow().storedBytes();

        PurgeResult r = store.purgeFilesBefore(name(3));

        assertEquals(List.of(name(1), name(2)), r.purged().stream().map(BinlogFileInfo::name).toList());
        assertEquals(Optional.empty(), r.stoppedAtReader());
        assertEquals(first + second, r.bytes());
        assertEquals(List.of(name(3), name(4)), fileNames());
        assertEquals(before - first - second, store.storedBytes());
        assertEquals(Optional.of(new BinlogPosition(name(4), 284)), store.committedEnd(), "the end does not move");
        try (BinlogCursor c = store.openCursor(name(3), 4)) {
            List<StoredEvent> rest = drain(c);
            List<StoredEvent> expected = writtenFrom(name(3));
            assertEquals(expected.size(), rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertSameEvent(expected.get(i), rest.get(i));
            }
        }
        try (RocksIterator it = store.context().rocks().db.newIterator(store.context().rocks().events)) {
            it.seekToFirst();
            assertEquals(3, Keys.eventFile(it.key()), "no event of a purged file is left");
            assertEquals(4, Keys.eventPosition(it.key()));
        }
        try (RocksIterator it = store.context().rocks().db.newIterator(store.context().rocks().files)) {
            it.seekToFirst();
            assertEquals(3, Keys.fileSeq(it.key()), "no file record of a purged file is left");
        }
    }

    @Test
    void theNewestFileAndTheTargetStay() {
        assertEquals(List.of(), store.purgeFilesBefore(name(1)).purged(), "nothing is older than the oldest file");
        PurgeResult r = store.purgeFilesBefore(name(4));
        assertEquals(3, r.purged().size());
        assertEquals(List.of(name(4)), fileNames());
        assertEquals(List.of(), store.purgeFilesBefore(name(4)).purged(), "the newest file is never purged");
        assertEquals(List.of(), store.purgeFilesBefore(name(2)).purged(), "purging a purged range again is a no-op");
        StoreException unknown = assertThrows(StoreException.class, () -> store.purgeFilesBefore("other-bin.000001"));
        assertTrue(unknown.getMessage().contains("other-bin.000001"), unknown.getMessage());
        // the writer carries on in the newest file and in new ones
        log.appendWithGtid(new MariaGtidRef(0, 1, 15), Map.of(), 40);
        log.rotate(name(5)).append(100);
        assertEquals(List.of(name(4), name(5)), fileNames());
    }

    @Test
    void aPurgedFileIsRefusedNamingTheOldestAvailablePosition() {
        store.purgeFilesBefore(name(3));
        for (String purged : List.of(name(1), name(2))) {
            PositionException e = assertThrows(PositionException.class, () -> store.openCursor(purged, 4));
            assertEquals("Could not find first log file name in binary log index file: " + purged
                    + " was purged from the relay; the oldest available position is mariadb-bin.000003:4", e.getMessage());
        }
        PositionException other = assertThrows(PositionException.class, () -> store.openCursor("other-bin.000001", 4));
        assertTrue(other.getMessage().contains("'other-bin.000001' is not among the binlog files the relay holds"
                + " (mariadb-bin.000003 to mariadb-bin.000004)"), other.getMessage());
        PositionException later = assertThrows(PositionException.class, () -> store.openCursor(name(9), 4));
        assertFalse(later.getMessage().contains("purged"), "a file after the held ones was never purged: " + later.getMessage());
        assertEquals(0, store.stats().openCursors());
    }

    @Test
    void gtidIndexEntriesOfPurgedFilesAreRemoved() {
        store.purgeFilesBefore(name(3));
        List<long[]> left = new ArrayList<>(); // {domain, sequence, file}
        try (RocksIterator it = store.context().rocks().db.newIterator(store.context().rocks().gtid)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                left.add(new long[] {Keys.gtidDomain(it.key()), Keys.gtidSequence(it.key()), Values.gtidFileSeq(it.value())});
            }
        }
        assertEquals(List.of("0-13@3", "0-14@4", "5-101@4"), left.stream().map(e -> e[0] + "-" + e[1] + "@" + e[2]).toList());
        assertEquals(Optional.empty(), store.findMariaGtid(0, 12));
        assertEquals(Optional.of(new BinlogPosition(name(3), 104)), store.findMariaGtid(0, 13));
        assertEquals(Optional.of(new MariaGtidRef(0, 1, 13)), store.firstMariaGtid(0));
        assertEquals(Optional.of(new MariaGtidRef(5, 1, 101)), store.firstMariaGtid(5));
        assertEquals(Set.of(0L, 5L), store.mariaGtidDomains(), "domain 3 lived only in purged files");
    }

    /**
     * Domain 3 lives only in the purged file when the purge plans; the writer then adds one of its GTIDs to the
     * newest file before the purge commits: that entry stays (before, the purge deleted the domain's whole key range).
     */
    @Test
    void aGtidWrittenBetweenAPurgesPlanAndItsCommitStays() {
        store.purger().afterPlan(() -> log.appendWithGtid(new MariaGtidRef(3, 2, 8), Map.of(), 40, 50)); // 4:284
        store.purgeFilesBefore(name(2));
        assertEquals(Optional.of(new BinlogPosition(name(4), 284)), store.findMariaGtid(3, 8));
        assertEquals(Optional.empty(), store.findMariaGtid(3, 7));
    }

    @Test
    void thePurgedStateIsTheLastGtidPerDomainOverThePreviousOne() {
        assertEquals(Optional.empty(), store.purgedRange());
        store.purgeFilesBefore(name(2));
        PurgedRange one = store.purgedRange().orElseThrow();
        assertEquals("0-1-11,3-2-7", one.gtidStateText());
        assertEquals(new BinlogPosition(name(2), 4), one.firstAvailable());
        assertEquals(name(1), one.firstFile());
        assertEquals(name(1), one.lastFile());
        assertEquals(1, one.files());

        store.purgeFilesBefore(name(4));
        PurgedRange three = store.purgedRange().orElseThrow();
        assertEquals("0-1-13,3-2-7,5-1-100", three.gtidStateText(), "domain 3 is remembered from the first purge");
        assertEquals(List.of(new MariaGtidRef(0, 1, 13), new MariaGtidRef(3, 2, 7), new MariaGtidRef(5, 1, 100)), three.gtidState());
        assertEquals(new BinlogPosition(name(4), 4), three.firstAvailable());
        assertEquals(name(1), three.firstFile());
        assertEquals(name(3), three.lastFile());
        assertEquals(3, three.files());
        assertEquals(404 - 4 + 314 - 4 + 224 - 4, three.bytes());
    }

    @Test
    void aPurgeSurvivesReopening() throws Exception {
        store.purgeFilesBefore(name(3));
        PurgedRange range = store.purgedRange().orElseThrow();
        List<BinlogFileInfo> files = store.files();
        store.close();

        store = BinlogStore.open(dir, TestLog.fastOptions());
        assertEquals(files, store.files());
        assertEquals(Optional.of(range), store.purgedRange());
        PositionException e = assertThrows(PositionException.class, () -> store.openCursor(name(1), 4));
        assertTrue(e.getMessage().contains("was purged from the relay; the oldest available position is mariadb-bin.000003:4"),
                e.getMessage());
        assertEquals(Optional.of(new MariaGtidRef(0, 1, 13)), store.firstMariaGtid(0));
        // and the store goes on: append, purge again, reopen again
        log = new TestLog(store);
        log.rotate(name(5)).append(100);
        store.purgeFilesBefore(name(5));
        store.close();
        store = BinlogStore.open(dir, TestLog.fastOptions());
        assertEquals(List.of(name(5)), fileNames());
        assertEquals("0-1-14,3-2-7,5-1-101", store.purgedRange().orElseThrow().gtidStateText());
    }

    @Test
    void aCursorInsideAFileBlocksItsPurge() throws Exception {
        BinlogCursor reader = store.openCursor(name(2), 104);
        PurgeResult r = store.purgeFilesBefore(name(4));
        assertEquals(List.of(name(1)), r.purged().stream().map(BinlogFileInfo::name).toList());
        assertEquals(Optional.of(name(2)), r.stoppedAtReader().map(BinlogFileInfo::name));
        assertEquals(List.of(name(2), name(3), name(4)), fileNames());
        assertSameEvent(writtenFrom(name(2)).get(1), reader.next()); // the reader goes on undisturbed

        // a cursor at the very end of a file is still in it
        BinlogCursor atEnd = store.openCursor(name(2), 314);
        reader.close();
        assertEquals(Optional.of(name(2)), store.purgeFilesBefore(name(4)).stoppedAtReader().map(BinlogFileInfo::name));
        assertSameEvent(writtenFrom(name(3)).get(0), atEnd.next()); // moves on to file 3
        PurgeResult next = store.purgeFilesBefore(name(4));
        assertEquals(List.of(name(2)), next.purged().stream().map(BinlogFileInfo::name).toList());
        assertEquals(Optional.of(name(3)), next.stoppedAtReader().map(BinlogFileInfo::name));
        atEnd.close();
        assertEquals(List.of(name(3)), store.purgeFilesBefore(name(4)).purged().stream().map(BinlogFileInfo::name).toList());
        assertEquals(List.of(name(4)), fileNames());
    }

    @Test
    void lastEventAndStoredBytes() {
        StoredEvent last = store.lastEvent(name(1)).orElseThrow();
        assertSameEvent(log.written.get(7), last);
        assertEquals(374, last.position());
        assertEquals(Optional.empty(), store.lastEvent("nope"));
        assertEquals(400 + 310 + 220 + 280, store.storedBytes());
    }

    @Test
    void eventEndingAtAPosition() {
        assertSameEvent(log.written.get(0), store.eventEndingAt(name(1), 104).orElseThrow());
        assertSameEvent(log.written.get(1), store.eventEndingAt(name(1), 144).orElseThrow());
        assertSameEvent(log.written.get(7), store.eventEndingAt(name(1), 404).orElseThrow()); // the file's last
        assertEquals(Optional.empty(), store.eventEndingAt(name(1), 120), "inside an event");
        assertEquals(Optional.empty(), store.eventEndingAt(name(1), 4), "nothing before the first event");
        assertEquals(Optional.empty(), store.eventEndingAt(name(1), 405), "beyond the file's end");
        assertEquals(Optional.empty(), store.eventEndingAt(name(4), 300), "beyond the newest file's committed end");
        assertEquals(Optional.empty(), store.eventEndingAt("nope", 104));
        store.purgeFilesBefore(name(2));
        assertEquals(Optional.empty(), store.eventEndingAt(name(1), 104), "purged");
        assertSameEvent(log.written.get(8), store.eventEndingAt(name(2), 104).orElseThrow());
    }

    @Test
    void purgingGivesTheDiskSpaceBack(@TempDir Path other) throws Exception {
        try (BinlogStore s = BinlogStore.open(other, TestLog.fastOptions().withCacheBytes(0))) {
            TestLog big = new TestLog(s);
            for (int f = 1; f <= 4; f++) {
                big.rotate(name(f)).append(100);
                for (int g = 0; g < 64; g++) {
                    big.appendWithGtid(new MariaGtidRef(0, 1, f * 1000L + g), Map.of(), 40, 16_000); // incompressible
                }
            }
            RocksHandles rocks = s.context().rocks();
            rocks.db.flush(new org.rocksdb.FlushOptions().setWaitForFlush(true), rocks.events);
            long before = storeBytes(rocks, other);
            assertTrue(before > 3_000_000, "the events are on disk: " + before);
            s.purgeFilesBefore(name(4));
            long after = storeBytes(rocks, other);
            assertTrue(after < before / 2, "store bytes " + before + " -> " + after);
        }
    }

    /**
     * A purge deletes the purged files' event files (layout 4 keeps the events' bytes there), large events
     * included, and nothing of the kept file.
     */
    @Test
    void purgingDeletesTheEventFiles(@TempDir Path other) throws Exception {
        try (BinlogStore s = BinlogStore.open(other, TestLog.fastOptions().withCacheBytes(0))) {
            TestLog big = new TestLog(s);
            RocksHandles rocks = s.context().rocks();
            for (int f = 1; f <= 4; f++) {
                big.rotate(name(f)).append(100);
                for (int g = 0; g < 3; g++) {
                    big.appendWithGtid(new MariaGtidRef(0, 1, f * 1000L + g), Map.of(), 40, 1_500_000);
                }
            }
            for (long seq = 1; seq <= 4; seq++) {
                assertTrue(java.nio.file.Files.size(rocks.eventFiles.path(seq)) > 3 * 1_500_000L, "event file #" + seq + " holds the events");
            }
            long kept = java.nio.file.Files.size(rocks.eventFiles.path(4));
            s.purgeFilesBefore(name(4));
            assertEquals(List.of(4L), StoreRecovery.present(EventFiles.dirOf(rocks.dir)));
            assertEquals(kept, java.nio.file.Files.size(rocks.eventFiles.path(4)));
            assertEquals(List.of(name(4)), fileNames(s));
            try (BinlogCursor c = s.openCursor(name(4), 4)) {
                List<StoredEvent> read = drain(c);
                List<StoredEvent> expected = big.written.stream().filter(e -> e.file().equals(name(4))).toList();
                assertSameEvents(expected, read, "the kept file reads whole");
            }
        }
    }

    private static List<String> fileNames(BinlogStore s) {
        return s.files().stream().map(BinlogFileInfo::name).toList();
    }

    /** SST bytes of the events plus the event files: what the store's events take on disk. */
    private static long storeBytes(RocksHandles rocks, Path dir) throws Exception {
        long files = 0;
        for (long seq : StoreRecovery.present(EventFiles.dirOf(rocks.dir))) {
            files += java.nio.file.Files.size(rocks.eventFiles.path(seq));
        }
        return sstBytes(rocks) + files;
    }

    private static long sstBytes(RocksHandles rocks) throws Exception {
        return Long.parseLong(rocks.db.getProperty(rocks.events, "rocksdb.live-sst-files-size"));
    }

    @Test
    void purgeWhileTheWriterAppendsAndReadersOpenLosesNothing() throws Exception {
        // files 1-4 exist; a writer adds files 5..24 while purges and readers run
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            java.util.concurrent.Future<?> writer = pool.submit(() -> {
                for (int f = 5; f <= 24; f++) {
                    log.rotate(name(f)).append(100);
                    for (int g = 0; g < 20; g++) {
                        log.appendWithGtid(new MariaGtidRef(0, 1, f * 100L + g), Map.of(), 40, 50);
                    }
                }
            });
            java.util.concurrent.Future<Integer> readers = pool.submit(() -> {
                int opened = 0;
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                // while the writer runs, and (bounded) until one pass completed: a fast writer may finish first
                while ((!writer.isDone() || opened == 0) && System.nanoTime() < deadline) {
                    String oldest = store.files().get(0).name();
                    try (BinlogCursor c = store.openCursor(oldest, 4)) {
                        for (StoredEvent e = c.next(); e != null; e = c.next()) {
                            TestLog.assertGenuine(e);
                        }
                        opened++;
                    } catch (PositionException e) {
                        assertTrue(e.getMessage().contains("was purged from the relay"), e.getMessage());
                    }
                }
                return opened;
            });
            int purgedWhileWriting = 0;
            while (!writer.isDone()) {
                List<BinlogFileInfo> files = store.files();
                if (files.size() > 2) {
                    purgedWhileWriting += store.purgeFilesBefore(files.get(files.size() - 2).name()).purged().size();
                }
            }
            writer.get();
            assertTrue(readers.get() > 0, "some readers read");
            assertTrue(purgedWhileWriting > 0, "some purges ran while the writer appended");
        } finally {
            pool.shutdownNow();
        }
        store.purgeFilesBefore(name(23));
        assertEquals(List.of(name(23), name(24)), fileNames());
        assertEquals(Optional.of(new BinlogPosition(name(24), 4 + 100 + 20 * 90)), store.committedEnd(), "no append was lost");
        assertEquals("0-1-2219,3-2-7,5-1-101", store.purgedRange().orElseThrow().gtidStateText());
        store.close();
        store = BinlogStore.open(dir, TestLog.fastOptions());
        assertEquals(List.of(name(23), name(24)), fileNames(), "what was published is what is on disk");
        try (BinlogCursor c = store.openCursor(name(23), 4)) {
            assertEquals(2 * (1 + 20 * 2), drain(c).size());
        }
    }

    @Test
    void tableWithoutFilesBefore() {
        BinlogFileInfo a = new BinlogFileInfo("a.000001", 1, 500, 4);
        BinlogFileInfo b = new BinlogFileInfo("a.000002", 2, 300, 4);
        BinlogFileInfo c = new BinlogFileInfo("a.000003", 3, 100, 4);
        FileTable t = FileTable.of(List.of(a, b, c));
        FileTable cut = t.withoutFilesBefore(2);
        assertEquals(List.of(b, c), cut.all());
        assertNull(cut.bySequence(1));
        assertNull(cut.byName("a.000001"));
        assertEquals(b, cut.bySequence(2));
        assertEquals(b, cut.oldest());
        assertEquals(List.of(c), t.withoutFilesBefore(3).all());
        assertEquals(t.all(), t.withoutFilesBefore(1).all());
        assertThrows(IllegalStateException.class, () -> t.withoutFilesBefore(4));
        BinlogFileInfo d = new BinlogFileInfo("a.000004", 4, 4, 4);
        assertEquals(List.of(c, d), t.withoutFilesBefore(3).withNewFile(d).all());
        assertEquals(List.of(b, c), FileTable.of(List.of(b, c)).all(), "recovered tables may start after #1");
    }

    @Test
    void purgedRangeCoversFilesByNameOrder() {
        PurgedRange r = new PurgedRange("mariadb-bin.000008", "mariadb-bin.000012", new BinlogPosition("mariadb-bin.000013", 4),
                List.of(), 5, 5000);
        for (int n = 8; n <= 12; n++) {
            assertTrue(r.covers(name(n)), name(n));
        }
        assertFalse(r.covers(name(7)));
        assertFalse(r.covers(name(13)));
        assertFalse(r.covers("other-bin.000009"));
        assertFalse(r.covers("mariadb-bin.00000x"));
        assertTrue(r.covers("mariadb-bin.10"), "numbers compare as numbers");
        PurgedRange odd = new PurgedRange("first", "last", new BinlogPosition("next", 4), List.of(), 2, 10);
        assertTrue(odd.covers("first"));
        assertTrue(odd.covers("last"));
        assertFalse(odd.covers("middle"));
        assertEquals(List.of(new MariaGtidRef(0, 1, 5), new MariaGtidRef(4294967295L, 2, -2L)),
                PurgedRange.parseGtids("4294967295-2-18446744073709551614, 0-1-5"));
    }
}
