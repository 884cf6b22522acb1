package dev.binlogrelay.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The values of the {@code events} column family: a chunk of consecutive events of one file, stored under the
 * key of its first event ({@link Keys#event}).
 *
 * <pre>
 * single event (layout 2, and still written for a chunk of one event):
 *   flags (1, 0x00..0x7F) | raw event bytes
 * chunk of n &gt;= 2 events (layout 3):
 *   MARKER (1, 0x80) | n (4) | n x [flags (1) | length (4)] | raw bytes of event 1 | ... | raw bytes of event n
 * index of a chunk of n &gt;= 1 events (layout 4; the bytes are in the store's {@link EventFiles}):
 *   INDEX_MARKER (1, 0x81) | n (4) | n x [flags (1) | length (4)]
 * </pre>
 *
 * The marker is not a flags value: flags are {@link StoredEvent#GROUP_START} and {@link StoredEvent#GROUP_END}
 * (0..3), and the writer refuses anything above 0x7F. The lengths are stored rather than read from the events'
 * headers, so a chunk decodes without trusting the upstream's bytes. Integers are big-endian, as in the keys.
 *
 * <p>The writer ({@link ChunkBuilder}) never lets a chunk cross a {@link SegmentCache} window: every event of a
 * chunk starts in the window its key lies in. A window's segment is then exactly the chunks keyed in it, read
 * once each, and the window of any event position is the window of its chunk's key.
 */
final class Chunk {
    static final int MARKER = 0x80;
    /** First byte of a chunk's index whose events' bytes are in {@link EventFiles} (layout 4). */
    static final int INDEX_MARKER = 0x81;
    /** Bytes before the per-event entries: marker and count. */
    static final int HEADER = 5;
    /** Bytes per event in the header: flags and length. */
    static final int ENTRY = 5;
    /** Largest flags value an event may carry: the marker must not be one. */
    static final int MAX_FLAGS = 0x7F;

    private Chunk() {
    }

    static boolean isChunk(byte[] value) {
        return value.length > 0 && (value[0] & 0xFF) == MARKER;
    }

    /** True if the value is a chunk's index: its events' bytes are in the store's {@link EventFiles}. */
    static boolean isIndex(ByteBuffer value) {
        return value.limit() > 0 && (value.get(0) & 0xFF) == INDEX_MARKER;
    }

    static boolean isIndex(byte[] value) {
        return value.length > 0 && (value[0] & 0xFF) == INDEX_MARKER;
    }

    /** Bytes of the index of a chunk of {@code count} events. */
    static int indexLength(int count) {
        return HEADER + ENTRY * count;
    }

    /** Writes a chunk's index at the buffer's position: the header of {@link #putHeader} under {@link #INDEX_MARKER}. */
    static void putIndex(ByteBuffer b, int count, int[] flags, int[] lengths) {
        putHeader(b, INDEX_MARKER, count, flags, lengths);
    }

    /** Flags of event {@code i} of a chunk or an index. */
    static int flags(ByteBuffer value, int i) {
        return value.get(HEADER + ENTRY * i) & 0xFF;
    }

    /** Length of event {@code i} of a chunk or an index. */
    static int length(ByteBuffer value, int i) {
        return value.getInt(HEADER + ENTRY * i + 1);
    }

    /** Bytes of the value of a chunk of {@code count} events holding {@code eventBytes} bytes of events. */
    static int valueLength(int count, long eventBytes) {
        return Math.toIntExact(HEADER + (long) ENTRY * count + eventBytes);
    }

    /** Writes a chunk's header at the buffer's position; the events' bytes follow, in the same order. */
    static void putHeader(ByteBuffer b, int count, int[] flags, int[] lengths) {
        putHeader(b, MARKER, count, flags, lengths);
    }

    private static void putHeader(ByteBuffer b, int marker, int count, int[] flags, int[] lengths) {
        b.put((byte) marker).putInt(count);
        for (int i = 0; i < count; i++) {
            b.put((byte) flags[i]).putInt(lengths[i]);
        }
    }

    /** Number of events in a value of either form; checks the header. */
    static int count(String file, long position, byte[] value) {
        return count(file, position, ByteBuffer.wrap(value));
    }

    /** As {@link #count(String, long, byte[])} for a value in [0, limit) of a buffer (a direct one from the reader). */
    static int count(String file, long position, ByteBuffer value) {
        int length = value.limit();
        if (isIndex(value)) {
            return indexCount(file, position, value);
        }
        if (length == 0 || (value.get(0) & 0xFF) != MARKER) {
            if (length < 2) {
                throw corrupt(file, position, length, "a single event needs flags and at least one byte");
            }
            return 1;
        }
        if (length < HEADER) {
            throw corrupt(file, position, length, "shorter than a chunk header");
        }
        long n = value.getInt(1) & 0xFFFF_FFFFL;
        if (n < 2 || HEADER + ENTRY * n > length) {
            throw corrupt(file, position, length, "header counts " + n + " events");
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            long len = value.getInt(HEADER + ENTRY * i + 1) & 0xFFFF_FFFFL;
            if (len == 0) {
                throw corrupt(file, position, length, "event " + i + " is empty");
            }
            bytes += len;
        }
        if (HEADER + ENTRY * n + bytes != length) {
            throw corrupt(file, position, length, n + " events of " + bytes + " bytes do not fill it");
        }
        return (int) n;
    }

    /** Number of events of an index value; checks it (n &gt;= 1, exactly the entries, no empty event). */
    private static int indexCount(String file, long position, ByteBuffer value) {
        int length = value.limit();
        if (length < HEADER) {
            throw corrupt(file, position, length, "shorter than an index header");
        }
        long n = value.getInt(1) & 0xFFFF_FFFFL;
        if (n < 1 || HEADER + ENTRY * n != length) {
            throw corrupt(file, position, length, "index counts " + n + " events");
        }
        for (int i = 0; i < n; i++) {
            if (length(value, i) <= 0) {
                throw corrupt(file, position, length, "event " + i + " of the index is empty or over 2 GiB");
            }
        }
        return (int) n;
    }

    /** Bytes of the events an index value covers. */
    static long indexedBytes(ByteBuffer value, int count) {
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += length(value, i);
        }
        return bytes;
    }

    /** The events of a value of either form, each a copy of its bytes (the value is not kept). */
    static StoredEvent[] events(String file, long position, byte[] value) {
        List<StoredEvent> out = new ArrayList<>();
        addEvents(file, position, ByteBuffer.wrap(value), 0, Long.MAX_VALUE, out);
        return out.toArray(StoredEvent[]::new);
    }

    /**
     * Adds to {@code out} the events of a value in [0, limit) of {@code value} that start in [from, to), each a copy
     * of its bytes: the buffer can be reused for the next value (a reader's direct buffer, filled by RocksDB
     * without a Java array per value).
     */
    static void addEvents(String file, long position, ByteBuffer value, long from, long to, List<StoredEvent> out) {
        if (isIndex(value)) {
            throw new IllegalStateException("the index at " + file + ":" + position + " holds no bytes; read it with ChunkReader");
        }
        int n = count(file, position, value);
        if (n == 1) {
            if (position >= from && position < to) {
                out.add(new StoredEvent(file, position, copy(value, 1, value.limit() - 1), value.get(0) & 0xFF));
            }
            return;
        }
        int at = HEADER + ENTRY * n;
        long pos = position;
        for (int i = 0; i < n && pos < to; i++) {
            int entry = HEADER + ENTRY * i;
            int len = value.getInt(entry + 1);
            if (pos >= from) {
                out.add(new StoredEvent(file, pos, copy(value, at, len), value.get(entry) & 0xFF));
            }
            at += len;
            pos += len;
        }
    }

    private static byte[] copy(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }

    /** Offset just after the value's last event in its file, given the position of its first. */
    static long end(String file, long position, byte[] value) {
        int n = count(file, position, value);
        if (isIndex(value)) {
            return position + indexedBytes(ByteBuffer.wrap(value), n);
        }
        return position + (n == 1 ? value.length - 1 : value.length - HEADER - (long) ENTRY * n);
    }

    /** True if an event of this value starts at {@code target}; reads the header only. */
    static boolean startsEventAt(String file, long position, byte[] value, long target) {
        int n = count(file, position, value);
        long pos = position;
        for (int i = 0; i < n && pos <= target; i++) {
            if (pos == target) {
                return true;
            }
            pos += n == 1 && !isIndex(value) ? value.length - 1 : Keys.getInt(value, HEADER + ENTRY * i + 1);
        }
        return false;
    }

    private static StoreException corrupt(String file, long position, int length, String what) {
        return new StoreException("event record at " + file + ":" + position + " (" + length + " bytes) is corrupt: " + what);
    }
}
