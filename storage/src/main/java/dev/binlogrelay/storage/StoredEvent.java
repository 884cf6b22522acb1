package dev.binlogrelay.storage;

/**
 * One binlog event as the upstream sent it (header, body and, when the upstream uses checksums, its CRC32),
 * stored under the primary's own file name and the offset at which the event starts in that file.
 *
 * <p>{@code flags} tells readers where transaction groups begin and end without parsing the event, so a
 * reader can skip a whole group (GTID filtering) or refuse to stop in the middle of one.
 *
 * <p>{@code bytes} may be shared with other readers (the store's hot cache): read it, never modify it.
 */
public record StoredEvent(String file, long position, byte[] bytes, int flags) {
    /** The event opens a group (a GTID event, or a standalone event). */
    public static final int GROUP_START = 1;
    /** The event closes a group (XID, COMMIT, a DDL's query, or a standalone event). */
    public static final int GROUP_END = 2;

    /** Offset just after this event in its file. */
    public long endPosition() {
        return position + bytes.length;
    }

    public boolean startsGroup() {
        return (flags & GROUP_START) != 0;
    }

    public boolean endsGroup() {
        return (flags & GROUP_END) != 0;
    }
}
