package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.math.BigInteger;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes one non-NULL column value of a row image. The Java type of each column kind:
 * <pre>
 * TINY, SHORT, INT24, LONG, LONGLONG  Long (unsigned when SIGNEDNESS says so; BIGINT UNSIGNED is a BigInteger)
 * YEAR                                Integer (0, or 1901..2155)
 * FLOAT, DOUBLE                       Float, Double
 * NEWDECIMAL                          BigDecimal
 * BIT                                 Long (the bits, as an unsigned number)
 * DATE, TIME(2), DATETIME(2), TIMESTAMP(2)  {@link Values.DateValue}, {@link Values.TimeValue},
 *                                     {@link Values.DateTimeValue}, {@link Values.TimestampValue}
 * CHAR, VARCHAR, TEXT                 String when the column's collation is known and not binary, else byte[]
 *                                     (BINARY(n) is padded back to n bytes with 0x00 when known to be binary)
 * BLOB, BINARY, VARBINARY             byte[]
 * ENUM, SET                           {@link Values.EnumValue}, {@link Values.SetValue}
 * JSON (MySQL)                        String: the document's JSON text
 * GEOMETRY                            {@link Values.GeometryValue}
 * VECTOR                              float[]
 * </pre>
 */
final class ColumnValues {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private ColumnValues() {
    }

    static Object read(ByteCursor c, Column col) {
        int meta = col.meta();
        boolean unsigned = Boolean.TRUE.equals(col.unsigned());
        return switch (col.realType()) {
            case ColumnType.TINY -> unsigned ? c.uint(1, "TINYINT") : (long) (byte) c.uint(1, "TINYINT");
            case ColumnType.SHORT -> unsigned ? c.uint(2, "SMALLINT") : (long) (short) c.uint(2, "SMALLINT");
            case ColumnType.INT24 -> {
                long v = c.uint(3, "MEDIUMINT");
                yield unsigned ? v : (v << 40) >> 40;
            }
            case ColumnType.LONG -> unsigned ? c.uint(4, "INT") : (long) (int) c.uint(4, "INT");
            case ColumnType.LONGLONG -> {
                long v = c.uint(8, "BIGINT");
                yield unsigned ? (v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(TWO_64)) : (Object) v;
            }
            case ColumnType.YEAR -> {
                int y = c.u8("YEAR");
                yield y == 0 ? 0 : 1900 + y;
            }
            case ColumnType.FLOAT -> Float.intBitsToFloat((int) c.uint(4, "FLOAT"));
            case ColumnType.DOUBLE -> Double.longBitsToDouble(c.uint(8, "DOUBLE"));
            case ColumnType.NEWDECIMAL -> Decimals.read(c, meta & 0xFF, meta >> 8);
            case ColumnType.BIT -> bit(c, meta);
            case ColumnType.DATE, ColumnType.NEWDATE -> Temporals.date(c);
            case ColumnType.TIME -> col.decimals() > 0 ? MariaHiresTemporals.time(c, col.decimals())
                    : Temporals.time(c);
            case ColumnType.DATETIME -> col.decimals() > 0 ? MariaHiresTemporals.datetime(c, col.decimals())
                    : Temporals.datetime(c);
            case ColumnType.TIMESTAMP -> col.decimals() > 0 ? MariaHiresTemporals.timestamp(c, col.decimals())
                    : Temporals.timestamp(c);
            case ColumnType.TIME2 -> Temporals.time2(c, meta);
            case ColumnType.DATETIME2 -> Temporals.datetime2(c, meta);
            case ColumnType.TIMESTAMP2 -> Temporals.timestamp2(c, meta);
            case ColumnType.STRING -> string(c, col);
            case ColumnType.VARCHAR -> text(c.bytes(c.uint(meta < 256 ? 1 : 2, "VARCHAR length"), "VARCHAR"), col);
            case ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB ->
                    text(lengthPrefixed(c, meta, "BLOB"), col);
            case ColumnType.MARIA_BLOB_COMPRESSED -> MariaColumnCompression.inflate(lengthPrefixed(c, meta,
                    "compressed BLOB"), col);
            case ColumnType.MARIA_VARCHAR_COMPRESSED -> MariaColumnCompression.inflate(c.bytes(
                    c.uint(meta < 256 ? 1 : 2, "compressed VARCHAR length"), "compressed VARCHAR"), col);
            case ColumnType.ENUM -> enumValue(c, col);
            case ColumnType.SET -> setValue(c, col);
            case ColumnType.JSON -> {
                ByteCursor doc = c.slice(c.uint(lengthSize(meta, "JSON"), "JSON length"), "JSON document");
                yield JsonBinary.text(doc.array(), doc.position(), doc.limit());
            }
            case ColumnType.GEOMETRY -> {
                ByteCursor g = c.slice(c.uint(lengthSize(meta, "GEOMETRY"), "GEOMETRY length"), "GEOMETRY value");
                int srid = (int) g.uint(4, "GEOMETRY SRID");
                yield new Values.GeometryValue(srid, g.bytes(g.remaining(), "GEOMETRY WKB"));
            }
            case ColumnType.VECTOR -> vector(lengthPrefixed(c, meta, "VECTOR"));
            default -> throw new BinlogFormatException("column " + col.index() + " of type "
                    + ColumnType.name(col.realType()) + " cannot appear in a row image");
        };
    }

    static byte[] lengthPrefixed(ByteCursor c, int meta, String what) {
        return c.bytes(c.uint(lengthSize(meta, what), what + " length"), what + " value");
    }

    private static int lengthSize(int meta, String what) {
        if (meta < 1 || meta > 4) {
            throw new BinlogFormatException(what + " column with a length prefix of " + meta + " bytes");
        }
        return meta;
    }

    /** BIT(n): metadata byte 0 = n % 8, byte 1 = n / 8; the value is (n + 7) / 8 bytes big-endian. */
    private static Long bit(ByteCursor c, int meta) {
        int bits = (meta & 0xFF) + 8 * (meta >> 8);
        if (bits < 1 || bits > 64 || (meta & 0xFF) > 7) {
            throw new BinlogFormatException("BIT column of " + bits + " bits");
        }
        return c.uintBE((bits + 7) / 8, "BIT value");
    }

    /** CHAR(n) (and BINARY): metadata real type | length, with the length's high bits folded into byte 0. */
    private static Object string(ByteCursor c, Column col) {
        int byte0 = col.meta() & 0xFF;
        int maxLen = (col.meta() >> 8) | (((byte0 & 0x30) ^ 0x30) << 4);
        byte[] v = c.bytes(c.uint(maxLen < 256 ? 1 : 2, "CHAR length"), "CHAR value");
        if (col.collation() == Column.BINARY_COLLATION && v.length < maxLen) {
            v = Arrays.copyOf(v, maxLen); // the server strips BINARY(n)'s trailing 0x00 padding
        }
        return text(v, col);
    }

    private static Object text(byte[] v, Column col) {
        Charset cs = col.isText() ? Charsets.of(col.collation()) : null;
        return cs == null ? v : new String(v, cs);
    }

    /** ENUM: metadata byte 1 is its storage size (1 or 2 bytes). */
    private static Values.EnumValue enumValue(ByteCursor c, Column col) {
        int size = col.meta() >> 8;
        if (size != 1 && size != 2) {
            throw new BinlogFormatException("ENUM column stored in " + size + " bytes");
        }
        int index = (int) c.uint(size, "ENUM value");
        List<String> names = col.enumValues();
        return new Values.EnumValue(index, names != null && index >= 1 && index <= names.size()
                ? names.get(index - 1) : names != null && index == 0 ? "" : null);
    }

    /** SET: metadata byte 1 is its storage size (1..4 or 8 bytes). */
    private static Values.SetValue setValue(ByteCursor c, Column col) {
        int size = col.meta() >> 8;
        if (size < 1 || size > 8) {
            throw new BinlogFormatException("SET column stored in " + size + " bytes");
        }
        long bits = c.uint(size, "SET value");
        List<String> names = col.setValues();
        List<String> members = null;
        if (names != null) {
            members = new ArrayList<>();
            for (int i = 0; i < names.size() && i < 64; i++) {
                if ((bits >>> i & 1) != 0) {
                    members.add(names.get(i));
                }
            }
        }
        return new Values.SetValue(bits, members);
    }

    private static float[] vector(byte[] v) {
        if (v.length % 4 != 0) {
            throw new BinlogFormatException("VECTOR value of " + v.length + " bytes is not a whole number of floats");
        }
        float[] f = new float[v.length / 4];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.intBitsToFloat((v[4 * i] & 0xFF) | (v[4 * i + 1] & 0xFF) << 8 | (v[4 * i + 2] & 0xFF) << 16
                    | (v[4 * i + 3] & 0xFF) << 24);
        }
        return f;
    }
}
