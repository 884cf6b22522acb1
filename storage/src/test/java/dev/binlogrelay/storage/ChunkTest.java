package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.assertSameEvents;
import static dev.binlogrelay.storage.TestLog.drain;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events stored in chunks: the value layout, how a write burst is cut, and reads of events inside a chunk. */
class ChunkTest {
    @TempDir
    Path dir;

    private static StoreOptions noHotCache() {
        return TestLog.fastOptions().withCacheBytes(0);
    }

    private static byte[] chunk(int[] flags, byte[]... events) {
        int[] lengths = new int[events.length];
        long bytes = 0;
        for (int i = 0; i < events.length; i++) {
            lengths[i] = events[i].length;
            bytes += events[i].length;
        }
        ByteBuffer b = ByteBuffer.allocate(Chunk.valueLength(events.length, bytes));
        Chunk.putHeader(b, events.length, flags, lengths);
        for (byte[] e : events) {
            b.put(e);
        }
        return b.array();
    }

    @Test
    void aChunkDecodesToItsEventsAndAOneEventValueToOne() {
        byte[] v = chunk(new int[] {1, 0, 2}, new byte[] {1, 2, 3}, new byte[] {4}, new byte[] {5, 6});
        assertEquals(Chunk.MARKER, v[0] & 0xFF);
        StoredEvent[] events = Chunk.events("f", 100, v);
        assertEquals(3, events.length);
        assertEquals(new StoredEvent("f", 103, new byte[] {4}, 0).position(), events[1].position());
        assertArrayEquals(new byte[] {5, 6}, events[2].bytes());
        assertEquals(2, events[2].flags());
        assertEquals(106, Chunk.end("f", 100, v));
        assertTrue(Chunk.startsEventAt("f", 100, v, 104));
        assertFalse(Chunk.startsEventAt("f", 100, v, 102));
        assertFalse(Chunk.startsEventAt("f", 100, v, 106));

        byte[] single = Values.event(3, new byte[] {7, 8});
        StoredEvent[] one = Chunk.events("f", 4, single);
        assertEquals(1, one.length);
        assertArrayEquals(new byte[] {7, 8}, one[0].bytes());
        assertEquals(3, one[0].flags());
        assertEquals(6, Chunk.end("f", 4, single));
        assertThrows(StoreException.class, () -> Values.event("f", 4, v), "a chunk is not one event");
    }

    @Test
    void aDamagedChunkHeaderIsReportedWithItsPosition() {
        byte[] v = chunk(new int[] {0, 0}, new byte[] {1, 2}, new byte[] {3});
        byte[] truncated = java.util.Arrays.copyOf(v, v.length - 1);
        StoreException e = assertThrows(StoreException.class, () -> Chunk.events("mariadb-bin.000001", 4, truncated));
        assertTrue(e.getMessage().contains("mariadb-bin.000001:4"), e.getMessage());
        byte[] oneCounted = v.clone();
        oneCounted[4] = 1;
        assertThrows(StoreException.class, () -> Chunk.count("f", 4, oneCounted));
    }

    @Test
    void flagsThatWouldReadAsTheMarkerAreRefused() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            EventToStore e = new EventToStore(4, new byte[] {1, 2}, Chunk.MARKER, null);
            assertThrows(StoreException.class, () -> store.writer().appendGroup(name(1), List.of(e), StateUpdate.ofMeta(java.util.Map.of())));
            assertEquals(Optional.empty(), store.committedEnd());
        }
    }

    /** Keys of the events column family: {file_seq, position, events in the value}. */
    private static List<long[]> records(Path dir) throws Exception {
        List<long[]> out = new ArrayList<>();
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions()); RocksIterator it = raw.db.newIterator(raw.events)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long seq = Keys.eventFile(it.key());
                long pos = Keys.eventPosition(it.key());
                out.add(new long[] {seq, pos, Chunk.count("#" + seq, pos, it.value()), Chunk.end("#" + seq, pos, it.value())});
            }
        }
        return out;
    }

    @Test
    void aBurstIsStoredAsChunksThatNeverCrossAWindow() throws Exception {
        List<StoredEvent> written;
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            TestLog log = new TestLog(store).rotate(name(1));
            log.append(100, 200, 300); // a small burst: one chunk
            int[] big = new int[1200]; // about 600 KB: three windows
            java.util.Arrays.fill(big, 500);
            log.append(big);
            log.append(2 << 20); // one event larger than a chunk: a value of its own
            log.append(50);
            written = log.written;
        }
        List<long[]> recs = records(dir);
        assertArrayEquals(new long[] {1, 4, 3, 604}, recs.get(0));
        long events = 0;
        long expectedStart = 4;
        for (long[] r : recs) {
            assertEquals(expectedStart, r[1], "records are contiguous");
            events += r[2];
            if (r[2] > 1) {
                long lastStart = r[3] - 500;
                assertEquals(SegmentCache.window(r[1]), SegmentCache.window(lastStart), "chunk at " + r[1] + " stays in its window");
            }
            expectedStart = r[3];
        }
        assertEquals(written.size(), events);
        assertTrue(recs.size() <= 1 + 4 + 2, "few records for " + events + " events: " + recs.size());
        long[] large = recs.get(recs.size() - 2);
        assertEquals(1, large[2], "the large event is alone");
        assertEquals(2 << 20, large[3] - large[1]);

        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                List<StoredEvent> read = drain(c);
                assertSameEvents(written, read);
            }
        }
    }

    @Test
    void everyEventInsideAChunkCanBeAStartAndNothingElseCan() throws Exception {
        List<StoredEvent> written;
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store).rotate(name(1));
            for (int g = 0; g < 5; g++) {
                log.append(40 + g, 300, 7);
            }
            written = log.written;
        }
        // reopened with the hot cache off: every read comes from the chunks
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            for (int i = 0; i < written.size(); i++) {
                StoredEvent at = written.get(i);
                try (BinlogCursor c = store.openCursor(name(1), at.position())) {
                    List<StoredEvent> read = drain(c);
                    assertEquals(written.size() - i, read.size(), "from " + at.position());
                    assertSameEvent(at, read.get(0));
                    assertSameEvent(written.get(written.size() - 1), read.get(read.size() - 1));
                }
                assertSameEvent(at, store.eventEndingAt(name(1), at.endPosition()).orElseThrow());
                assertThrows(PositionException.class, () -> store.openCursor(name(1), at.position() + 1),
                        "inside the event at " + at.position());
                assertEquals(Optional.empty(), store.eventEndingAt(name(1), at.endPosition() - 1));
            }
            StoredEvent last = written.get(written.size() - 1);
            assertSameEvent(last, store.lastEvent(name(1)).orElseThrow());
            try (BinlogCursor c = store.openCursor(name(1), last.endPosition())) {
                assertNull(c.next(), "the committed end is a valid start");
            }
        }
    }

    @Test
    void aChunkRunningPastTheCommittedEndIsRefused() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            new TestLog(store).rotate(name(1)).append(10, 20, 30);
        }
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            raw.db.put(raw.meta, Values.utf8(Values.META_COMMITTED), Values.utf8(Values.committed(1, 34)));
            raw.db.put(raw.files, Keys.file(1), Values.file(new BinlogFileInfo(name(1), 1, 34, 4)));
        }
        StoreException e = assertThrows(StoreException.class, () -> BinlogStore.open(dir, TestLog.fastOptions()));
        assertTrue(e.getMessage().contains("past the committed end 1:34"), e.getMessage());
    }

    /**
     * A store written by layout 2 (one value per event, bytes included) opens as it is: it is relabelled layout 4,
     * its events read as before, from any event, and new events go in chunks after them (their bytes in the event
     * file of layout 4).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "layout {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2, 3})
    void anOlderLayoutIsReadAsItIsAndGrowsInChunks(int layout) throws Exception {
        List<StoredEvent> written;
        int rewritten;
        TestLog log;
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            log = new TestLog(store).rotate(name(1));
            for (int g = 0; g < 50; g++) {
                log.append(30, 2000 + g, 10);
            }
            log.rotate(name(2)).append(40, 50);
            written = new ArrayList<>(log.written);
        }
        // rewrite it as layout 2 wrote it (one value per event holding its bytes) or layout 3 (chunks of up to three
        // events holding their bytes), with that layout version and no event files
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions()); RocksIterator it = raw.db.newIterator(raw.events)) {
            List<byte[]> keys = new ArrayList<>();
            for (it.seekToFirst(); it.isValid(); it.next()) {
                keys.add(it.key());
            }
            for (byte[] k : keys) {
                raw.db.delete(raw.events, k);
            }
            int per = layout == 2 ? 1 : 3;
            rewritten = 0;
            for (int i = 0; i < written.size(); ) {
                StoredEvent first = written.get(i);
                List<StoredEvent> run = new ArrayList<>();
                while (i < written.size() && run.size() < per && written.get(i).file().equals(first.file())) {
                    run.add(written.get(i++));
                }
                long seq = first.file().equals(name(1)) ? 1 : 2;
                byte[] value = run.size() == 1 ? Values.event(first.flags(), first.bytes())
                        : chunk(run.stream().mapToInt(StoredEvent::flags).toArray(),
                                run.stream().map(StoredEvent::bytes).toArray(byte[][]::new));
                raw.db.put(raw.events, Keys.event(seq, first.position()), value);
                rewritten++;
            }
            raw.db.put(raw.meta, Values.utf8(Values.META_FORMAT),
                    Values.utf8(layout == 2 ? Values.FORMAT_VERSION_2 : Values.FORMAT_VERSION_3));
            raw.eventFiles.delete(1);
            raw.eventFiles.delete(2);
        }
        int values = records(dir).size();
        assertEquals(layout == 2 ? written.size() : rewritten, values,
                "one value per event, as layout 2 stored them, or per three, as layout 3 could");
        try (BinlogStore store = BinlogStore.open(dir, noHotCache())) {
            for (StoredEvent from : List.of(written.get(0), written.get(7), written.get(written.size() - 1))) {
                try (BinlogCursor c = store.openCursor(from.file(), from.position())) {
                    List<StoredEvent> read = drain(c);
                    List<StoredEvent> expected = written.subList(written.indexOf(from), written.size());
                    assertSameEvents(expected, read);
                }
            }
            TestLog more = new TestLog(store).rotate(name(2), written.get(written.size() - 1).endPosition());
            more.append(11, 12, 13);
            written.addAll(more.written);
            try (BinlogCursor c = store.openCursor(name(1), 4)) {
                List<StoredEvent> read = drain(c);
                assertSameEvents(written, read);
            }
            assertThrows(PositionException.class, () -> store.openCursor(name(2), more.written.get(1).position() + 1));
        }
        List<long[]> recs = records(dir);
        long[] newest = recs.get(recs.size() - 1);
        assertEquals(3, newest[2], "the new burst is one chunk after the old single events");
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            assertEquals(Values.FORMAT_VERSION, Values.utf8(raw.db.get(raw.meta, Values.utf8(Values.META_FORMAT))));
        }
    }
}
