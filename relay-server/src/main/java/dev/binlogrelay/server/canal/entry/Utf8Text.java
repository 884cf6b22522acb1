package dev.binlogrelay.server.canal.entry;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

/**
 * Bytes as protobuf's UTF-8 text of them: what {@code ByteString.copyFromUtf8(new String(bytes, UTF_8))} gives (each
 * malformed sequence one U+FFFD, as Java's decoder cuts them), made from the bytes in one pass. A MariaDB
 * ANNOTATE_ROWS of an INSERT with BLOB literals holds bytes that are not UTF-8; decoding it to a String and encoding
 * it back was a quarter of the relay's CPU in the bench's canal scenario (JFR, 1 client, warm).
 * {@code Utf8TextTest} checks it against Java's decoder on every array of up to 4 bytes of an alphabet of each kind
 * of byte, and on random longer ones.
 */
final class Utf8Text {
    private static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    private Utf8Text() {
    }

    static ByteString of(byte[] b, int from, int to) {
        int p = wellFormed(b, from, to);
        if (p == to) {
            return ByteString.copyFrom(b, from, to - from);
        }
        byte[] out = new byte[(p - from) + 3 * (to - p)];
        System.arraycopy(b, from, out, 0, p - from);
        int o = p - from;
        // byte by byte from the first malformed sequence (an INSERT's BLOB literal is mostly malformed bytes)
        while (p < to) {
            byte x = b[p];
            if (x >= 0) {
                out[o++] = x;
                p++;
                continue;
            }
            int n = valid(b, p, to);
            if (n > 0) {
                System.arraycopy(b, p, out, o, n);
                o += n;
                p += n;
            } else {
                out[o++] = REPLACEMENT[0];
                out[o++] = REPLACEMENT[1];
                out[o++] = REPLACEMENT[2];
                p += malformed(b, p, to);
            }
        }
        return UnsafeByteOperations.unsafeWrap(java.util.Arrays.copyOf(out, o));
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Where the well-formed UTF-8 from {@code p} ends: {@code to}, or the first malformed sequence. */
    private static int wellFormed(byte[] b, int p, int to) {
        while (p < to) {
            if (b[p] >= 0) {
                p++;
                while (p + 8 <= to && ((long) LONGS.get(b, p) & 0x8080808080808080L) == 0) {
                    p += 8; // eight ASCII bytes at once
                }
                continue;
            }
            int n = valid(b, p, to);
            if (n == 0) {
                return p;
            }
            p += n;
        }
        return p;
    }

    private static boolean cont(int b) {
        return (b & 0xC0) == 0x80;
    }

    /** The length of the well-formed UTF-8 sequence at {@code p}, or 0 (Unicode's table 3-7). */
    private static int valid(byte[] b, int p, int to) {
        int b1 = b[p] & 0xFF;
        if (b1 < 0x80) {
            return 1;
        }
        int left = to - p;
        if (b1 >= 0xC2 && b1 <= 0xDF) {
            return left >= 2 && cont(b[p + 1]) ? 2 : 0;
        }
        if (b1 >= 0xE0 && b1 <= 0xEF) {
            if (left < 3 || !cont(b[p + 1]) || !cont(b[p + 2])) {
                return 0;
            }
            int b2 = b[p + 1] & 0xFF;
            return (b1 == 0xE0 && b2 < 0xA0) || (b1 == 0xED && b2 > 0x9F) ? 0 : 3;
        }
        if (b1 >= 0xF0 && b1 <= 0xF4) {
            if (left < 4 || !cont(b[p + 1]) || !cont(b[p + 2]) || !cont(b[p + 3])) {
                return 0;
            }
            int b2 = b[p + 1] & 0xFF;
            return (b1 == 0xF0 && b2 < 0x90) || (b1 == 0xF4 && b2 > 0x8F) ? 0 : 4;
        }
        return 0;
    }

    /** How many bytes from {@code p} (where no well-formed sequence starts) Java's decoder replaces by one U+FFFD. */
    private static int malformed(byte[] b, int p, int to) {
        int b1 = b[p] & 0xFF;
        int left = to - p;
        if (b1 >= 0xE0 && b1 <= 0xEF) {
            if (left >= 3) {
                int b2 = b[p + 1] & 0xFF;
                if ((b1 == 0xE0 && (b2 & 0xE0) == 0x80) || !cont(b2)) {
                    return 1;
                }
                return cont(b[p + 2]) ? 3 : 2; // 3: a surrogate's three bytes
            }
            if (left >= 2) {
                int b2 = b[p + 1] & 0xFF;
                if ((b1 == 0xE0 && (b2 & 0xE0) == 0x80) || !cont(b2)) {
                    return 1;
                }
            }
            return left; // a sequence cut short by the end: the rest
        }
        if (b1 >= 0xF0 && b1 <= 0xF7) {
            if (left >= 4) {
                int b2 = b[p + 1] & 0xFF;
                if (b1 > 0xF4 || (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && (b2 & 0xF0) != 0x80)
                        || !cont(b2)) {
                    return 1;
                }
                return cont(b[p + 2]) ? 3 : 2;
            }
            if (b1 > 0xF4) {
                return 1;
            }
            if (left >= 2) {
                int b2 = b[p + 1] & 0xFF;
                if ((b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && (b2 & 0xF0) != 0x80) || !cont(b2)) {
                    return 1;
                }
                if (left >= 3 && !cont(b[p + 2])) {
                    return 2;
                }
            }
            return left;
        }
        return 1;
    }
}
