package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layout 4's event files: the primary's bytes at its positions, read back as mapped views or, across a region's end, copied. */
class EventFilesTest {
    @TempDir
    Path dir;

    private static StoreOptions noHotCache() {
        return TestLog.fastOptions().withCacheBytes(0);
    }

    /**
     * Readers of files the writer has not opened (after a restart, catching up) hold at most a bounded number of
     * read-only channels, least recently used closed first; a reader whose channel was closed under it opens it
     * again and reads on.
     */
    @Test
    void readChannelsOfOldFilesAreBoundedAndReopenedWhenNeeded() throws Exception {
        List<StoredEvent> written;
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store);
            for (int f = 1; f <= 4; f++) {
                log.rotate(name(f));
                for (int g = 0; g < (f == 1 ? 300 : 20); g++) { // the first file spans several 1 MiB windows
                    log.append(31 + g % 20, 200 + 37 * (g % 20), 9000 - 150 * (g % 20));
                }
            }
            written = log.written;
        }
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            EventFiles files = store.context().rocks().eventFiles;
            files.mapRegions(4096, 1024); // runs across regions' ends are read with pread, through the channels
            files.reads().max(2);
            try (BinlogCursor first = store.openCursor(name(1), 4)) {
                List<StoredEvent> got = new java.util.ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    got.add(first.next());
                }
                for (int f = 2; f <= 4; f++) { // three other files: the first one's channel is closed meanwhile
                    try (BinlogCursor c = store.openCursor(name(f), 4)) {
                        drain(c);
                    }
                    assertTrue(files.reads().size() <= 2, "read channels: " + files.reads().size());
                }
                got.addAll(drain(first));
                TestLog.assertSameEvents(written, got);
            }
            assertTrue(files.reads().size() <= 2);
        }
    }

    /**
     * The writer keeps a descriptor for the newest file only (and older ones until their bytes are fsynced): a relay
     * running for months kept one per file it ever wrote. Counted from the process's open descriptors.
     */
    @Test
    void theWriterKeepsADescriptorForTheNewestFileOnly() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(fds), "needs /proc/self/fd (Linux)");
        for (boolean fsync : new boolean[] {true, false}) {
            Path store = dir.resolve(fsync ? "synced" : "unsynced");
            EventFiles files = new EventFiles(store, fsync);
            try {
                for (int seq = 1; seq <= 20; seq++) {
                    files.write(seq, 4, TestLog.bytes(name(seq), 4, 100));
                    if (fsync && seq % 5 == 0) {
                        files.force(); // durable modes: a file's descriptor goes once its bytes are fsynced
                    }
                }
                files.force();
                assertEquals(1, openUnder(fds, EventFiles.dirOf(store)), (fsync ? "with" : "without") + " fsyncs");
                ByteBuffer back = ByteBuffer.allocate(100);
                files.read(7, name(7), 4, back);
                assertArrayEquals(TestLog.bytes(name(7), 4, 100), back.array(), "a retired file is read through its own");
            } finally {
                files.close();
            }
            assertEquals(0, openUnder(fds, EventFiles.dirOf(store)));
            assertEquals(20, files.forced(), "every file fsynced once (without fsyncs: by the close, retired ones too)");
        }
    }

    private static long openUnder(Path fds, Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(fds)) {
            return s.filter(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).startsWith(dir);
                } catch (java.io.IOException | UnsupportedOperationException e) {
                    return false; // closed meanwhile, or not a link
                }
            }).count();
        }
    }

    /**
     * With room for one read channel: reading another file closes the first one's, which is then read (and mapped)
     * through a new one; a read of a purged file says so, and one after the store closed says that.
     */
    @Test
    void anEvictedReadChannelIsClosedAndItsFileIsReadThroughANewOne() throws Exception {
        byte[][] content = new byte[4][];
        try (EventFiles writer = new EventFiles(dir, false)) {
            for (int seq = 1; seq <= 3; seq++) {
                content[seq] = TestLog.bytes(name(seq), 4, 1000);
                writer.write(seq, 4, content[seq]);
            }
        }
        EventFiles files = new EventFiles(dir, false);
        try {
            files.reads().max(1);
            ByteBuffer one = ByteBuffer.allocate(1000);
            files.read(1, name(1), 4, one);
            assertArrayEquals(content[1], one.array());
            java.nio.channels.FileChannel first = files.reads().cached(1);
            assertTrue(first != null && first.isOpen());
            files.read(2, name(2), 4, ByteBuffer.allocate(1000));
            assertFalse(first.isOpen(), "the evicted channel is closed");
            assertNull(files.reads().cached(1));
            assertEquals(1, files.reads().size());
            ByteBuffer again = ByteBuffer.allocate(1000);
            files.read(1, name(1), 4, again);
            assertArrayEquals(content[1], again.array());
            ByteBuffer view = files.view(2, name(2), 4, 1004); // file 1 took file 2's place: mapped through a new one
            byte[] viewed = new byte[1000];
            view.get(viewed);
            assertArrayEquals(content[2], viewed);
            files.delete(3);
            StoreException purged = assertThrows(StoreException.class, () -> files.read(3, name(3), 4, ByteBuffer.allocate(10)));
            assertTrue(purged.getMessage().contains("was purged"), purged.getMessage());
        } finally {
            files.close();
        }
        StoreException closed = assertThrows(StoreException.class, () -> files.read(1, name(1), 4, ByteBuffer.allocate(10)));
        assertTrue(closed.getMessage().contains("as the store closed"), closed.getMessage());
        assertEquals(0, files.reads().size());
    }

    @Test
    void anEventFileHoldsThePrimarysBytesAtItsPositions() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store).rotate(name(1)).append(30, 400, 5000);
            byte[] file = java.nio.file.Files.readAllBytes(EventFiles.dirOf(dir).resolve("0000000001"));
            for (StoredEvent e : log.written) {
                byte[] at = java.util.Arrays.copyOfRange(file, (int) e.position(), (int) e.endPosition());
                assertArrayEquals(e.bytes(), at, "byte " + e.position() + " of the file is byte " + e.position() + " of the binlog");
            }
        }
    }

    /**
     * Events read behind the tail are views of the mapped file (no array until one is asked for); with regions of
     * 4 KiB, runs crossing a region's end (events of up to 9 KB) are copied instead, and every event reads the
     * same either way, from any start, while the file grows past the regions mapped before.
     */
    @Test
    void eventsReadAsViewsOrAcrossRegionsAsCopiesAreTheEventsWritten() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            store.context().rocks().eventFiles.mapRegions(4096, 1024);
            TestLog log = new TestLog(store).rotate(name(1));
            for (int g = 0; g < 40; g++) {
                log.append(31 + g, 200 + 37 * g, 9000 - 150 * g);
                if (g % 10 == 9) {
                    try (BinlogCursor c = store.openCursor(name(1), 4)) {
                        assertEquals(log.written.size(), drain(c).size(), "read while the file grows");
                    }
                }
            }
            boolean views = false;
            boolean arrays = false;
            for (int start : new int[] {0, 1, 17, log.written.size() / 2, log.written.size() - 1}) {
                StoredEvent from = log.written.get(start);
                try (BinlogCursor c = store.openCursor(from.file(), from.position())) {
                    List<StoredEvent> read = drain(c);
                    List<StoredEvent> expected = log.written.subList(start, log.written.size());
                    assertEquals(expected.size(), read.size());
                    for (int i = 0; i < read.size(); i++) {
                        StoredEvent e = read.get(i);
                        views |= !e.hasArray();
                        ByteBuffer v = e.view();
                        byte[] viaView = new byte[v.remaining()];
                        v.get(viaView);
                        arrays |= e.hasArray();
                        assertArrayEquals(expected.get(i).bytes(), viaView, "view of " + e);
                        assertEquals(expected.get(i).bytes()[4] & 0xFF, e.byteAt(4));
                        assertSameEvent(expected.get(i), e);
                    }
                }
            }
            assertTrue(views, "some events were mapped views");
            assertTrue(arrays, "some runs crossed a region's end and were copied");
        }
    }

    @Test
    void aViewOutlivesThePurgeOfItsFile() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store).rotate(name(1)).append(30, 4000, 50);
            log.rotate(name(2)).append(60);
            StoredEvent big;
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                big = drain(c).get(1);
            }
            assertFalse(big.hasArray(), "read as a view");
            store.purgeFilesBefore(name(2));
            assertFalse(java.nio.file.Files.exists(EventFiles.dirOf(dir).resolve("0000000001")), "the file is gone");
            assertArrayEquals(log.written.get(1).bytes(), big.bytes(), "what a reader held is still readable");
            assertThrows(PositionException.class, () -> store.openCursor(name(1), 4));
        }
    }

    @Test
    void aViewAcrossTheEndOfAMappedRegionIsRefusedAndAShortFileIsAnError() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            new TestLog(store).rotate(name(1)).append(3000, 3000);
            EventFiles files = store.context().rocks().eventFiles;
            files.mapRegions(4096, 1024);
            assertNull(files.view(1, name(1), 4000, 5200), "crosses 4096 + 1024");
            assertEquals(1000, files.view(1, name(1), 4000, 5000).remaining());
            StoreException e = assertThrows(StoreException.class, () -> files.view(1, name(1), 5000, 7000));
            assertTrue(e.getMessage().contains("ends at 6004"), e.getMessage());
        }
    }

    /**
     * A reader just behind a growing file (no hot cache) reads what each commit added: the file is mapped again
     * only once it has grown {@link MappedRegions#REMAP_STEP} past its mapping, the few new bytes in between are copied.
     */
    @Test
    void aGrowingFileIsNotMappedAgainForEveryCommit() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store).rotate(name(1)).append(1000);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                int read = 0;
                for (int g = 0; g < 400; g++) {
                    log.append(31, 20_000, 27); // 8 MB in all
                    List<StoredEvent> got = new java.util.ArrayList<>();
                    for (StoredEvent e; (e = c.next()) != null; ) {
                        got.add(e);
                    }
                    for (StoredEvent e : got) {
                        assertSameEvent(log.written.get(read++), e);
                    }
                }
                assertEquals(log.written.size(), read);
            }
            long maps = store.context().rocks().eventFiles.mappings();
            assertTrue(maps >= 1 && maps <= 4, "mappings of an 8 MB file read at every commit: " + maps);
        }
    }
}
