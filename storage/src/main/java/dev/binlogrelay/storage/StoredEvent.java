package dev.binlogrelay.storage;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One binlog event as the upstream sent it (header, body and, when the upstream uses checksums, its CRC32),
 * stored under the primary's own file name and the offset at which the event starts in that file.
 *
 * <p>{@code flags} tells readers where transaction groups begin and end without parsing the event, so a
 * reader can skip a whole group (GTID filtering) or refuse to stop in the middle of one.
 *
 * <p>The bytes are held one of two ways: as an array (events just written, in the hot cache), or as a view of
 * the store's event file mapped in memory (events read back, see {@link EventFiles#view}). A sender that only
 * forwards the bytes takes {@link #view()} and copies them once, straight from the page cache into its send
 * buffer; {@link #bytes()} gives an array either way (for a view, copied once on first use and kept, which the
 * segment cache already counts). Either may be shared with other readers: read them, never modify them.
 */
public final class StoredEvent {
    /** The event opens a group (a GTID event, or a standalone event). */
    public static final int GROUP_START = 1;
    /** The event closes a group (XID, COMMIT, a DDL's query, or a standalone event). */
    public static final int GROUP_END = 2;

    private final String file;
    private final long position;
    private final int flags;
    private final int length;
    /** The bytes as an array: given, or copied from {@link #view} on first use (the copy is published safely). */
    private volatile byte[] bytes;
    /** A read-only view of the mapped event file holding exactly the event; null for an event held as an array. */
    private final ByteBuffer view;

    public StoredEvent(String file, long position, byte[] bytes, int flags) {
        this.file = file;
        this.position = position;
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.length = bytes.length;
        this.flags = flags;
        this.view = null;
    }

    /** An event whose bytes are {@code view} (position to limit), a read-only view of a mapped event file. */
    StoredEvent(String file, long position, ByteBuffer view, int flags) {
        this.file = file;
        this.position = position;
        this.view = view;
        this.length = view.remaining();
        this.flags = flags;
    }

    public String file() {
        return file;
    }

    public long position() {
        return position;
    }

    public int flags() {
        return flags;
    }

    /** The event's bytes as an array (for an event read from the event file, a copy made once and kept). */
    public byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            b = new byte[length];
            view.get(view.position(), b);
            bytes = b;
        }
        return b;
    }

    /**
     * The event's bytes as a read-only buffer (position 0 at the event's first byte, limit at its end), without
     * copying them: a view of the mapped event file, or a wrap of the array. Each call returns a new buffer.
     */
    public ByteBuffer view() {
        if (view != null) {
            return view.slice();
        }
        return ByteBuffer.wrap(bytes()).asReadOnlyBuffer();
    }

    /** True if the bytes are (also) held as an array: {@link #bytes()} costs no copy. */
    public boolean hasArray() {
        return bytes != null;
    }

    /** Length of the event in bytes. */
    public int length() {
        return length;
    }

    /** The byte at {@code index} of the event (e.g. its type at 4), without copying the event. */
    public int byteAt(int index) {
        byte[] b = bytes;
        return (b != null ? b[index] : view.get(view.position() + index)) & 0xFF;
    }

    /** Offset just after this event in its file. */
    public long endPosition() {
        return position + length;
    }

    public boolean startsGroup() {
        return (flags & GROUP_START) != 0;
    }

    public boolean endsGroup() {
        return (flags & GROUP_END) != 0;
    }

    @Override
    public String toString() {
        return "StoredEvent[" + file + ":" + position + ", " + length + " bytes, flags " + flags + "]";
    }
}
