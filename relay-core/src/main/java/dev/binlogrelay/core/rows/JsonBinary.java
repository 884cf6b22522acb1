package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * MySQL's binary JSON (sql/json_binary.h) to the text MySQL prints for it ({@code {"a": 1, "b": [true, null]}}).
 * <pre>
 * value    type (1) | body
 * types    0x00/0x01 small/large object, 0x02/0x03 small/large array, 0x04 literal (0 null, 1 true, 2 false),
 *          0x05 int16, 0x06 uint16, 0x07 int32, 0x08 uint32, 0x09 int64, 0x0A uint64, 0x0B double (LE),
 *          0x0C utf8mb4 string: length (7 bits per byte, low first) | bytes,
 *          0x0F opaque: MySQL field type (1) | length (as for strings) | bytes
 * object   count (2|4) | size (2|4) | key entries: offset (2|4) + length (2) | value entries | keys | values
 * array    count (2|4) | size (2|4) | value entries | values
 * entry    type (1) | offset of the value from the start of the object (2|4), or the value itself inline for
 *          literals, int16, uint16 (and int32, uint32 in large containers)
 * </pre>
 * Offsets are checked against the container's size; the nesting depth and the output length are bounded, so
 * no input can make decoding recurse or allocate without limit.
 */
final class JsonBinary {
    static final int MAX_DEPTH = 150;

    private final byte[] b;
    private final int base;
    private final int end;
    private final StringBuilder out = new StringBuilder();
    private final int maxOut;

    private JsonBinary(byte[] b, int base, int end) {
        this.b = b;
        this.base = base;
        this.end = end;
        this.maxOut = 8 * (end - base) + 64;
    }

    /** The text of the binary JSON document in {@code [from, to)} of {@code b}; an empty document is JSON null. */
    static String text(byte[] b, int from, int to) {
        if (from == to) {
            return "null";
        }
        JsonBinary j = new JsonBinary(b, from, to);
        j.value(b[from] & 0xFF, from + 1, to, 0);
        return j.out.toString();
    }

    /** Writes the value of {@code type} whose body starts at {@code at} and may run to {@code limit}. */
    private void value(int type, int at, int limit, int depth) {
        if (depth > MAX_DEPTH) {
            throw new BinlogFormatException("JSON value nested deeper than " + MAX_DEPTH);
        }
        if (out.length() > maxOut) {
            throw new BinlogFormatException("JSON value decodes to more than " + maxOut + " characters");
        }
        switch (type) {
            case 0x00, 0x01 -> container(true, type == 0x01, at, limit, depth);
            case 0x02, 0x03 -> container(false, type == 0x03, at, limit, depth);
            case 0x04 -> literal(u(at, 1, limit));
            case 0x05 -> out.append((short) u(at, 2, limit));
            case 0x06 -> out.append(u(at, 2, limit));
            case 0x07 -> out.append((int) u(at, 4, limit));
            case 0x08 -> out.append(u(at, 4, limit));
            case 0x09 -> out.append(u(at, 8, limit));
            case 0x0A -> out.append(Long.toUnsignedString(u(at, 8, limit)));
            case 0x0B -> out.append(JsonText.dbl(Double.longBitsToDouble(u(at, 8, limit))));
            case 0x0C -> {
                long[] len = varLength(at, limit);
                check(len[1], len[0], limit, "JSON string");
                JsonText.quote(out, new String(b, (int) len[1], (int) len[0], StandardCharsets.UTF_8));
            }
            case 0x0F -> opaque(at, limit);
            default -> throw new BinlogFormatException("JSON value of unknown type 0x" + Integer.toHexString(type));
        }
    }

    private void container(boolean object, boolean large, int at, int limit, int depth) {
        int w = large ? 4 : 2;
        long count = u(at, w, limit);
        long size = u(at + w, w, limit);
        if (size > limit - at || size < 2L * w) {
            throw new BinlogFormatException("JSON " + (object ? "object" : "array") + " of size " + size
                    + " does not fit its " + (limit - at) + " bytes");
        }
        int cend = at + (int) size;
        int keyEntry = w + 2;
        int valueEntry = 1 + w;
        long header = 2L * w + count * ((object ? keyEntry : 0) + valueEntry);
        if (header > size) {
            throw new BinlogFormatException("JSON container of " + count + " elements in " + size + " bytes");
        }
        out.append(object ? '{' : '[');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(", ");
            }
            if (object) {
                int ke = at + 2 * w + i * keyEntry;
                long keyOff = u(ke, w, cend);
                long keyLen = u(ke + w, 2, cend);
                check(at + keyOff, keyLen, cend, "JSON object key");
                JsonText.quote(out, new String(b, (int) (at + keyOff), (int) keyLen, StandardCharsets.UTF_8));
                out.append(": ");
            }
            int ve = at + 2 * w + (object ? (int) count * keyEntry : 0) + i * valueEntry;
            int t = (int) u(ve, 1, cend);
            if (inlined(t, large)) {
                value(t, ve + 1, cend, depth + 1);
            } else {
                long off = u(ve + 1, w, cend);
                if (off < header || off >= size) {
                    throw new BinlogFormatException("JSON value offset " + off + " outside its container (header "
                            + header + ", size " + size + ")");
                }
                value(t, at + (int) off, cend, depth + 1);
            }
        }
        out.append(object ? '}' : ']');
    }

    private static boolean inlined(int type, boolean large) {
        return type == 0x04 || type == 0x05 || type == 0x06 || (large && (type == 0x07 || type == 0x08));
    }

    private void literal(long v) {
        out.append(switch ((int) v) {
            case 0 -> "null";
            case 1 -> "true";
            case 2 -> "false";
            default -> throw new BinlogFormatException("JSON literal of unknown value " + v);
        });
    }

    private void opaque(int at, int limit) {
        int fieldType = (int) u(at, 1, limit);
        long[] len = varLength(at + 1, limit);
        check(len[1], len[0], limit, "JSON opaque value");
        int from = (int) len[1];
        int n = (int) len[0];
        ByteCursor c = new ByteCursor(b, from, from + n);
        switch (fieldType) {
            case ColumnType.NEWDECIMAL -> {
                int precision = c.u8("JSON decimal precision");
                int scale = c.u8("JSON decimal scale");
                BigDecimal d = Decimals.read(c, precision, scale);
                out.append(d.toPlainString());
            }
            case ColumnType.DATE, ColumnType.DATETIME, ColumnType.TIMESTAMP, ColumnType.TIME -> {
                out.append('"').append(JsonText.packedTemporal(fieldType, c.uint(8, "JSON temporal"))).append('"');
            }
            default -> out.append("\"base64:type").append(fieldType).append(':')
                    .append(Base64.getEncoder().encodeToString(c.bytes(n, "JSON opaque bytes"))).append('"');
        }
    }

    /** A string or opaque length: 7 bits per byte, low bits first, at most 5 bytes; returns {length, data start}. */
    private long[] varLength(int at, int limit) {
        long len = 0;
        for (int i = 0; i < 5; i++) {
            long v = u(at + i, 1, limit);
            len |= (v & 0x7F) << (7 * i);
            if ((v & 0x80) == 0) {
                return new long[] {len, at + i + 1};
            }
        }
        throw new BinlogFormatException("JSON length over 5 bytes at offset " + at);
    }

    private void check(long from, long len, int limit, String what) {
        if (from < base || len < 0 || from + len > limit) {
            throw new BinlogFormatException(what + " of " + len + " bytes at " + (from - base)
                    + " runs past its container");
        }
    }

    /** n bytes little-endian at {@code at}, which must lie before {@code limit}. */
    private long u(long at, int n, int limit) {
        check(at, n, Math.min(limit, end), "JSON field");
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[(int) at + i] & 0xFF);
        }
        return v;
    }
}
