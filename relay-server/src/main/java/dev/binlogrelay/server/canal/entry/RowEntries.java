package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.ByteString;
import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.RowImage;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.TableMap;

import java.time.ZoneId;
import java.util.List;

/**
 * A decoded rows event as Canal's ROWDATA entry: a RowChange (table id, event type INSERT/UPDATE/DELETE, not DDL)
 * with one RowData per row. As in Canal, an INSERT's row is in {@code afterColumns}, a DELETE's in
 * {@code beforeColumns}, an UPDATE's in both; only the columns the image holds are listed (MINIMAL and NOBLOB
 * images hold fewer). {@code updated} is true for an after column whose value differs from the before column of
 * the same index or has none (so every column of an INSERT), false in before images.
 */
final class RowEntries {
    private final ZoneId zone;

    RowEntries(ZoneId zone) {
        this.zone = zone;
    }

    CanalEntry.Entry entry(Origin origin, RowsEvent r, boolean widths) {
        CanalEntry.EventType type = switch (r.kind()) {
            case WRITE -> CanalEntry.EventType.INSERT;
            case UPDATE -> CanalEntry.EventType.UPDATE;
            case DELETE -> CanalEntry.EventType.DELETE;
        };
        TableMap t = r.table();
        CanalEntry.RowChange.Builder change = CanalEntry.RowChange.newBuilder()
                .setTableId(t.tableId())
                .setIsDdl(false)
                .setEventType(type);
        // each column's name and mysqlType as UTF-8, made once per event, not encoded again for every row
        ByteString[] types = new ByteString[2 * t.columnCount()];
        for (RowsEvent.Change c : r.rows()) {
            CanalEntry.RowData.Builder row = CanalEntry.RowData.newBuilder();
            if (c.before() != null) {
                columns(t, c.before(), null, widths, types, row, false);
            }
            if (c.after() != null) {
                columns(t, c.after(), row.getBeforeColumnsList(), widths, types, row, true);
            }
            change.addRowDatas(row);
        }
        CanalEntry.Header header = origin.header(t.schema(), t.table(), type, r.rows().size());
        return Origin.entry(header, CanalEntry.EntryType.ROWDATA, change.build().toByteString());
    }

    private void columns(TableMap t, RowImage img, List<CanalEntry.Column> before, boolean widths, ByteString[] types,
                         CanalEntry.RowData.Builder row, boolean after) {
        java.util.BitSet held = img.columns();
        for (int i = held.nextSetBit(0); i >= 0 && i < t.columnCount(); i = held.nextSetBit(i + 1)) {
            Column col = t.column(i);
            CanalValues.Formatted f = CanalValues.format(col, img.get(i), zone);
            CanalEntry.Column.Builder b = CanalEntry.Column.newBuilder();
            ByteString type = types[2 * i];
            if (type == null) {
                type = ByteString.copyFromUtf8(MysqlTypeText.of(col, widths));
                types[2 * i] = type;
                types[2 * i + 1] = col.name() == null ? null : ByteString.copyFromUtf8(col.name());
            }
            if (types[2 * i + 1] != null) {
                b.setNameBytes(types[2 * i + 1]);
            }
            b.setIsKey(col.primaryKey())
                    .setMysqlTypeBytes(type)
                    .setIndex(i)
                    .setIsNull(f.value() == null);
            if (f.value() != null) {
                b.setValue(f.value());
            }
            b.setSqlType(f.sqlType());
            b.setUpdated(after && changed(before, f.value(), i));
            if (after) {
                row.addAfterColumns(b);
            } else {
                row.addBeforeColumns(b);
            }
        }
    }

    /** Canal's test: false only when the before image has this column with the same value (or both NULL). */
    private static boolean changed(List<CanalEntry.Column> before, String value, int index) {
        for (CanalEntry.Column c : before) {
            if (c.getIndex() == index) {
                if (c.getIsNull() && value == null) {
                    return false;
                }
                if (value != null && !c.getIsNull() && c.getValue().equals(value)) {
                    return false;
                }
            }
        }
        return true;
    }
}
