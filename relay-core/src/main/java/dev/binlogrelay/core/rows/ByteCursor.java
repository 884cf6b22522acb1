package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.util.Arrays;

/**
 * A bounds-checked reader over {@code [position, limit)} of an event's bytes: every read that would run past the
 * limit throws {@link BinlogFormatException} naming what was being read, never an index exception. Integers are
 * little-endian unless the method says {@code BE}. Copies are at most the remaining bytes, so a length field in the
 * input can never make the decoder allocate more than the input holds.
 */
final class ByteCursor {
    private final byte[] buf;
    private final int limit;
    private int pos;

    ByteCursor(byte[] buf, int position, int limit) {
        if (position < 0 || limit > buf.length || position > limit) {
            throw new BinlogFormatException("range " + position + ".." + limit + " outside " + buf.length + " bytes");
        }
        this.buf = buf;
        this.pos = position;
        this.limit = limit;
    }

    int position() {
        return pos;
    }

    int limit() {
        return limit;
    }

    int remaining() {
        return limit - pos;
    }

    boolean hasRemaining() {
        return pos < limit;
    }

    byte[] array() {
        return buf;
    }

    /** Checks that {@code n} more bytes are there, for {@code what}. */
    void need(long n, String what) {
        if (n < 0 || n > limit - pos) {
            throw new BinlogFormatException(what + ": needs " + n + " bytes at offset " + pos + ", "
                    + (limit - pos) + " left");
        }
    }

    void skip(long n, String what) {
        need(n, what);
        pos += (int) n;
    }

    int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xFF;
    }

    int u16(String what) {
        return (int) uint(2, what);
    }

    /** An unsigned little-endian integer of {@code n} (0..8) bytes; 8 bytes come back as the raw 64 bits. */
    long uint(int n, String what) {
        need(n, what);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += n;
        return v;
    }

    /** An unsigned big-endian integer of {@code n} (0..8) bytes. */
    long uintBE(int n, String what) {
        need(n, what);
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += n;
        return v;
    }

    /**
     * A length-encoded integer (0..250 as is, 0xFC + 2 bytes, 0xFD + 3, 0xFE + 8). 0xFB (NULL) and 0xFF are refused;
     * an 8-byte value over {@link Long#MAX_VALUE} too.
     */
    long packed(String what) {
        int first = u8(what);
        long v = switch (first) {
            case 0xFC -> uint(2, what);
            case 0xFD -> uint(3, what);
            case 0xFE -> uint(8, what);
            case 0xFB, 0xFF -> throw new BinlogFormatException(what + ": bad length-encoded integer prefix 0x"
                    + Integer.toHexString(first) + " at offset " + (pos - 1));
            default -> first;
        };
        if (v < 0) {
            throw new BinlogFormatException(what + ": length-encoded integer over 2^63 at offset " + pos);
        }
        return v;
    }

    /** A length-encoded integer that must be a count or size of at most {@code max}. */
    int packedSize(String what, long max) {
        long v = packed(what);
        if (v > max) {
            throw new BinlogFormatException(what + ": " + v + " is more than " + max);
        }
        return (int) v;
    }

    byte[] bytes(long n, String what) {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) n);
        pos += (int) n;
        return out;
    }

    /** A sub-cursor over the next {@code n} bytes, which this cursor skips. */
    ByteCursor slice(long n, String what) {
        need(n, what);
        ByteCursor c = new ByteCursor(buf, pos, pos + (int) n);
        pos += (int) n;
        return c;
    }
}
