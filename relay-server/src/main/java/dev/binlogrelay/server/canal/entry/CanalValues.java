package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.Values;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;

/**
 * A decoded column value ({@code core.rows}) as a Canal 1.1.x server writes it into a {@code CanalEntry.Column}:
 * the text of {@code value} and the JDBC {@code sqlType}. Canal's rules (its RowsLogBuffer and LogEventConvert),
 * each checked against a real canal.server 1.1.7 by {@code CanalOracleIT}:
 * <pre>
 * TINYINT SMALLINT MEDIUMINT INT BIGINT  the number; sqlType TINYINT(-6) SMALLINT(5) INTEGER(4) INTEGER BIGINT(-5),
 *                            one size up (SMALLINT, INTEGER, INTEGER, BIGINT, DECIMAL(3)) for an UNSIGNED value above
 *                            the signed maximum
 * FLOAT, DOUBLE              Java's Float/Double.toString ("1.5", "1.0E-4"); REAL(7), DOUBLE(8)
 * DECIMAL                    BigDecimal.toPlainString with the column's scale ("0.500000"); DECIMAL(3)
 * BIT                        the bits as an unsigned decimal number; BIT(-7)
 * YEAR                       "0000" or the year; VARCHAR(12)
 * DATE                       yyyy-MM-dd, zero parts kept ("0000-00-00"); DATE(91)
 * TIME                       [-]HH:mm:ss[.f] (three hour digits past 99); TIME(92)
 * DATETIME                   yyyy-MM-dd HH:mm:ss[.f]; TIMESTAMP(93)
 * TIMESTAMP                  the same in the reader's time zone (Canal: its JVM's), zero as 0000-00-00 00:00:00
 * CHAR, VARCHAR              the text; CHAR(1), VARCHAR(12)
 * TINYTEXT .. LONGTEXT       the text; CLOB(2005)
 * BINARY, VARBINARY, BLOBs   the bytes as ISO-8859-1 characters, BINARY(n) without its trailing 0x00 padding
 *                            (as the binlog holds it); BLOB(2004)
 * ENUM                       the 1-based index ("2"); INTEGER(4)
 * SET                        the member bits as a number ("5"); BIT(-7) (BLOB(2004) when NULL)
 * GEOMETRY                   SRID (4, little-endian) + WKB as ISO-8859-1 characters; BLOB(2004)
 * JSON (MySQL)               the document's JSON text; VARCHAR(12) (OTHER(1111) when NULL)
 * </pre>
 * Where Canal goes wrong we do what is right (see docs/canal.md): text is decoded in the column's own character
 * set (Canal decodes every column with one charset, UTF-8 by default); MariaDB's compressed columns are their
 * inflated VARCHAR/TEXT/BLOB; MySQL 9's VECTOR is its bytes like a BLOB (Canal fails on both).
 */
final class CanalValues {
    /** A column's Canal value text (null for NULL) and sqlType. */
    record Formatted(String value, int sqlType) {
    }

    private CanalValues() {
    }

    static Formatted format(Column col, Object v, ZoneId zone) {
        return new Formatted(text(col, v, zone), sqlType(col, v));
    }

    /** Canal's value text of a column value, null for NULL. */
    static String text(Column col, Object v, ZoneId zone) {
        if (v == null) {
            return null;
        }
        return switch (col.realType()) {
            case ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24, ColumnType.LONG -> Long.toString((Long) v);
            case ColumnType.LONGLONG -> v.toString();
            case ColumnType.YEAR -> ((Integer) v) == 0 ? "0000" : v.toString();
            case ColumnType.FLOAT -> String.valueOf((Float) v);
            case ColumnType.DOUBLE -> String.valueOf((Double) v);
            case ColumnType.NEWDECIMAL, ColumnType.DECIMAL -> ((BigDecimal) v).toPlainString();
            case ColumnType.BIT -> Long.toUnsignedString((Long) v);
            case ColumnType.DATE, ColumnType.NEWDATE, ColumnType.TIME, ColumnType.TIME2, ColumnType.DATETIME,
                    ColumnType.DATETIME2 -> v.toString();
            case ColumnType.TIMESTAMP, ColumnType.TIMESTAMP2 -> timestamp((Values.TimestampValue) v, zone);
            case ColumnType.ENUM -> Integer.toString(((Values.EnumValue) v).index());
            case ColumnType.SET -> Long.toUnsignedString(((Values.SetValue) v).bits());
            case ColumnType.JSON -> v instanceof Values.JsonDiffs d ? JsonDiffText.of(col, d) : v.toString();
            case ColumnType.GEOMETRY -> latin1(geometry((Values.GeometryValue) v));
            case ColumnType.VECTOR -> latin1(vector((float[]) v));
            case ColumnType.STRING -> string(col, v, true);
            case ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.MARIA_VARCHAR_COMPRESSED ->
                    string(col, v, false);
            default -> v instanceof String s ? s : latin1((byte[]) v); // BLOB/TEXT, MariaDB's compressed ones
        };
    }

    /** Canal's sqlType of a column value (see {@link #nullSqlType} for NULL). */
    static int sqlType(Column col, Object v) {
        if (v == null) {
            return nullSqlType(col);
        }
        return switch (col.realType()) {
            case ColumnType.TINY -> (Long) v > 127 ? Types.SMALLINT : Types.TINYINT;
            case ColumnType.SHORT -> (Long) v > Short.MAX_VALUE ? Types.INTEGER : Types.SMALLINT;
            case ColumnType.INT24 -> Types.INTEGER;
            case ColumnType.LONG -> (Long) v > Integer.MAX_VALUE ? Types.BIGINT : Types.INTEGER;
            case ColumnType.LONGLONG -> v instanceof BigInteger b && b.bitLength() > 63 ? Types.DECIMAL : Types.BIGINT;
            case ColumnType.YEAR, ColumnType.JSON -> Types.VARCHAR;
            case ColumnType.FLOAT -> Types.REAL;
            case ColumnType.DOUBLE -> Types.DOUBLE;
            case ColumnType.NEWDECIMAL, ColumnType.DECIMAL -> Types.DECIMAL;
            case ColumnType.BIT, ColumnType.SET -> Types.BIT;
            case ColumnType.DATE, ColumnType.NEWDATE -> Types.DATE;
            case ColumnType.TIME, ColumnType.TIME2 -> Types.TIME;
            case ColumnType.DATETIME, ColumnType.DATETIME2, ColumnType.TIMESTAMP, ColumnType.TIMESTAMP2 ->
                    Types.TIMESTAMP;
            case ColumnType.ENUM -> Types.INTEGER;
            case ColumnType.GEOMETRY, ColumnType.VECTOR -> Types.BLOB;
            case ColumnType.STRING -> binary(col) ? Types.BLOB : Types.CHAR;
            case ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.MARIA_VARCHAR_COMPRESSED ->
                    binary(col) ? Types.BLOB : Types.VARCHAR;
            default -> v instanceof String ? Types.CLOB : Types.BLOB;
        };
    }

    /** Canal's sqlType of a NULL: the column type's, binary strings and SET as BLOB, text as CLOB, JSON OTHER. */
    static int nullSqlType(Column col) {
        return switch (col.realType()) {
            case ColumnType.TINY -> Types.TINYINT;
            case ColumnType.SHORT -> Types.SMALLINT;
            case ColumnType.INT24, ColumnType.LONG, ColumnType.ENUM -> Types.INTEGER;
            case ColumnType.LONGLONG -> Types.BIGINT;
            case ColumnType.DECIMAL, ColumnType.NEWDECIMAL -> Types.DECIMAL;
            case ColumnType.FLOAT -> Types.REAL;
            case ColumnType.DOUBLE -> Types.DOUBLE;
            case ColumnType.BIT -> Types.BIT;
            case ColumnType.TIMESTAMP, ColumnType.TIMESTAMP2, ColumnType.DATETIME, ColumnType.DATETIME2 ->
                    Types.TIMESTAMP;
            case ColumnType.TIME, ColumnType.TIME2 -> Types.TIME;
            case ColumnType.DATE, ColumnType.NEWDATE -> Types.DATE;
            case ColumnType.YEAR -> Types.VARCHAR;
            case ColumnType.SET, ColumnType.GEOMETRY, ColumnType.VECTOR -> Types.BLOB;
            case ColumnType.STRING -> binary(col) ? Types.BLOB : Types.CHAR;
            case ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.MARIA_VARCHAR_COMPRESSED ->
                    binary(col) ? Types.BLOB : Types.VARCHAR;
            case ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB,
                    ColumnType.MARIA_BLOB_COMPRESSED -> col.isText() ? Types.CLOB : Types.BLOB;
            default -> Types.OTHER;
        };
    }

    /** CHAR and VARCHAR: text unless known binary (BINARY/VARBINARY); unknown charset is read as UTF-8. */
    private static String string(Column col, Object v, boolean padded) {
        if (binary(col)) {
            byte[] b = (byte[]) v;
            return latin1(padded ? unpadded(b) : b);
        }
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) v;
    }

    static boolean binary(Column col) {
        return col.collation() == Column.BINARY_COLLATION;
    }

    /** BINARY(n) as the binlog holds it: the server strips the trailing 0x00 padding that core.rows puts back. */
    static byte[] unpadded(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Canal prints a TIMESTAMP in its JVM's zone ({@code java.sql.Timestamp}); 0 is MySQL's zero timestamp. */
    static String timestamp(Values.TimestampValue t, ZoneId zone) {
        StringBuilder b = new StringBuilder(26);
        if (t.epochSecond() == 0) {
            b.append("0000-00-00 00:00:00");
        } else {
            LocalDateTime l = LocalDateTime.ofInstant(Instant.ofEpochSecond(t.epochSecond()), zone);
            Values.dateTime(b, l.getYear(), l.getMonthValue(), l.getDayOfMonth(), l.getHour(), l.getMinute(), l.getSecond());
        }
        if (t.fsp() > 0) {
            String six = Values.padded(new StringBuilder(6), t.micros(), 6).toString();
            b.append('.').append(six, 0, t.fsp());
        }
        return b.toString();
    }

    private static byte[] geometry(Values.GeometryValue g) {
        byte[] out = new byte[4 + g.wkb().length];
        int srid = g.srid();
        out[0] = (byte) srid;
        out[1] = (byte) (srid >>> 8);
        out[2] = (byte) (srid >>> 16);
        out[3] = (byte) (srid >>> 24);
        System.arraycopy(g.wkb(), 0, out, 4, g.wkb().length);
        return out;
    }

    private static byte[] vector(float[] f) {
        byte[] out = new byte[f.length * 4];
        for (int i = 0; i < f.length; i++) {
            int bits = Float.floatToRawIntBits(f[i]);
            out[4 * i] = (byte) bits;
            out[4 * i + 1] = (byte) (bits >>> 8);
            out[4 * i + 2] = (byte) (bits >>> 16);
            out[4 * i + 3] = (byte) (bits >>> 24);
        }
        return out;
    }
}
