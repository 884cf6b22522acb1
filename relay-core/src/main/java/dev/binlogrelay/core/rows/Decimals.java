package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * MySQL's binary DECIMAL (NEWDECIMAL) format, as in its {@code decimal2bin}: the integer and the fraction digits
 * each in groups of 9 decimal digits stored as 4-byte big-endian integers, a leftover group of 1..8 digits in
 * 1..4 bytes ({@link #DIG2BYTES}), the integer's leftover first and the fraction's last. The first bit is flipped
 * (1 = positive); a negative number has every byte inverted.
 */
final class Decimals {
    private static final int[] DIG2BYTES = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    private static final int DIGITS_PER_INT = 9;

    private Decimals() {
    }

    static int size(int precision, int scale) {
        int intg = precision - scale;
        return intg / DIGITS_PER_INT * 4 + DIG2BYTES[intg % DIGITS_PER_INT]
                + scale / DIGITS_PER_INT * 4 + DIG2BYTES[scale % DIGITS_PER_INT];
    }

    static BigDecimal read(ByteCursor c, int precision, int scale) {
        if (precision < 1 || precision > 65 || scale < 0 || scale > 38 || scale > precision) {
            throw new BinlogFormatException("DECIMAL(" + precision + "," + scale + ") is not a valid column type");
        }
        int size = size(precision, scale);
        // the message with the type only on failure, not concatenated for every value
        byte[] b = c.bytes(size, c.remaining() >= size ? "DECIMAL value"
                : "DECIMAL(" + precision + "," + scale + ") value");
        boolean positive = (b[0] & 0x80) != 0;
        b[0] ^= (byte) 0x80;
        if (!positive) {
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) ~b[i];
            }
        }
        int intg = precision - scale;
        if (precision <= 18) {
            BigDecimal v = BigDecimal.valueOf(unscaled(b, intg, scale), scale);
            return positive ? v : v.negate();
        }
        int pos = 0;
        StringBuilder digits = new StringBuilder(precision + 1);
        int lead = DIG2BYTES[intg % DIGITS_PER_INT];
        if (lead > 0) {
            digits.append(group(b, pos, lead, intg % DIGITS_PER_INT));
            pos += lead;
        }
        for (int i = 0; i < intg / DIGITS_PER_INT; i++, pos += 4) {
            digits.append(group(b, pos, 4, DIGITS_PER_INT));
        }
        StringBuilder frac = new StringBuilder(scale);
        for (int i = 0; i < scale / DIGITS_PER_INT; i++, pos += 4) {
            frac.append(group(b, pos, 4, DIGITS_PER_INT));
        }
        int trail = DIG2BYTES[scale % DIGITS_PER_INT];
        if (trail > 0) {
            frac.append(group(b, pos, trail, scale % DIGITS_PER_INT));
        }
        BigInteger unscaled = new BigInteger(digits.append(frac).length() == 0 ? "0" : digits.toString());
        BigDecimal v = new BigDecimal(unscaled, scale);
        return positive ? v : v.negate();
    }

    /**
     * The unscaled value of a DECIMAL of at most 18 digits (it fits a long), group by group in the same order as
     * the digit strings of the general case; the BigDecimal is the same (value and scale) without them.
     */
    private static long unscaled(byte[] b, int intg, int scale) {
        long v = 0;
        int pos = 0;
        int lead = DIG2BYTES[intg % DIGITS_PER_INT];
        if (lead > 0) {
            v = groupValue(b, pos, lead, intg % DIGITS_PER_INT);
            pos += lead;
        }
        for (int i = 0; i < intg / DIGITS_PER_INT; i++, pos += 4) {
            v = v * 1_000_000_000L + groupValue(b, pos, 4, DIGITS_PER_INT);
        }
        for (int i = 0; i < scale / DIGITS_PER_INT; i++, pos += 4) {
            v = v * 1_000_000_000L + groupValue(b, pos, 4, DIGITS_PER_INT);
        }
        int trail = DIG2BYTES[scale % DIGITS_PER_INT];
        if (trail > 0) {
            int width = scale % DIGITS_PER_INT;
            v = v * POW10[width] + groupValue(b, pos, trail, width);
        }
        return v;
    }

    private static final long[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
            1_000_000_000};

    /** One group's number, checked to have at most {@code width} digits as {@link #group} checks it. */
    private static long groupValue(byte[] b, int pos, int n, int width) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (b[pos + i] & 0xFF);
        }
        if (v >= POW10[width]) {
            throw new BinlogFormatException("DECIMAL group " + v + " has more than " + width + " digits");
        }
        return v;
    }

    /** One group of {@code n} big-endian bytes holding {@code width} decimal digits, zero-padded. */
    private static String group(byte[] b, int pos, int n, int width) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (b[pos + i] & 0xFF);
        }
        String s = Long.toString(v);
        if (s.length() > width) {
            throw new BinlogFormatException("DECIMAL group " + v + " has more than " + width + " digits");
        }
        return "0".repeat(width - s.length()) + s;
    }
}
