package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.RowImage;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.TableMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded rows event as Canal's ROWDATA entry: a RowChange (table id, event type INSERT/UPDATE/DELETE, not DDL)
 * with one RowData per row. As in Canal, an INSERT's row is in {@code afterColumns}, a DELETE's in
 * {@code beforeColumns}, an UPDATE's in both; only the columns the image holds are listed (MINIMAL and NOBLOB
 * images hold fewer). {@code updated} is true for an after column whose value differs from the before column of
 * the same index or has none (so every column of an INSERT), false in before images.
 *
 * <p>The RowChange is encoded here, not built with protobuf's builders: Canal's protocol is proto2, so every field
 * set is on the wire, and protobuf-java writes a message's fields in field-number order; this writes the same fields
 * in the same order (byte for byte what the builders made, {@code RowEntriesTest}), once, into one array of its
 * exact size, without a builder and a message object per column and row (the serialization of those was the
 * largest part of a client's decoding in the JFR profile of the bench's canal scenario).
 * <pre>
 * RowChange: tableId(1) int64, eventType(2) enum, isDdl(10) bool false, rowDatas(12) RowData...
 * RowData:   beforeColumns(1) Column..., afterColumns(2) Column...
 * Column:    index(1) int32, sqlType(2) int32, name(3) (when known), isKey(4), updated(5), isNull(6),
 *            value(8) (when not NULL), mysqlType(10)
 * </pre>
 */
final class RowEntries {
    private final ZoneId zone;

    RowEntries(ZoneId zone) {
        this.zone = zone;
    }

    /** One column of an image, with its encoded size. */
    private record Col(int index, int sqlType, ByteString name, boolean key, boolean updated, byte[] value,
                       ByteString type, int size) {
        static Col of(int index, int sqlType, ByteString name, boolean key, boolean updated, byte[] value,
                      ByteString type) {
            int size = CodedOutputStream.computeInt32Size(1, index) + CodedOutputStream.computeInt32Size(2, sqlType)
                    + (name == null ? 0 : CodedOutputStream.computeBytesSize(3, name))
                    + 3 * CodedOutputStream.computeBoolSize(4, false)
                    + (value == null ? 0 : CodedOutputStream.computeByteArraySize(8, value))
                    + CodedOutputStream.computeBytesSize(10, type);
            return new Col(index, sqlType, name, key, updated, value, type, size);
        }

        void write(CodedOutputStream o, int field) throws IOException {
            o.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(size);
            o.writeInt32(1, index);
            o.writeInt32(2, sqlType);
            if (name != null) {
                o.writeBytes(3, name);
            }
            o.writeBool(4, key);
            o.writeBool(5, updated);
            o.writeBool(6, value == null);
            if (value != null) {
                o.writeByteArray(8, value); // the UTF-8 of the text: what writeString(8, text) writes
            }
            o.writeBytes(10, type);
        }

        int sizeWithTag(int field) {
            return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
        }
    }

    /** The most bytes a RowChange may take: a Java array's, less a margin for the entry around it. */
    static final long MAX_CHANGE = Integer.MAX_VALUE - 1024;

    /**
     * {@code size} as an int; a clear error naming the event when a RowChange would pass {@link #MAX_CHANGE} (a rows
     * event of wide values can inflate past 2 GiB as text; protobuf and Java arrays cannot hold it).
     */
    static int checked(long size, Origin origin) {
        if (size > MAX_CHANGE) {
            throw new BinlogFormatException("rows event at " + origin.file() + ":" + origin.offset() + " makes a Canal"
                    + " RowChange of more than " + size + " bytes, over the 2 GiB a protobuf message can hold");
        }
        return (int) size;
    }

    CanalEntry.Entry entry(Origin origin, RowsEvent r, boolean widths) {
        CanalEntry.EventType type = type(r);
        CanalEntry.Header header = origin.header(r.table().schema(), r.table().table(), type, r.rows().size());
        byte[] change = encode(origin, r, widths, type, null);
        return Origin.entry(header, CanalEntry.EntryType.ROWDATA, com.google.protobuf.UnsafeByteOperations.unsafeWrap(change));
    }

    /**
     * {@code EncodedEntry.of(entry(origin, r, widths))}, its Entry (header 1, entryType 2 ROWDATA, storeValue 3 the
     * RowChange) written around the RowChange in the one array, not the RowChange copied into the Entry's.
     */
    EncodedEntry encoded(Origin origin, RowsEvent r, boolean widths) {
        CanalEntry.EventType type = type(r);
        CanalEntry.Header header = origin.header(r.table().schema(), r.table().table(), type, r.rows().size());
        byte[] entry = encode(origin, r, widths, type, header);
        return new EncodedEntry(header.getSchemaName(), header.getTableName(),
                com.google.protobuf.UnsafeByteOperations.unsafeWrap(entry));
    }

    private static CanalEntry.EventType type(RowsEvent r) {
        return switch (r.kind()) {
            case WRITE -> CanalEntry.EventType.INSERT;
            case UPDATE -> CanalEntry.EventType.UPDATE;
            case DELETE -> CanalEntry.EventType.DELETE;
        };
    }

    /** The RowChange; with a {@code header}, the Entry holding it. */
    private byte[] encode(Origin origin, RowsEvent r, boolean widths, CanalEntry.EventType type,
                          CanalEntry.Header header) {
        TableMap t = r.table();
        int n = t.columnCount();
        // each column's mysqlType and name as UTF-8, made once per event, not for every row
        ByteString[] types = new ByteString[2 * n];
        byte[][] beforeValues = new byte[n][];
        boolean[] beforeHeld = new boolean[n];
        List<List<Col>> rows = new ArrayList<>(2 * r.rows().size());
        int[] rowSizes = new int[r.rows().size()];
        long changeSize = CodedOutputStream.computeInt64Size(1, t.tableId())
                + CodedOutputStream.computeEnumSize(2, type.getNumber()) + CodedOutputStream.computeBoolSize(10, false);
        int k = 0;
        for (RowsEvent.Change c : r.rows()) {
            java.util.Arrays.fill(beforeHeld, false);
            List<Col> before = c.before() == null ? List.of() : columns(t, c.before(), null, null, widths, types);
            if (c.after() != null) {
                for (Col b : before) {
                    beforeHeld[b.index()] = true;
                    beforeValues[b.index()] = b.value();
                }
            }
            List<Col> after = c.after() == null ? List.of() : columns(t, c.after(), beforeHeld, beforeValues, widths, types);
            long size = 0;
            for (Col b : before) {
                size += b.sizeWithTag(1);
            }
            for (Col a : after) {
                size += a.sizeWithTag(2);
            }
            rowSizes[k++] = checked(size, origin);
            changeSize += CodedOutputStream.computeTagSize(12) + CodedOutputStream.computeUInt32SizeNoTag((int) size) + size;
            checked(changeSize, origin);
            rows.add(before);
            rows.add(after);
        }
        int change = checked(changeSize, origin);
        long total = header == null ? change : CodedOutputStream.computeMessageSize(1, header)
                + CodedOutputStream.computeEnumSize(2, CanalEntry.EntryType.ROWDATA.getNumber())
                + CodedOutputStream.computeTagSize(3) + CodedOutputStream.computeUInt32SizeNoTag(change) + change;
        byte[] out = new byte[checked(total, origin)];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            if (header != null) {
                o.writeMessage(1, header);
                o.writeEnum(2, CanalEntry.EntryType.ROWDATA.getNumber());
                o.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(change);
            }
            o.writeInt64(1, t.tableId());
            o.writeEnum(2, type.getNumber());
            o.writeBool(10, false);
            for (int i = 0; i < rowSizes.length; i++) {
                o.writeTag(12, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(rowSizes[i]);
                for (Col b : rows.get(2 * i)) {
                    b.write(o, 1);
                }
                for (Col a : rows.get(2 * i + 1)) {
                    a.write(o, 2);
                }
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an array of the exact size: cannot happen
        }
        return out;
    }

    /**
     * The image's columns; for an after image ({@code beforeHeld} given) {@code updated} is Canal's test: false only
     * when the before image has this column with the same value, or both are NULL.
     */
    private List<Col> columns(TableMap t, RowImage img, boolean[] beforeHeld, byte[][] beforeValues, boolean widths,
                              ByteString[] types) {
        int n = Math.min(t.columnCount(), img.columnCount());
        List<Col> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (!img.has(i)) {
                continue; // not in this image (MINIMAL, NOBLOB)
            }
            Column col = t.column(i);
            Object v = img.get(i);
            byte[] value = CanalUtf8.of(col, v, zone);
            ByteString type = types[2 * i];
            if (type == null) {
                type = ByteString.copyFromUtf8(MysqlTypeText.of(col, widths));
                types[2 * i] = type;
                types[2 * i + 1] = col.name() == null ? null : ByteString.copyFromUtf8(col.name());
            }
            // equal texts have equal UTF-8 (a decoded value holds no unpaired surrogate, the one case that is not 1:1)
            boolean updated = beforeHeld != null && !(beforeHeld[i] && java.util.Arrays.equals(value, beforeValues[i]));
            out.add(Col.of(i, CanalValues.sqlType(col, v), types[2 * i + 1], col.primaryKey(), updated, value, type));
        }
        return out;
    }
}
