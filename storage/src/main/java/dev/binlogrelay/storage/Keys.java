package dev.binlogrelay.storage;

/**
 * Key layouts. Every integer is big-endian and unsigned, so RocksDB's bytewise order is binlog order
 * (file sequence, then position) and GTID order (domain, then sequence number).
 *
 * <pre>
 * column family  key                                   value (see {@link Values})
 * events         file_seq (4) | position (8)           flags (1) | raw event bytes, or a chunk of events (see {@link Chunk})
 *                (of the chunk's first event)
 * files          file_seq (4)                          size (8) | first_position (8) | file name (UTF-8)
 * files          file_seq (4) | 0x01                   the file's format description event (see {@link StoreState})
 * gtid           domain_id (4) | sequence (8)          file_seq (4) | position (8) | server_id (4)
 * meta           key (UTF-8)                           value (UTF-8)
 * </pre>
 *
 * File sequence numbers are assigned by the store in arrival order, starting at 1; they never reach 2^32.
 */
final class Keys {
    static final int EVENT_KEY_LENGTH = 12;
    static final long MAX_FILE_SEQ = 0xFFFF_FFFFL;
    static final long MAX_DOMAIN = 0xFFFF_FFFFL;

    /** Sorts after every event key (it is longer than any 12-byte key of 0xFF): exclusive end of a delete range. */
    static final byte[] AFTER_ALL_EVENTS = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    /** Sorts after every GTID index key, for the same reason. */
    static final byte[] AFTER_ALL_GTIDS = AFTER_ALL_EVENTS;

    private Keys() {
    }

    // events: file_seq (4) | position (8)
    static byte[] event(long fileSeq, long position) {
        byte[] k = new byte[EVENT_KEY_LENGTH];
        putInt(k, 0, fileSeq);
        putLong(k, 4, position);
        return k;
    }

    /** Writes an event key at the buffer's position (big-endian, as {@link #event(long, long)}). */
    static void putEvent(java.nio.ByteBuffer b, long fileSeq, long position) {
        b.putInt((int) fileSeq).putLong(position);
    }

    static long eventFile(byte[] key) {
        return getInt(key, 0);
    }

    static long eventPosition(byte[] key) {
        return getLong(key, 4);
    }

    // files: file_seq (4)
    static byte[] file(long fileSeq) {
        byte[] k = new byte[4];
        putInt(k, 0, fileSeq);
        return k;
    }

    /** The key of a file's format description: right after the file's record, deleted with it. */
    static byte[] format(long fileSeq) {
        byte[] k = new byte[5];
        putInt(k, 0, fileSeq);
        k[4] = 1;
        return k;
    }

    /** True for a key of {@link #format}, false for a file record's key. */
    static boolean isFormat(byte[] key) {
        return key.length == 5 && key[4] == 1;
    }

    static long formatFileSeq(byte[] key) {
        return getInt(checked(key, 5, "format description"), 0);
    }

    static long fileSeq(byte[] key) {
        return getInt(checked(key, 4, "files"), 0);
    }

    // gtid: domain_id (4) | sequence (8); the sequence number is unsigned 64-bit, so -1L is the largest
    static byte[] gtid(long domainId, long sequence) {
        byte[] k = new byte[12];
        putInt(k, 0, domainId);
        putLong(k, 4, sequence);
        return k;
    }

    static long gtidDomain(byte[] key) {
        return getInt(checked(key, 12, "gtid"), 0);
    }

    static long gtidSequence(byte[] key) {
        return getLong(checked(key, 12, "gtid"), 4);
    }

    /** {@code b} if it is {@code length} bytes long; else a StoreException naming {@code what}. */
    static byte[] checked(byte[] b, int length, String what) {
        if (b.length != length) {
            throw new StoreException(what + " record of " + b.length + " bytes, expected " + length);
        }
        return b;
    }

    static void putInt(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getInt(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
    }

    static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xFFL);
        }
        return v;
    }
}
