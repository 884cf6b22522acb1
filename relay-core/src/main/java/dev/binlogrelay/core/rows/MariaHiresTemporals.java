package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

/**
 * MariaDB's own temporal formats with fractions (columns created with {@code mysql56_temporal_format=OFF}, or
 * before MariaDB 10.1.2), which TABLE_MAP announces as the old types TIME (11), DATETIME (12), TIMESTAMP (7)
 * without metadata: the fractional digits {@code d} must come from the table's definition. With
 * {@code shift(x) = x / 10^(6-d)} and {@code packed = ((((((year*13 + month)*32 + day)*24 + hour)*60 + minute)*60
 * + second)*10^6 + microseconds)}:
 * <pre>
 * TIMESTAMP(d)  seconds since the epoch (4, BE) | shift(microseconds) in 0,1,1,2,2,3,3 bytes (BE) for d = 0..6
 * DATETIME(d)   shift(packed) in 5,6,6,7,7,7,8 bytes (BE)
 * TIME(d)       shift(±packed) + shift((838:59:59 + 1 s) in microseconds) in 3,4,4,5,5,5,6 bytes (BE)
 * </pre>
 * (Checked against a live MariaDB 10.11: RowsMariaDbIT's OLD_TEMPORAL phase.)
 */
final class MariaHiresTemporals {
    private static final int[] FRACTION_BYTES = {0, 1, 1, 2, 2, 3, 3};
    private static final int[] DATETIME_BYTES = {5, 6, 6, 7, 7, 7, 8};
    private static final int[] TIME_BYTES = {3, 4, 4, 5, 5, 5, 6};
    private static final long TIME_ZERO_MICROS = (838L * 3600 + 59 * 60 + 59 + 1) * 1_000_000L;

    private MariaHiresTemporals() {
    }

    static Values.TimestampValue timestamp(ByteCursor c, int d) {
        long secs = c.uintBE(4, "TIMESTAMP(" + d + ") value");
        long frac = c.uintBE(FRACTION_BYTES[d], "TIMESTAMP(" + d + ") fraction");
        return new Values.TimestampValue(secs, (int) micros(frac, d, "TIMESTAMP"), d);
    }

    static Values.DateTimeValue datetime(ByteCursor c, int d) {
        long packed = unshift(c.uintBE(DATETIME_BYTES[d], "DATETIME(" + d + ") value"), d);
        long micros = packed % 1_000_000L;
        long rest = packed / 1_000_000L;
        int second = (int) (rest % 60);
        rest /= 60;
        int minute = (int) (rest % 60);
        rest /= 60;
        int hour = (int) (rest % 24);
        rest /= 24;
        int day = (int) (rest % 32);
        rest /= 32;
        int month = (int) (rest % 13);
        long year = rest / 13;
        if (year > 9999) {
            throw new BinlogFormatException("DATETIME(" + d + ") value out of range");
        }
        return new Values.DateTimeValue((int) year, month, day, hour, minute, second, (int) micros, d);
    }

    static Values.TimeValue time(ByteCursor c, int d) {
        long stored = c.uintBE(TIME_BYTES[d], "TIME(" + d + ") value");
        long packed = unshift(stored - TIME_ZERO_MICROS / pow10(6 - d), d);
        boolean neg = packed < 0;
        long a = Math.abs(packed);
        long secs = a / 1_000_000L;
        if (secs > 838L * 3600 + 59 * 60 + 59) {
            throw new BinlogFormatException("TIME(" + d + ") value out of range");
        }
        return new Values.TimeValue(neg, (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60),
                (int) (a % 1_000_000L), d);
    }

    private static long unshift(long v, int d) {
        return v * pow10(6 - d);
    }

    private static long micros(long frac, int d, String what) {
        long m = unshift(frac, d);
        if (m > 999_999) {
            throw new BinlogFormatException(what + "(" + d + ") fraction out of range");
        }
        return m;
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
