package dev.binlogrelay.core.rows;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * DECIMAL values of every precision and scale, encoded as MySQL's decimal2bin does (groups of 9 digits in 4 bytes,
 * leftover digits in {@code DIG2BYTES} bytes, first bit flipped, a negative number inverted), read back with the
 * same value and scale: the long path (up to 18 digits) and the BigInteger one (19 to 65).
 */
class DecimalsTest {
    private static final int[] DIG2BYTES = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

    /** decimal2bin of {@code v} (whose scale is {@code scale}) as DECIMAL(precision, scale). */
    static byte[] encode(BigDecimal v, int precision, int scale) {
        String digits = v.unscaledValue().abs().toString();
        digits = "0".repeat(precision - digits.length()) + digits;
        int intg = precision - scale;
        byte[] out = new byte[Decimals.size(precision, scale)];
        int pos = 0;
        int lead = intg % 9;
        int d = 0;
        pos = put(out, pos, DIG2BYTES[lead], digits.substring(d, d += lead));
        for (int i = 0; i < intg / 9; i++) {
            pos = put(out, pos, 4, digits.substring(d, d += 9));
        }
        for (int i = 0; i < scale / 9; i++) {
            pos = put(out, pos, 4, digits.substring(d, d += 9));
        }
        put(out, pos, DIG2BYTES[scale % 9], digits.substring(d, d + scale % 9));
        if (v.signum() < 0) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) ~out[i];
            }
        }
        out[0] ^= (byte) 0x80;
        return out;
    }

    private static int put(byte[] out, int pos, int n, String digits) {
        long g = digits.isEmpty() ? 0 : Long.parseLong(digits);
        for (int i = n - 1; i >= 0; i--, g >>>= 8) {
            out[pos + i] = (byte) g;
        }
        return pos + n;
    }

    private static BigDecimal read(byte[] b, int precision, int scale) {
        return Decimals.read(new ByteCursor(b, 0, b.length), precision, scale);
    }

    @Test
    void everyPrecisionAndScaleReadsBackExactly() {
        Random random = new Random(7);
        int checked = 0;
        for (int precision = 1; precision <= 65; precision++) {
            for (int scale = 0; scale <= Math.min(30, precision); scale++) {
                BigInteger max = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
                for (int i = 0; i < 40; i++) {
                    BigInteger u = switch (i) {
                        case 0 -> BigInteger.ZERO;
                        case 1, 2 -> max;
                        case 3, 4 -> BigInteger.ONE;
                        default -> new BigInteger(1 + random.nextInt(precision * 4), random).mod(max.add(BigInteger.ONE));
                    };
                    BigDecimal v = new BigDecimal(i % 2 == 0 ? u.negate() : u, scale);
                    BigDecimal got = read(encode(v, precision, scale), precision, scale);
                    assertEquals(v, got, "DECIMAL(" + precision + "," + scale + ")");
                    assertEquals(v.toPlainString(), got.toPlainString());
                    checked++;
                }
            }
        }
        assertEquals(40 * 1580, checked, "values read"); // scales 0..min(30, precision) of precisions 1..65
    }

    @Test
    void aGroupOfTooManyDigitsIsAnErrorInBothPaths() {
        // DECIMAL(9,0): one 4-byte group; 0x3B9ACA00 is 1,000,000,000, ten digits
        assertThrows(dev.binlogrelay.core.binlog.BinlogFormatException.class,
                () -> read(new byte[] {(byte) 0xBB, (byte) 0x9A, (byte) 0xCA, 0}, 9, 0));
        // DECIMAL(27,0): three such groups, the last too wide
        byte[] wide = new byte[12];
        wide[0] = (byte) 0x80;
        wide[8] = 0x3B;
        wide[9] = (byte) 0x9A;
        wide[10] = (byte) 0xCA;
        assertThrows(dev.binlogrelay.core.binlog.BinlogFormatException.class, () -> read(wide, 27, 0));
    }
}
