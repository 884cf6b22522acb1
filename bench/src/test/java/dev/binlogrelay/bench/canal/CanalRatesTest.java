package dev.binlogrelay.bench.canal;

import com.alibaba.otter.canal.protocol.CanalEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanalRatesTest {
    private static CanalEntry.Entry rows(CanalEntry.EventType type, int n, boolean ddl) {
        CanalEntry.RowChange.Builder change = CanalEntry.RowChange.newBuilder().setEventType(type).setIsDdl(ddl);
        for (int i = 0; i < n; i++) {
            change.addRowDatas(CanalEntry.RowData.newBuilder().addAfterColumns(
                    CanalEntry.Column.newBuilder().setName("id").setValue(Integer.toString(i))));
        }
        return CanalEntry.Entry.newBuilder().setEntryType(CanalEntry.EntryType.ROWDATA)
                .setStoreValue(change.build().toByteString()).build();
    }

    private static CanalEntry.Entry boundary(CanalEntry.EntryType type) {
        return CanalEntry.Entry.newBuilder().setEntryType(type)
                .setStoreValue(CanalEntry.TransactionBegin.newBuilder().setThreadId(7).build().toByteString()).build();
    }

    @Test
    void countsTheRowsOfEveryRowDataEntryAndNothingElse() throws Exception {
        List<CanalEntry.Entry> batch = List.of(boundary(CanalEntry.EntryType.TRANSACTIONBEGIN),
                rows(CanalEntry.EventType.INSERT, 100, false), rows(CanalEntry.EventType.UPDATE, 3, false),
                rows(CanalEntry.EventType.DELETE, 1, false), boundary(CanalEntry.EntryType.TRANSACTIONEND));
        assertEquals(104, CanalRates.rows(batch));
        assertEquals(0, CanalRates.rows(List.of()));
    }

    @Test
    void aDdlEntryCountsNoRows() throws Exception {
        assertEquals(0, CanalRates.rows(List.of(rows(CanalEntry.EventType.ALTER, 2, true))));
    }

    @Test
    void ratesAreRowsPerSecondAndCpuSecondsPerMillionRows() {
        CanalRates.Run run = new CanalRates.Run("relay", 8, 400_000, 2.0, 1.5);
        assertEquals(200_000, run.rowsPerSecond(), 1e-9);
        assertEquals(3.75, run.cpuSecondsPerMillionRows(), 1e-9);
        assertTrue(Double.isNaN(new CanalRates.Run("canal", 1, 0, 0, 1).rowsPerSecond()));
        assertTrue(Double.isNaN(new CanalRates.Run("canal", 1, 0, 1, 1).cpuSecondsPerMillionRows()));
    }

    @Test
    void theTargetIsTwiceTheRowsPerSecondAtNoMoreCpuPerRow() {
        CanalRates.Run canal = new CanalRates.Run("canal", 1, 1_000_000, 10, 20);      // 100k rows/s, 20 s per M
        assertTrue(CanalRates.meetsTarget(new CanalRates.Run("relay", 1, 1_000_000, 5, 20), canal));
        assertFalse(CanalRates.meetsTarget(new CanalRates.Run("relay", 1, 1_000_000, 5.1, 10), canal), "1.96× is short");
        assertFalse(CanalRates.meetsTarget(new CanalRates.Run("relay", 1, 1_000_000, 2, 21), canal), "more CPU per row");
        assertEquals(2.0, CanalRates.ratio(4, 2), 1e-12);
        assertTrue(Double.isNaN(CanalRates.ratio(1, 0)));
        assertTrue(Double.isNaN(CanalRates.ratio(Double.NaN, 1)));
    }
}
