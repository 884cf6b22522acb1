package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.Values;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

/**
 * {@link CanalValues#text}'s text as the UTF-8 bytes protobuf writes for it ({@code CodedOutputStream.writeString}:
 * UTF-8, an unpaired surrogate as '?', as {@code String.getBytes(UTF_8)}), made without the String where that is
 * the costly part. In the bench's canal profile (JFR, 1 client) the UTF-8 sizing and encoding of the value Strings
 * was half of the RowChange's making, and integer, BigInteger, date-time and Latin-1 text the most of the rest:
 * <pre>
 * integers, ENUM, YEAR   ASCII digits straight from the long (BIGINT UNSIGNED under 2^63 too)
 * DATE, DATETIME         the digits of each part, no StringBuilder
 * BLOB, BINARY           ISO-8859-1 characters as UTF-8: bytes under 0x80 as they are, others in two bytes
 * text                   String.getBytes(UTF_8) (ASCII-only Strings are copied, not encoded)
 * anything else          CanalValues.text(...).getBytes(UTF_8)
 * </pre>
 * {@code CanalUtf8Test} compares every path with the String's bytes over many values and their edge cases.
 */
final class CanalUtf8 {
    private static final byte[] YEAR_ZERO = {'0', '0', '0', '0'};

    private CanalUtf8() {
    }

    /**
     * The UTF-8 of Canal's text of {@code v}; null for NULL. The array may be {@code v} itself or a constant: it is
     * only to be read.
     */
    static byte[] of(Column col, Object v, ZoneId zone) {
        if (v == null) {
            return null;
        }
        return switch (col.realType()) {
            case ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24, ColumnType.LONG -> digits((Long) v);
            case ColumnType.LONGLONG -> v instanceof BigInteger b
                    ? (b.bitLength() < 64 ? digits(b.longValue()) : ascii(b.toString())) : digits((Long) v);
            case ColumnType.YEAR -> ((Integer) v) == 0 ? YEAR_ZERO : digits((Integer) v);
            case ColumnType.NEWDECIMAL, ColumnType.DECIMAL -> ascii(((BigDecimal) v).toPlainString());
            case ColumnType.FLOAT -> ascii(String.valueOf((Float) v));
            case ColumnType.DOUBLE -> ascii(String.valueOf((Double) v));
            case ColumnType.ENUM -> digits(((Values.EnumValue) v).index());
            case ColumnType.DATE, ColumnType.NEWDATE -> v instanceof Values.DateValue d ? date(d) : text(col, v, zone);
            case ColumnType.DATETIME, ColumnType.DATETIME2 -> v instanceof Values.DateTimeValue d ? dateTime(d)
                    : text(col, v, zone);
            case ColumnType.STRING, ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.MARIA_VARCHAR_COMPRESSED -> {
                if (CanalValues.binary(col)) {
                    byte[] b = (byte[]) v;
                    yield latin1(col.realType() == ColumnType.STRING ? CanalValues.unpadded(b) : b);
                }
                yield v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : text(col, v, zone);
            }
            case ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB,
                    ColumnType.MARIA_BLOB_COMPRESSED -> v instanceof byte[] b ? latin1(b)
                    : ((String) v).getBytes(StandardCharsets.UTF_8);
            default -> text(col, v, zone);
        };
    }

    private static byte[] text(Column col, Object v, ZoneId zone) {
        return CanalValues.text(col, v, zone).getBytes(StandardCharsets.UTF_8);
    }

    /** A String of characters under 0x80 (digits, signs, '.', 'E', "NaN", "Infinity") as its bytes. */
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code Long.toString(n)} as ASCII bytes. */
    static byte[] digits(long n) {
        if (n == Long.MIN_VALUE) {
            return ascii(Long.toString(n));
        }
        boolean negative = n < 0;
        long a = negative ? -n : n;
        int len = (negative ? 1 : 0) + width(a);
        byte[] out = new byte[len];
        int p = len;
        do {
            out[--p] = (byte) ('0' + a % 10);
            a /= 10;
        } while (a != 0);
        if (negative) {
            out[0] = '-';
        }
        return out;
    }

    /** The decimal digits of {@code a} (not negative). */
    private static int width(long a) {
        int w = 1;
        for (long limit = 10; w < 19 && a >= limit; limit *= 10) {
            w++;
        }
        return w;
    }

    /** yyyy-MM-dd as {@code Values.DateValue.toString}: each part zero-padded, wider when it has more digits. */
    private static byte[] date(Values.DateValue d) {
        if (d.year() < 0 || d.month() < 0 || d.day() < 0) {
            return d.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[padded(d.year(), 4) + padded(d.month(), 2) + padded(d.day(), 2) + 2];
        put(out, 0, d.year(), d.month(), d.day(), '-');
        return out;
    }

    /** yyyy-MM-dd HH:mm:ss[.f] as {@code Values.DateTimeValue.toString}. */
    private static byte[] dateTime(Values.DateTimeValue t) {
        int fsp = Math.min(6, t.fsp());
        if (t.year() < 0 || t.month() < 0 || t.day() < 0 || t.hour() < 0 || t.minute() < 0 || t.second() < 0
                || (fsp > 0 && (t.micros() < 0 || t.micros() > 999_999))) {
            return t.toString().getBytes(StandardCharsets.UTF_8);
        }
        int dateLen = padded(t.year(), 4) + padded(t.month(), 2) + padded(t.day(), 2) + 2;
        int timeLen = padded(t.hour(), 2) + padded(t.minute(), 2) + padded(t.second(), 2) + 2;
        byte[] out = new byte[dateLen + 1 + timeLen + (fsp > 0 ? 1 + fsp : 0)];
        put(out, 0, t.year(), t.month(), t.day(), '-');
        out[dateLen] = ' ';
        int p = put(out, dateLen + 1, t.hour(), t.minute(), t.second(), ':');
        if (fsp > 0) {
            out[p++] = '.';
            int micros = t.micros();
            for (int i = 5; i >= 0; i--, micros /= 10) {
                if (i < fsp) {
                    out[p + i] = (byte) ('0' + micros % 10);
                }
            }
        }
        return out;
    }

    /** The width of {@code v} zero-padded to {@code min} digits (not negative). */
    private static int padded(int v, int min) {
        return Math.max(min, width(v));
    }

    /** Three parts, zero-padded to 4 (first when it is a year, else 2), 2 and 2 digits, joined by {@code sep}. */
    private static int put(byte[] out, int p, int a, int b, int c, char sep) {
        p = put(out, p, a, sep == '-' ? 4 : 2);
        out[p++] = (byte) sep;
        p = put(out, p, b, 2);
        out[p++] = (byte) sep;
        return put(out, p, c, 2);
    }

    private static int put(byte[] out, int p, int v, int min) {
        int w = padded(v, min);
        for (int i = p + w - 1; i >= p; i--, v /= 10) {
            out[i] = (byte) ('0' + v % 10);
        }
        return p + w;
    }

    /** ISO-8859-1 characters ({@link CanalValues#latin1}) as UTF-8. */
    static byte[] latin1(byte[] b) {
        int extra = 0;
        for (byte x : b) {
            extra += x >>> 31; // 1 for a byte of 0x80 or more
        }
        if (extra == 0) {
            return b;
        }
        byte[] out = new byte[b.length + extra];
        int p = 0;
        int last = b.length - 1;
        for (int i = 0; i < last; i++) {
            // without a branch on the byte (a BLOB's random bytes made it mispredicted half the time): both bytes
            // of a two-byte character are written; under 0x80 the second is overwritten by the next character's
            int c = b[i] & 0xFF;
            int high = c >>> 7;
            out[p] = (byte) (c ^ (-high & (c ^ (0xC0 | c >>> 6))));
            out[p + 1] = (byte) (0x80 | (c & 0x3F));
            p += 1 + high;
        }
        int c = b[last] & 0xFF;
        if (c < 0x80) {
            out[p] = (byte) c;
        } else {
            out[p] = (byte) (0xC0 | c >>> 6);
            out[p + 1] = (byte) (0x80 | (c & 0x3F));
        }
        return out;
    }
}
