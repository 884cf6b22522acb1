package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-encoded RowChange of every rows event of every fixture is byte for byte what protobuf's builders write
 * for the fields Canal's server sets (LogEventConvert: tableId, eventType, isDdl; per column index, sqlType, name,
 * isKey, updated, isNull, value, mysqlType), so no field Canal leaves out slips in; and the size check names the
 * event when a RowChange would pass 2 GiB.
 */
class RowEntriesTest {
    @Test
    void everyRowChangeIsWhatProtobufWouldWrite() throws Exception {
        int checked = 0;
        for (String p : Fixtures.files().stream().map(Path::toString).filter(p -> !p.contains("binlog_truncated_")).toList()) {
                    for (EntryFixturesTest.Made m : EntryFixturesTest.entries(p)) {
                        CanalEntry.Entry e = m.entry();
                        if (e.getEntryType() != CanalEntry.EntryType.ROWDATA || e.getHeader().getEventType()
                                .getNumber() > CanalEntry.EventType.DELETE.getNumber()) {
                            continue; // INSERT 1, UPDATE 2, DELETE 3: the rows events' entries
                        }
                        byte[] ours = e.getStoreValue().toByteArray();
                        CanalEntry.RowChange parsed = CanalEntry.RowChange.parseFrom(ours);
                        if (parsed.getIsDdl() || parsed.getRowDatasCount() == 0) {
                            continue; // a statement's entry (INSERT ... SELECT as a QUERY event), not a rows event's
                        }
                        assertArrayEquals(parsed.toByteArray(), ours, p + " at " + m.position());
                        assertArrayEquals(built(parsed).toByteArray(), ours, "as Canal's builders, " + p + " at " + m.position());
                        checked++;
                    }
        }
        assertTrue(checked > 100, "rows events checked: " + checked);
    }

    /** The RowChange made again with protobuf's builders from the fields Canal sets, in LogEventConvert's way. */
    private static CanalEntry.RowChange built(CanalEntry.RowChange parsed) {
        CanalEntry.RowChange.Builder b = CanalEntry.RowChange.newBuilder().setTableId(parsed.getTableId())
                .setEventType(parsed.getEventType()).setIsDdl(false);
        for (CanalEntry.RowData row : parsed.getRowDatasList()) {
            CanalEntry.RowData.Builder r = CanalEntry.RowData.newBuilder();
            row.getBeforeColumnsList().forEach(c -> r.addBeforeColumns(column(c)));
            row.getAfterColumnsList().forEach(c -> r.addAfterColumns(column(c)));
            b.addRowDatas(r);
        }
        return b.build();
    }

    private static CanalEntry.Column column(CanalEntry.Column c) {
        CanalEntry.Column.Builder b = CanalEntry.Column.newBuilder().setIndex(c.getIndex()).setSqlType(c.getSqlType());
        if (c.hasName()) {
            b.setName(c.getName());
        }
        b.setIsKey(c.getIsKey()).setUpdated(c.getUpdated()).setIsNull(c.getIsNull());
        if (!c.getIsNull()) {
            b.setValue(c.getValue());
        }
        return b.setMysqlType(c.getMysqlType()).build();
    }

    @Test
    void aRowChangeOver2GiBIsAClearErrorNamingTheEvent() {
        Origin o = new Origin("mysql-bin.000007", 1234, 100, 0, 1);
        assertEquals(5, RowEntries.checked(5, o));
        assertEquals((int) RowEntries.MAX_CHANGE, RowEntries.checked(RowEntries.MAX_CHANGE, o));
        var e = assertThrows(dev.binlogrelay.core.binlog.BinlogFormatException.class,
                () -> RowEntries.checked(3L << 30, o));
        assertTrue(e.getMessage().contains("mysql-bin.000007:1234") && e.getMessage().contains("2 GiB"), e.getMessage());
    }
}
