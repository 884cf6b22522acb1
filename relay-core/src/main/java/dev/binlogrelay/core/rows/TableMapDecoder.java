package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes TABLE_MAP (type 19).
 *
 * <pre>
 * header (19)
 * table_id (6) | flags (2)
 * schema_len (1) | schema | 0x00 | table_len (1) | table | 0x00
 * column_count (packed) | column_type (1 each) | metadata_len (packed) | metadata (0, 1 or 2 bytes per column,
 *   by type: see {@link ColumnType#metadataSize}) | null_bitmap ((column_count + 7) / 8, bit i = column i)
 * optional metadata (MySQL 8.0.1+, MariaDB 10.5+): TLVs of type (1) | length (packed) | value, see
 *   {@link OptionalMetadata}
 * [CRC32 (4)]
 * </pre>
 */
public final class TableMapDecoder {
    /** More columns than any server allows (MySQL 4096, MariaDB 4096); a larger count is corruption. */
    static final int MAX_COLUMNS = 4096;

    private TableMapDecoder() {
    }

    public static TableMap decode(byte[] event, RowsFormat format) {
        int end = format.bodyEnd(event);
        if (Events.type(event) != EventType.TABLE_MAP) {
            throw new BinlogFormatException("not a TABLE_MAP event: " + EventType.name(Events.type(event)));
        }
        ByteCursor c = new ByteCursor(event, Events.HEADER_SIZE, end);
        long tableId = c.uint(6, "TABLE_MAP table_id");
        c.skip(2, "TABLE_MAP flags");
        String schema = name(c, "schema");
        String table = name(c, "table");
        int n = c.packedSize("TABLE_MAP column count", MAX_COLUMNS);
        byte[] types = c.bytes(n, "TABLE_MAP column types");
        ByteCursor meta = c.slice(c.packed("TABLE_MAP metadata length"), "TABLE_MAP metadata");
        byte[] nulls = c.bytes((n + 7) / 8, "TABLE_MAP null bitmap");
        List<Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int type = types[i] & 0xFF;
            if (!ColumnType.isKnown(type)) {
                throw new BinlogFormatException("TABLE_MAP " + schema + "." + table + ": column " + i
                        + " has unknown type " + type);
            }
            int size = ColumnType.metadataSize(type);
            int m = (int) meta.uint(size, "TABLE_MAP metadata of column " + i + " (" + ColumnType.name(type) + ")");
            columns.add(Column.basic(i, type, m, (nulls[i / 8] >> (i % 8) & 1) != 0));
        }
        if (meta.hasRemaining()) {
            throw new BinlogFormatException("TABLE_MAP " + schema + "." + table + ": " + meta.remaining()
                    + " metadata bytes left over");
        }
        boolean hasOptional = c.hasRemaining();
        OptionalMetadata.Result r = OptionalMetadata.apply(c, columns, format);
        return new TableMap(tableId, schema, table, r.columns(), r.primaryKey(), r.prefixes(), hasOptional);
    }

    private static String name(ByteCursor c, String what) {
        int len = c.u8("TABLE_MAP " + what + " length");
        byte[] b = c.bytes(len, "TABLE_MAP " + what + " name");
        if (c.u8("TABLE_MAP " + what + " terminator") != 0) {
            throw new BinlogFormatException("TABLE_MAP " + what + " name is not NUL-terminated");
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
