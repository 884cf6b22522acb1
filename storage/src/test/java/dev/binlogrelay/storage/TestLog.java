package dev.binlogrelay.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Builds groups of fake events for a store and remembers what it wrote. Event bytes are a deterministic
 * function of (file, position, length), so any reader can check what it got without sharing state.
 */
final class TestLog {
    private final BinlogStore store;
    private String file;
    private long next;
    final List<StoredEvent> written = new ArrayList<>();

    TestLog(BinlogStore store) {
        this.store = store;
    }

    /** Fast options for tests: no fsync per group, small RocksDB buffers. */
    static StoreOptions fastOptions() {
        return StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20).withBlockCacheBytes(4L << 20);
    }

    static String name(int n) {
        return String.format("mariadb-bin.%06d", n);
    }

    /** The next groups go to {@code newFile}, starting at {@code position} (4 for a normal file). */
    TestLog rotate(String newFile, long position) {
        this.file = newFile;
        this.next = position;
        return this;
    }

    TestLog rotate(String newFile) {
        return rotate(newFile, 4);
    }

    String file() {
        return file;
    }

    long next() {
        return next;
    }

    /** Appends a group of events with these lengths; the first starts it, the last ends it. */
    TestLog append(int... lengths) {
        return appendWithGtid(null, Map.of(), lengths);
    }

    TestLog appendWithGtid(MariaGtidRef gtid, Map<String, String> meta, int... lengths) {
        List<EventToStore> group = build(gtid, lengths);
        store.writer().appendGroup(file, group, StateUpdate.ofMeta(meta));
        for (EventToStore e : group) {
            written.add(new StoredEvent(file, e.position(), e.bytes(), e.flags()));
        }
        next += Arrays.stream(lengths).asLongStream().sum();
        return this;
    }

    /** The group {@link #append} would write, without writing it or moving on. */
    List<EventToStore> build(MariaGtidRef gtid, int... lengths) {
        List<EventToStore> group = new ArrayList<>();
        long pos = next;
        for (int i = 0; i < lengths.length; i++) {
            int flags = (i == 0 ? StoredEvent.GROUP_START : 0) | (i == lengths.length - 1 ? StoredEvent.GROUP_END : 0);
            group.add(new EventToStore(pos, bytes(file, pos, lengths[i]), flags, i == 0 ? gtid : null));
            pos += lengths[i];
        }
        return group;
    }

    static byte[] bytes(String file, long position, int length) {
        byte[] b = new byte[length];
        long x = file.hashCode() * 0x9E3779B97F4A7C15L + position * 0xC2B2AE3D27D4EB4FL + length;
        for (int i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[i] = (byte) x;
        }
        return b;
    }

    /** The same events, in the same order, as {@link #assertSameEvent} compares each. */
    static void assertSameEvents(List<StoredEvent> expected, List<StoredEvent> actual) {
        assertSameEvents(expected, actual, "events read");
    }

    static void assertSameEvents(List<StoredEvent> expected, List<StoredEvent> actual, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < actual.size(); i++) {
            assertSameEvent(expected.get(i), actual.get(i));
        }
    }

    static void assertSameEvent(StoredEvent expected, StoredEvent actual) {
        assertNotNull(actual, "expected " + expected.file() + ":" + expected.position() + ", got the end");
        assertEquals(expected.file(), actual.file());
        assertEquals(expected.position(), actual.position());
        assertEquals(expected.flags(), actual.flags(), "flags at " + actual.file() + ":" + actual.position());
        assertEquals(expected.bytes().length, actual.bytes().length, "length at " + actual.file() + ":" + actual.position());
        assertArrayEquals(expected.bytes(), actual.bytes(), "bytes at " + actual.file() + ":" + actual.position());
    }

    /** Checks an event read by a reader that does not know what was written. */
    static void assertGenuine(StoredEvent e) {
        assertArrayEquals(bytes(e.file(), e.position(), e.bytes().length), e.bytes(), "bytes at " + e.file() + ":" + e.position());
    }

    /** Reads until the cursor returns null. */
    static List<StoredEvent> drain(BinlogCursor c) {
        List<StoredEvent> out = new ArrayList<>();
        for (StoredEvent e = c.next(); e != null; e = c.next()) {
            out.add(e);
        }
        return out;
    }
}
