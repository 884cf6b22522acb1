package dev.binlogrelay.core.binlog;

import java.util.zip.CRC32;

/**
 * Views and edits of a raw v4 binlog event held in a byte array.
 *
 * <pre>
 * common header (19 bytes, little-endian):
 *   0  timestamp (4) | 4 type (1) | 5 server_id (4) | 9 event_size (4) | 13 log_pos (4) | 17 flags (2)
 * body (event_size - 19 - checksum bytes)
 * CRC32 (4), when the stream's checksum algorithm is CRC32: over header and body
 * </pre>
 * log_pos is the offset just after the event in the primary's file (0 for most artificial events); it is
 * 32 bits on the wire, so offsets past 4 GiB wrap.
 */
public final class Events {
    public static final int HEADER_SIZE = 19;
    public static final int CRC_SIZE = 4;
    public static final int OFFSET_TIMESTAMP = 0;
    public static final int OFFSET_TYPE = 4;
    public static final int OFFSET_SERVER_ID = 5;
    public static final int OFFSET_SIZE = 9;
    public static final int OFFSET_LOG_POS = 13;
    public static final int OFFSET_FLAGS = 17;

    /** LOG_EVENT_BINLOG_IN_USE_F: set in a file's FDE while the file is open. */
    public static final int FLAG_BINLOG_IN_USE = 0x1;
    /** LOG_EVENT_ARTIFICIAL_F: an event the server made up for the stream (fake rotate, re-sent FDE...). */
    public static final int FLAG_ARTIFICIAL = 0x20;

    private Events() {
    }

    public static void checkHeader(byte[] e) {
        if (e.length < HEADER_SIZE) {
            throw new BinlogFormatException("event of " + e.length + " bytes is shorter than the 19-byte header");
        }
        long size = size(e);
        if (size != e.length) {
            throw new BinlogFormatException("event header says " + size + " bytes but " + e.length + " arrived (type "
                    + EventType.name(type(e)) + ")");
        }
    }

    public static long timestamp(byte[] e) {
        return u32(e, OFFSET_TIMESTAMP);
    }

    public static int type(byte[] e) {
        return e[OFFSET_TYPE] & 0xFF;
    }

    public static long serverId(byte[] e) {
        return u32(e, OFFSET_SERVER_ID);
    }

    public static long size(byte[] e) {
        return u32(e, OFFSET_SIZE);
    }

    public static long logPos(byte[] e) {
        return u32(e, OFFSET_LOG_POS);
    }

    public static int flags(byte[] e) {
        return (e[OFFSET_FLAGS] & 0xFF) | (e[OFFSET_FLAGS + 1] & 0xFF) << 8;
    }

    public static boolean isArtificial(byte[] e) {
        return (flags(e) & FLAG_ARTIFICIAL) != 0;
    }

    public static void setTimestamp(byte[] e, long v) {
        put32(e, OFFSET_TIMESTAMP, v);
    }

    public static void setLogPos(byte[] e, long v) {
        put32(e, OFFSET_LOG_POS, v);
    }

    public static void setFlags(byte[] e, int v) {
        e[OFFSET_FLAGS] = (byte) v;
        e[OFFSET_FLAGS + 1] = (byte) (v >>> 8);
    }

    /** CRC32 of the first {@code length} bytes, with the FDE's in-use flag read as cleared (as servers compute it). */
    public static long crc32(byte[] e, int length) {
        CRC32 crc = new CRC32();
        if (type(e) == EventType.FORMAT_DESCRIPTION && (e[OFFSET_FLAGS] & FLAG_BINLOG_IN_USE) != 0) {
            crc.update(e, 0, OFFSET_FLAGS);
            crc.update(e[OFFSET_FLAGS] & ~FLAG_BINLOG_IN_USE);
            crc.update(e, OFFSET_FLAGS + 1, length - OFFSET_FLAGS - 1);
        } else {
            crc.update(e, 0, length);
        }
        return crc.getValue();
    }

    /** True if the event's last 4 bytes are the CRC32 of the rest. */
    public static boolean crcMatches(byte[] e) {
        if (e.length < HEADER_SIZE + CRC_SIZE) {
            return false;
        }
        return crc32(e, e.length - CRC_SIZE) == u32(e, e.length - CRC_SIZE);
    }

    /** Recomputes the trailing CRC32 in place (after the event was edited). */
    public static void fixCrc(byte[] e) {
        put32(e, e.length - CRC_SIZE, crc32(e, e.length - CRC_SIZE));
    }

    /** A copy without the trailing CRC, with event_size fixed. */
    public static byte[] withoutCrc(byte[] e) {
        byte[] r = java.util.Arrays.copyOf(e, e.length - CRC_SIZE);
        put32(r, OFFSET_SIZE, r.length);
        return r;
    }

    /** A copy with a CRC appended, event_size fixed. */
    public static byte[] withCrc(byte[] e) {
        byte[] r = java.util.Arrays.copyOf(e, e.length + CRC_SIZE);
        put32(r, OFFSET_SIZE, r.length);
        fixCrc(r);
        return r;
    }

    public static long u32(byte[] b, int off) {
        return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    }

    public static long u64(byte[] b, int off) {
        return u32(b, off) | u32(b, off + 4) << 32;
    }

    public static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    public static void put32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static void put64(byte[] b, int off, long v) {
        put32(b, off, v);
        put32(b, off + 4, v >>> 32);
    }

    /** Writes a common header into {@code e}. */
    public static void writeHeader(byte[] e, long timestamp, int type, long serverId, long logPos, int flags) {
        put32(e, OFFSET_TIMESTAMP, timestamp);
        e[OFFSET_TYPE] = (byte) type;
        put32(e, OFFSET_SERVER_ID, serverId);
        put32(e, OFFSET_SIZE, e.length);
        put32(e, OFFSET_LOG_POS, logPos);
        setFlags(e, flags);
    }
}
