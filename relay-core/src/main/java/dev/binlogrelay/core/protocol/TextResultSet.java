package dev.binlogrelay.core.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text-protocol result set with string columns (null values allowed).
 *
 * <pre>
 * column_count (lenenc)
 * column_count × column definition 41:
 *   catalog "def" | schema | table | org_table | name | org_name   (lenenc strings)
 *   0x0C | charset (2) | column_length (4) | type (1) | flags (2) | decimals (1) | 0x0000
 * EOF
 * rows: each value a lenenc string, or 0xFB for NULL
 * EOF
 * </pre>
 * (The relay never negotiates CLIENT_DEPRECATE_EOF, so both EOF packets are always present.)
 */
public record TextResultSet(List<String> columns, List<List<String>> rows) {
    private static final int TYPE_VAR_STRING = 0xFD;
    private static final int CHARSET_UTF8MB4 = 45;

    public TextResultSet {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
    }

    public static TextResultSet of(List<String> columns, List<List<String>> rows) {
        return new TextResultSet(columns, rows);
    }

    /** One row of values, in column order. */
    public static TextResultSet single(List<String> columns, String... values) {
        return new TextResultSet(columns, List.of(Arrays.asList(values)));
    }

    /** The packets (payloads) of this result set, in order; the EOF packets say autocommit is on. */
    public List<ByteBuf> encode(ByteBufAllocator alloc) {
        return encode(alloc, ServerStatus.AUTOCOMMIT);
    }

    /** The packets (payloads) of this result set, in order, with these server status flags in its EOF packets. */
    public List<ByteBuf> encode(ByteBufAllocator alloc, int statusFlags) {
        for (List<String> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " values for " + columns.size() + " columns");
            }
        }
        List<ByteBuf> packets = new ArrayList<>(columns.size() + rows.size() + 3);
        ByteBuf count = alloc.buffer(9);
        Wire.writeLenencInt(count, columns.size());
        packets.add(count);
        for (String column : columns) {
            packets.add(columnDefinition(alloc, column));
        }
        packets.add(new EofPacket(0, statusFlags).encode(alloc));
        for (List<String> row : rows) {
            ByteBuf out = alloc.buffer();
            for (String value : row) {
                if (value == null) {
                    out.writeByte(Wire.NULL_MARKER);
                } else {
                    Wire.writeLenencString(out, value);
                }
            }
            packets.add(out);
        }
        packets.add(new EofPacket(0, statusFlags).encode(alloc));
        return packets;
    }

    private static ByteBuf columnDefinition(ByteBufAllocator alloc, String name) {
        ByteBuf out = alloc.buffer();
        Wire.writeLenencString(out, "def");
        Wire.writeLenencString(out, "");
        Wire.writeLenencString(out, "");
        Wire.writeLenencString(out, "");
        Wire.writeLenencString(out, name);
        Wire.writeLenencString(out, name);
        out.writeByte(0x0C).writeShortLE(CHARSET_UTF8MB4).writeIntLE(1024).writeByte(TYPE_VAR_STRING)
                .writeShortLE(0).writeByte(0x1F).writeShortLE(0);
        return out;
    }

    /** Reads a column definition's name (and skips the rest). */
    static String decodeColumnName(ByteBuf in) {
        for (int i = 0; i < 4; i++) {
            Wire.readLenencBytes(in);
        }
        String name = Wire.readLenencString(in);
        in.skipBytes(in.readableBytes());
        return name;
    }

    static List<String> decodeRow(ByteBuf in, int columnCount) {
        List<String> values = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++) {
            Wire.need(in, 1, "row value");
            if (in.getUnsignedByte(in.readerIndex()) == Wire.NULL_MARKER) {
                in.skipBytes(1);
                values.add(null);
            } else {
                values.add(new String(Wire.readLenencBytes(in), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** First value of the first row, or null. */
    public String scalar() {
        return rows.isEmpty() || rows.get(0).isEmpty() ? null : rows.get(0).get(0);
    }
}
