package dev.binlogrelay.core.rows;

import java.util.Arrays;
import java.util.BitSet;

/**
 * One row image (before or after) of a rows event: which columns it holds (all of them in a FULL image, some in
 * a MINIMAL or NOBLOB one), and their values; a held column's value is {@code null} for SQL NULL. Value types:
 * see {@link ColumnValues}. Only the held columns take room (a MINIMAL image of a wide table costs what it holds),
 * the bitmap and the column-to-slot map being shared by all the images of an event.
 */
public final class RowImage {
    private final int columnCount;
    private final BitSet present;
    /** Column index → position in {@link #values}, for held columns. */
    private final int[] slot;
    private final Object[] values;

    RowImage(int columnCount, BitSet present, int[] slot, Object[] values) {
        this.columnCount = columnCount;
        this.present = present;
        this.slot = slot;
        this.values = values;
    }

    /** The map from column index to value slot for images holding {@code present}, shared by an event's rows. */
    static int[] slots(int columnCount, BitSet present) {
        int[] slot = new int[columnCount];
        int k = 0;
        for (int i = present.nextSetBit(0); i >= 0; i = present.nextSetBit(i + 1)) {
            slot[i] = k++;
        }
        return slot;
    }

    public int columnCount() {
        return columnCount;
    }

    /** Whether the image holds column {@code i} (else its value is not known from this event). */
    public boolean has(int i) {
        return present.get(i);
    }

    /** Whether the image holds column {@code i} and it is NULL. */
    public boolean isNull(int i) {
        return present.get(i) && values[slot[i]] == null;
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
        return values[slot[i]];
    }

    /** The columns the image holds. */
    public BitSet columns() {
        return (BitSet) present.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowImage r && r.columnCount == columnCount && r.present.equals(present)
                && Arrays.deepEquals(r.values, values);
    }

    @Override
    public int hashCode() {
        return present.hashCode() * 31 + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < columnCount; i++) {
            if (i > 0) {
                b.append(", ");
            }
            Object v = present.get(i) ? values[slot[i]] : null;
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
