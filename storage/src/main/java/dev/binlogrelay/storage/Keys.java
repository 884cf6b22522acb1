package dev.binlogrelay.storage;

import java.nio.ByteBuffer;

/**
 * Key layouts (big-endian, so RocksDB's byte order is binlog order).
 *
 * <pre>
 * events: file_seq (4) | position (8)                 -> flags (1) | raw event
 * files:  file_seq (4)                                -> size (8) | file name (UTF-8)
 * gtid:   domain (4) | sequence (8)                   -> file_seq (4) | position (8) | server_id (4)
 * meta:   UTF-8 name                                  -> UTF-8 value
 * </pre>
 */
final class Keys {
    private Keys() {
    }

    static byte[] event(long fileSeq, long position) {
        return ByteBuffer.allocate(12).putInt((int) fileSeq).putLong(position).array();
    }

    static long eventFile(byte[] key) {
        return ByteBuffer.wrap(key).getInt() & 0xFFFFFFFFL;
    }

    static long eventPosition(byte[] key) {
        return ByteBuffer.wrap(key).getLong(4);
    }

    static byte[] file(long fileSeq) {
        return ByteBuffer.allocate(4).putInt((int) fileSeq).array();
    }

    static byte[] gtid(long domain, long sequence) {
        return ByteBuffer.allocate(12).putInt((int) domain).putLong(sequence).array();
    }

    /** Cache key: file sequence in the top 24 bits, position in the low 40. */
    static long cacheKey(long fileSeq, long position) {
        return fileSeq << 40 | position;
    }
}
