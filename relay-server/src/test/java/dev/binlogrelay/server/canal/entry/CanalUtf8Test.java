package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.Values;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link CanalUtf8} makes, for every column type, the bytes protobuf wrote for {@link CanalValues#text}'s String
 * ({@code CodedOutputStream.writeString}, the RowChange's value field before): over edge cases and many random values.
 */
class CanalUtf8Test {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    private static final int UTF8MB4 = 45;
    private static final int LATIN1 = 8;
    private static final Random RANDOM = new Random(13);

    private static Column col(int type, int meta, Boolean unsigned, int collation) {
        return CanalValuesTest.col(type, meta, unsigned, collation);
    }

    /** The same bytes as the String's UTF-8 as protobuf writes it; returns how many values were compared. */
    private static int same(Column c, List<?> values) {
        for (Object v : values) {
            byte[] want = com.google.protobuf.ByteString.copyFromUtf8(CanalValues.text(c, v, ZONE)).toByteArray();
            assertArrayEquals(want, CanalUtf8.of(c, v, ZONE), () -> ColumnType.name(c.realType()) + " " + v);
        }
        return values.size();
    }

    private static List<Object> longs(long... edges) {
        List<Object> out = new ArrayList<>();
        for (long e : edges) {
            out.add(e);
        }
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
            out.addAll(List.of(p, p - 1, p + 1, -p, -p + 1, -p - 1, p * 10 - 1));
        }
        for (int i = 0; i < 2000; i++) {
            out.add(RANDOM.nextLong() >> RANDOM.nextInt(64));
        }
        return out;
    }

    @Test
    void nullIsNull() {
        assertNull(CanalUtf8.of(col(ColumnType.LONG, 0, false, -1), null, ZONE));
        assertNull(CanalUtf8.of(col(ColumnType.BLOB, 2, null, 63), null, ZONE));
    }

    @Test
    void integersEnumsAndYears() {
        List<Object> l = longs(0, -1, 1, 9, 10, 127, 128, 255, -128, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1);
        for (int type : new int[] {ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24, ColumnType.LONG,
                ColumnType.LONGLONG}) {
            same(col(type, 0, false, -1), l);
        }
        List<Object> big = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.valueOf(Long.MAX_VALUE),
                BigInteger.ONE.shiftLeft(63), BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)));
        for (int i = 0; i < 2000; i++) {
            big.add(new BigInteger(1 + RANDOM.nextInt(64), RANDOM));
        }
        same(col(ColumnType.LONGLONG, 0, true, -1), big);
        List<Object> enums = new ArrayList<>(List.of(new Values.EnumValue(0, ""), new Values.EnumValue(2, "paid"),
                new Values.EnumValue(65535, null)));
        same(col(ColumnType.STRING, ColumnType.ENUM | 2 << 8, null, UTF8MB4), enums);
        same(col(ColumnType.YEAR, 0, null, -1), List.of(0, 1901, 2000, 2155));
    }

    @Test
    void decimalsAndFloatingPoint() {
        List<Object> d = new ArrayList<>(List.of(new BigDecimal("0.00"), new BigDecimal("-0.5"), new BigDecimal("7"),
                new BigDecimal("-12345678901234567890.123456789"), new BigDecimal("1E+3"), new BigDecimal("1E-30")));
        for (int i = 0; i < 2000; i++) {
            d.add(new BigDecimal(new BigInteger(1 + RANDOM.nextInt(200), RANDOM), RANDOM.nextInt(31))
                    .multiply(BigDecimal.valueOf(RANDOM.nextBoolean() ? 1 : -1)));
        }
        same(col(ColumnType.NEWDECIMAL, 12 | 2 << 8, null, -1), d);
        List<Object> doubles = new ArrayList<>(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                -0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e-4, 1e7, 123456789.125, -1.5));
        List<Object> floats = new ArrayList<>(List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-4f, 1.5f));
        for (int i = 0; i < 2000; i++) {
            doubles.add(Double.longBitsToDouble(RANDOM.nextLong()));
            doubles.add(RANDOM.nextDouble());
            floats.add(Float.intBitsToFloat(RANDOM.nextInt()));
        }
        same(col(ColumnType.DOUBLE, 8, null, -1), doubles);
        same(col(ColumnType.FLOAT, 4, null, -1), floats);
    }

    @Test
    void datesAndTimes() {
        List<Object> dates = new ArrayList<>(List.of(new Values.DateValue(0, 0, 0), new Values.DateValue(2024, 2, 29),
                new Values.DateValue(2024, 2, 0), new Values.DateValue(9999, 12, 31), new Values.DateValue(1, 1, 1),
                new Values.DateValue(12345, 1, 1), new Values.DateValue(-1, 1, 1), new Values.DateValue(2000, 13, 32)));
        List<Object> times = new ArrayList<>();
        for (int fsp = -1; fsp <= 7; fsp++) {
            times.add(new Values.DateTimeValue(0, 0, 0, 0, 0, 0, 0, fsp));
            times.add(new Values.DateTimeValue(9999, 12, 31, 23, 59, 59, 999_999, fsp));
            times.add(new Values.DateTimeValue(2024, 1, 2, 3, 4, 5, 1, fsp));
            times.add(new Values.DateTimeValue(2024, 1, 2, 3, 4, 5, 120_000, fsp));
            times.add(new Values.DateTimeValue(2024, 1, 2, 3, 4, 5, 1_000_000, fsp)); // not a valid fraction
            times.add(new Values.DateTimeValue(2024, 1, 2, 3, 4, 5, -3, fsp));
            times.add(new Values.DateTimeValue(-5, 1, 2, 3, 4, 5, 0, fsp));
        }
        for (int i = 0; i < 2000; i++) {
            int fsp = RANDOM.nextInt(7);
            times.add(new Values.DateTimeValue(RANDOM.nextInt(10000), RANDOM.nextInt(13), RANDOM.nextInt(32),
                    RANDOM.nextInt(24), RANDOM.nextInt(60), RANDOM.nextInt(60), RANDOM.nextInt(1_000_000), fsp));
            dates.add(new Values.DateValue(RANDOM.nextInt(10000), RANDOM.nextInt(13), RANDOM.nextInt(32)));
        }
        same(col(ColumnType.DATE, 0, null, -1), dates);
        same(col(ColumnType.DATETIME2, 3, null, -1), times);
        same(col(ColumnType.DATETIME, 0, null, -1), times);
        same(col(ColumnType.TIME2, 3, null, -1), List.of(new Values.TimeValue(true, 838, 59, 59, 0, 0),
                new Values.TimeValue(false, 1, 2, 3, 450_000, 3)));
        same(col(ColumnType.TIMESTAMP2, 6, null, -1), List.of(new Values.TimestampValue(0, 0, 6),
                new Values.TimestampValue(1_700_000_000L, 123_456, 6), new Values.TimestampValue(1, 1, 0)));
    }

    @Test
    void textAndBinaryStrings() {
        List<Object> text = new ArrayList<>(List.of("", "abc", "çé€", "name-1-ü€ff", "😀 emoji", "\uD800 lone",
                "x\uDC00", "\u0000"));
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = RANDOM.nextInt(20); k > 0; k--) {
                s.appendCodePoint(RANDOM.nextInt(4) == 0 ? RANDOM.nextInt(0x110000) : RANDOM.nextInt(0x100));
            }
            text.add(s.toString());
        }
        List<Object> bytes = new ArrayList<>();
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        bytes.addAll(List.of(new byte[0], all, new byte[] {1, 2, 0, 0}, new byte[] {0, 0}, "ascii only".getBytes(
                StandardCharsets.US_ASCII), "ü€".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3}));
        for (int i = 0; i < 500; i++) {
            byte[] b = new byte[RANDOM.nextInt(70)];
            RANDOM.nextBytes(b);
            bytes.add(b);
        }
        int n = 0;
        for (int type : new int[] {ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.MARIA_VARCHAR_COMPRESSED}) {
            n += same(col(type, 1200, null, UTF8MB4), text);
            n += same(col(type, 300, null, Column.BINARY_COLLATION), bytes);
            n += same(col(type, 300, null, -1), bytes); // unknown charset: read as UTF-8
        }
        n += same(col(ColumnType.STRING, 0xFE | 40 << 8, null, UTF8MB4), text);
        n += same(col(ColumnType.STRING, 0xFE | 10 << 8, null, LATIN1), text);
        n += same(col(ColumnType.STRING, 0xFE | 70 << 8, null, Column.BINARY_COLLATION), bytes);
        for (int type : new int[] {ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB,
                ColumnType.MARIA_BLOB_COMPRESSED}) {
            n += same(col(type, 2, null, Column.BINARY_COLLATION), bytes);
            n += same(col(type, 2, null, -1), bytes);
            n += same(col(type, 2, null, UTF8MB4), text);
        }
        assertEquals(3 * (508 + 2 * 507) + (2 * 508 + 507) + 5 * (2 * 507 + 508), n, "values compared");
    }

    @Test
    void theRestGoThroughTheirText() {
        same(col(ColumnType.BIT, 1 | 8 << 8, null, -1), List.of(0L, 5L, -1L));
        same(col(ColumnType.STRING, ColumnType.SET | 8 << 8, null, UTF8MB4), List.of(new Values.SetValue(5, null),
                new Values.SetValue(-1L, null)));
        same(col(ColumnType.JSON, 4, null, 63), List.of("{\"a\": \"é\"}", "[]"));
        same(col(ColumnType.GEOMETRY, 4, null, 63), List.of(new Values.GeometryValue(4326, new byte[] {1, (byte) 0xE9})));
        same(col(ColumnType.VECTOR, 4, null, 63), List.<Object>of(new float[] {1.5f, -0f}));
    }
}
