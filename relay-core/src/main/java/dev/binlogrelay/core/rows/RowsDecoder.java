package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.RowsEvents;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Decodes rows events against the TABLE_MAP their table id names.
 *
 * <pre>
 * header (19)
 * table_id (6) | flags (2) | [v2 (30..32, 39, 169..171): extra_info_len (2, counting itself) | extra info]
 * column_count (packed) | columns-present bitmap ((n + 7) / 8, bit i = column i, LSB first)
 * [UPDATE, PARTIAL_UPDATE: columns-present-after bitmap]
 * rows, to the end of the event (MariaDB compressed 166..171: header 0x80|k, uncompressed length (k bytes BE),
 *   zlib stream of the rows):
 *   image = null bitmap (one bit per present column) | values of the present non-NULL columns
 *   WRITE: after image; DELETE: before image; UPDATE: before image, after image
 *   PARTIAL_UPDATE (MySQL 8.0.16+): before image, then value_options (packed; bit 0 = PARTIAL_JSON_UPDATES) |
 *     [partial bitmap: one bit per JSON column of the after image, LSB first] | after image, where a partial
 *     JSON column holds length (4) | diffs (see {@link JsonDiffReader})
 * [CRC32 (4)]
 * </pre>
 */
public final class RowsDecoder {
    private RowsDecoder() {
    }

    /** The table id a rows event refers to (to find its TABLE_MAP). */
    public static long tableId(byte[] event, RowsFormat format) {
        return new ByteCursor(event, Events.HEADER_SIZE, format.bodyEnd(event)).uint(6, "rows event table_id");
    }

    /** Whether {@link #decode} accepts events of this type. */
    public static boolean isRows(int type) {
        return RowsEvents.isRows(type) || type == EventType.PARTIAL_UPDATE_ROWS;
    }

    public static RowsEvent decode(byte[] event, TableMap table, RowsFormat format) {
        int end = format.bodyEnd(event);
        int type = Events.type(event);
        if (!isRows(type)) {
            throw new BinlogFormatException("not a rows event: " + EventType.name(type));
        }
        RowsEvent.Kind kind = kind(type);
        boolean v2 = (type >= EventType.WRITE_ROWS_V2 && type <= EventType.PARTIAL_UPDATE_ROWS) || type >= 169;
        boolean partial = type == EventType.PARTIAL_UPDATE_ROWS;
        boolean compressed = type >= RowsEvents.MARIA_WRITE_ROWS_COMPRESSED_V1;
        ByteCursor c = new ByteCursor(event, Events.HEADER_SIZE, end);
        long tableId = c.uint(6, "rows event table_id");
        if (tableId != table.tableId()) {
            throw new BinlogFormatException("rows event for table id " + tableId + " decoded with the TABLE_MAP of "
                    + table);
        }
        int flags = c.u16("rows event flags");
        if (v2) {
            int extra = c.u16("rows event extra_info length");
            if (extra < 2) {
                throw new BinlogFormatException("rows event extra_info length " + extra + " is under 2");
            }
            c.skip(extra - 2, "rows event extra_info");
        }
        int n = c.packedSize("rows event column count", TableMapDecoder.MAX_COLUMNS);
        if (n != table.columnCount()) {
            throw new BinlogFormatException("rows event has " + n + " columns, its TABLE_MAP " + table + " "
                    + table.columnCount());
        }
        BitSet cols = bitmap(c, n, "columns-present bitmap");
        BitSet colsAfter = kind == RowsEvent.Kind.UPDATE ? bitmap(c, n, "columns-present-after bitmap") : cols;
        ByteCursor rows = compressed ? inflate(c, format) : c;
        int[] slots = RowImage.slots(n, cols);
        int[] slotsAfter = colsAfter == cols ? slots : RowImage.slots(n, colsAfter);
        List<RowsEvent.Change> changes = new ArrayList<>();
        while (rows.hasRemaining()) {
            int start = rows.position();
            RowImage before = kind == RowsEvent.Kind.WRITE ? null : image(rows, table, cols, slots, null);
            RowImage after = null;
            if (kind != RowsEvent.Kind.DELETE) {
                BitSet partialJson = partial ? partialBits(rows, table, colsAfter) : null;
                after = image(rows, table, colsAfter, slotsAfter, partialJson);
            }
            if (rows.position() == start) {
                throw new BinlogFormatException("rows event row of no bytes (no columns present)");
            }
            changes.add(new RowsEvent.Change(before, after));
        }
        return new RowsEvent(kind, table, flags, changes);
    }

    private static RowsEvent.Kind kind(int type) {
        return switch (type) {
            case EventType.WRITE_ROWS_V1, EventType.WRITE_ROWS_V2, 166, 169 -> RowsEvent.Kind.WRITE;
            case EventType.DELETE_ROWS_V1, EventType.DELETE_ROWS_V2, 168, 171 -> RowsEvent.Kind.DELETE;
            default -> RowsEvent.Kind.UPDATE;
        };
    }

    private static RowImage image(ByteCursor c, TableMap table, BitSet cols, int[] slots, BitSet partialJson) {
        int held = cols.cardinality();
        // the null bits read where they are (not copied into a BitSet for every row)
        int nulls = c.position();
        c.skip((held + 7) / 8, "row null bitmap");
        byte[] buf = c.array();
        Object[] values = new Object[held];
        int k = 0;
        for (int i = cols.nextSetBit(0); i >= 0; i = cols.nextSetBit(i + 1), k++) {
            if ((buf[nulls + (k >>> 3)] >>> (k & 7) & 1) != 0) {
                continue;
            }
            Column col = table.column(i);
            try {
                values[k] = partialJson != null && partialJson.get(i) ? JsonDiffReader.read(c, col)
                        : ColumnValues.read(c, col);
            } catch (BinlogFormatException e) {
                throw new BinlogFormatException(table + " column " + i + " (" + ColumnType.name(col.realType())
                        + "): " + e.getMessage());
            }
        }
        return new RowImage(table.columnCount(), cols, slots, values);
    }

    /** value_options and, with PARTIAL_JSON_UPDATES, which JSON columns of the after image hold diffs. */
    private static BitSet partialBits(ByteCursor c, TableMap table, BitSet colsAfter) {
        long options = c.packed("PARTIAL_UPDATE value_options");
        BitSet out = new BitSet();
        if ((options & 1) == 0) {
            return out;
        }
        List<Integer> json = new ArrayList<>();
        for (int i = colsAfter.nextSetBit(0); i >= 0; i = colsAfter.nextSetBit(i + 1)) {
            if (table.column(i).realType() == ColumnType.JSON) {
                json.add(i);
            }
        }
        BitSet bits = bitmap(c, json.size(), "PARTIAL_UPDATE partial bitmap");
        for (int k = bits.nextSetBit(0); k >= 0; k = bits.nextSetBit(k + 1)) {
            out.set(json.get(k));
        }
        return out;
    }

    private static BitSet bitmap(ByteCursor c, int bits, String what) {
        return BitSet.valueOf(c.bytes((bits + 7) / 8, what)).get(0, bits);
    }

    private static ByteCursor inflate(ByteCursor c, RowsFormat format) {
        int header = c.u8("compressed rows header");
        int k = header & 0x07;
        if ((header & 0x80) == 0 || k < 1 || k > 4) {
            throw new BinlogFormatException("compressed rows event: bad header 0x" + Integer.toHexString(header));
        }
        long len = c.uintBE(k, "compressed rows length");
        byte[] out = MariaColumnCompression.Inflation.inflate(c.array(), c.position(), c.remaining(), len, false,
                format.maxInflatedBytes(), "compressed rows event");
        return new ByteCursor(out, 0, out.length);
    }
}
