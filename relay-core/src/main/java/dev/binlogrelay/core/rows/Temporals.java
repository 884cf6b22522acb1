package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

/**
 * The temporal column formats. Old ones (before MySQL 5.6.4 / MariaDB's mysql56_temporal_format) are
 * little-endian decimal-packed; the "2" ones are big-endian bit-packed with a fraction of (fsp + 1) / 2 bytes:
 * <pre>
 * DATE       3 bytes LE: day (5 bits) | month (4) | year (15)
 * TIME       3 bytes LE signed: ±(hh * 10000 + mm * 100 + ss)
 * DATETIME   8 bytes LE: yyyymmddhhmmss as a decimal number
 * TIMESTAMP  4 bytes LE: seconds since the epoch
 * TIMESTAMP2 4 bytes BE seconds | fraction BE
 * DATETIME2  5 bytes BE, minus 0x8000000000: 1 sign bit, year*13+month (17 bits), day (5), hour (5), minute (6),
 *            second (6) | fraction BE
 * TIME2      3 bytes BE, minus 0x800000: sign, 1 unused bit, hour (10), minute (6), second (6) | fraction BE
 *            (signed for negative times); fsp 5..6: the 6 bytes together minus 0x800000000000
 * </pre>
 */
final class Temporals {
    private Temporals() {
    }

    static Values.DateValue date(ByteCursor c) {
        int v = (int) c.uint(3, "DATE value");
        return new Values.DateValue(v >>> 9, (v >>> 5) & 0xF, v & 0x1F);
    }

    static Values.TimeValue time(ByteCursor c) {
        int v = (int) c.uint(3, "TIME value");
        v = (v << 8) >> 8; // sign-extend 24 bits
        boolean neg = v < 0;
        int a = Math.abs(v);
        return new Values.TimeValue(neg, a / 10000, a / 100 % 100, a % 100, 0, 0);
    }

    static Values.DateTimeValue datetime(ByteCursor c) {
        long v = c.uint(8, "DATETIME value");
        if (v < 0) {
            throw new BinlogFormatException("DATETIME value " + Long.toUnsignedString(v) + " is out of range");
        }
        long d = v / 1_000_000L;
        long t = v % 1_000_000L;
        return new Values.DateTimeValue((int) (d / 10000 % 10000), (int) (d % 10000 / 100), (int) (d % 100),
                (int) (t / 10000), (int) (t % 10000 / 100), (int) (t % 100), 0, 0);
    }

    static Values.TimestampValue timestamp(ByteCursor c) {
        return new Values.TimestampValue(c.uint(4, "TIMESTAMP value"), 0, 0);
    }

    static Values.TimestampValue timestamp2(ByteCursor c, int fsp) {
        long secs = c.uintBE(4, "TIMESTAMP2 value");
        return new Values.TimestampValue(secs, fraction(c, fsp, "TIMESTAMP2"), fsp);
    }

    static Values.DateTimeValue datetime2(ByteCursor c, int fsp) {
        long intpart = c.uintBE(5, "DATETIME2 value") - 0x8000000000L;
        int frac = fraction(c, fsp, "DATETIME2");
        if (intpart < 0) {
            throw new BinlogFormatException("DATETIME2 value is negative");
        }
        long ymd = intpart >>> 17;
        long ym = ymd >>> 5;
        long hms = intpart & ((1 << 17) - 1);
        return new Values.DateTimeValue((int) (ym / 13), (int) (ym % 13), (int) (ymd & 0x1F),
                (int) (hms >>> 12), (int) ((hms >>> 6) & 0x3F), (int) (hms & 0x3F), frac, fsp);
    }

    static Values.TimeValue time2(ByteCursor c, int fsp) {
        checkFsp(fsp, "TIME2");
        long packed;
        switch (fsp) {
            case 0 -> packed = (c.uintBE(3, "TIME2 value") - 0x800000L) << 24;
            case 1, 2 -> {
                long intpart = c.uintBE(3, "TIME2 value") - 0x800000L;
                int frac = c.u8("TIME2 fraction"); // unsigned: a negative time stores 0x100 - fraction
                if (intpart < 0 && frac != 0) {
                    intpart++;
                    frac -= 0x100;
                }
                packed = (intpart << 24) + frac * 10000L;
            }
            case 3, 4 -> {
                long intpart = c.uintBE(3, "TIME2 value") - 0x800000L;
                int frac = (int) c.uintBE(2, "TIME2 fraction"); // unsigned, 0x10000 - fraction when negative
                if (intpart < 0 && frac != 0) {
                    intpart++;
                    frac -= 0x10000;
                }
                packed = (intpart << 24) + frac * 100L;
            }
            default -> packed = c.uintBE(6, "TIME2 value") - 0x800000000000L;
        }
        boolean neg = packed < 0;
        long a = Math.abs(packed);
        long hms = a >>> 24;
        return new Values.TimeValue(neg, (int) ((hms >>> 12) & 0x3FF), (int) ((hms >>> 6) & 0x3F),
                (int) (hms & 0x3F), (int) (a & 0xFFFFFF), fsp);
    }

    /** The fraction of a TIMESTAMP2/DATETIME2 in microseconds. */
    private static int fraction(ByteCursor c, int fsp, String what) {
        checkFsp(fsp, what);
        return switch (fsp) {
            case 1, 2 -> c.u8(what + " fraction") * 10000;
            case 3, 4 -> (int) c.uintBE(2, what + " fraction") * 100;
            case 5, 6 -> (int) c.uintBE(3, what + " fraction");
            default -> 0;
        };
    }

    private static void checkFsp(int fsp, String what) {
        if (fsp < 0 || fsp > 6) {
            throw new BinlogFormatException(what + " column with " + fsp + " fractional digits");
        }
    }
}
