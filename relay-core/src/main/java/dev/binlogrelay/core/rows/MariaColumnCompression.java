package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * MariaDB's column compression (a BLOB/TEXT/VARCHAR declared COMPRESSED, TABLE_MAP types 140 and 141): the
 * row image holds the stored form, which this inflates.
 * <pre>
 * empty value         no bytes
 * header 0x00         the value follows as is (compression did not pay)
 * header 0x80 | w | n the original length in n (1..4) bytes big-endian, then the deflated value: a raw
 *                     deflate stream when w = 0x08 (what MariaDB 10.11 writes), else a zlib stream
 * </pre>
 */
final class MariaColumnCompression {
    private MariaColumnCompression() {
    }

    static Object inflate(byte[] stored, Column col) {
        if (stored.length == 0) {
            return decoded(stored, col);
        }
        int header = stored[0] & 0xFF;
        if (header == 0) {
            return decoded(java.util.Arrays.copyOfRange(stored, 1, stored.length), col);
        }
        int n = header & 0x07;
        if ((header & 0x80) == 0 || n < 1 || n > 4 || (header & 0x70) != 0 || stored.length < 1 + n) {
            throw new BinlogFormatException("compressed column " + col.index() + ": bad header 0x"
                    + Integer.toHexString(header));
        }
        long len = 0;
        for (int i = 1; i <= n; i++) {
            len = len << 8 | (stored[i] & 0xFF);
        }
        boolean raw = (header & 0x08) != 0;
        byte[] out = Inflation.inflate(stored, 1 + n, stored.length - 1 - n, len, raw,
                RowsFormat.DEFAULT_MAX_INFLATED, "compressed column " + col.index());
        return decoded(out, col);
    }

    private static Object decoded(byte[] v, Column col) {
        java.nio.charset.Charset cs = col.isText() ? Charsets.of(col.collation()) : null;
        return cs == null ? v : new String(v, cs);
    }

    /** zlib inflation into exactly the announced size, which must be within a bound. */
    static final class Inflation {
        private Inflation() {
        }

        static byte[] inflate(byte[] in, int off, int len, long expected, boolean raw, int max, String what) {
            if (expected < 0 || expected > max) {
                throw new BinlogFormatException(what + ": announces " + expected + " bytes inflated, over the "
                        + max + "-byte bound");
            }
            byte[] out = new byte[(int) expected];
            Inflater inf = new Inflater(raw);
            try {
                inf.setInput(in, off, len);
                int got = 0;
                while (got < out.length) {
                    int k = inf.inflate(out, got, out.length - got);
                    if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    got += k;
                }
                if (got != out.length || (!inf.finished() && inflatesMore(inf))) {
                    throw new BinlogFormatException(what + ": inflates to " + (got == out.length ? "more than " : "")
                            + got + " bytes, " + expected + " announced");
                }
                return out;
            } catch (DataFormatException e) {
                throw new BinlogFormatException(what + ": bad zlib data (" + e.getMessage() + ")");
            } finally {
                inf.end();
            }
        }

        private static boolean inflatesMore(Inflater inf) throws DataFormatException {
            return inf.inflate(new byte[1]) > 0;
        }
    }
}
