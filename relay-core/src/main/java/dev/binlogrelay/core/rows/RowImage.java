package dev.binlogrelay.core.rows;

import java.util.Arrays;
import java.util.BitSet;

/**
 * One row image (before or after) of a rows event: which columns it holds (all of them in a FULL image, some in
 * a MINIMAL or NOBLOB one), and their values; a held column's value is {@code null} for SQL NULL. Value types:
 * see {@link ColumnValues}.
 */
public final class RowImage {
    private final BitSet present;
    private final Object[] values;

    RowImage(BitSet present, Object[] values) {
        this.present = present;
        this.values = values;
    }

    public int columnCount() {
        return values.length;
    }

    /** Whether the image holds column {@code i} (else its value is not known from this event). */
    public boolean has(int i) {
        return present.get(i);
    }

    /** Whether the image holds column {@code i} and it is NULL. */
    public boolean isNull(int i) {
        return present.get(i) && values[i] == null;
    }

    /**
     * The value of column {@code i}: {@code null} for NULL.
     *
     * @throws IllegalArgumentException if the image does not hold the column
     */
    public Object get(int i) {
        if (!present.get(i)) {
            throw new IllegalArgumentException("the row image does not hold column " + i);
        }
        return values[i];
    }

    /** The columns the image holds. */
    public BitSet columns() {
        return (BitSet) present.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowImage r && r.present.equals(present) && Arrays.deepEquals(r.values, values);
    }

    @Override
    public int hashCode() {
        return present.hashCode() * 31 + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            Object v = values[i];
            b.append(!present.get(i) ? "-" : v == null ? "NULL" : v instanceof byte[] a ? "0x" + hex(a)
                    : v instanceof float[] f ? Arrays.toString(f) : v.toString());
        }
        return b.append(')').toString();
    }

    private static String hex(byte[] a) {
        StringBuilder b = new StringBuilder();
        for (byte x : a) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }
}
