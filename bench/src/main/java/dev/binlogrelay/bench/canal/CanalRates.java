package dev.binlogrelay.bench.canal;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.InvalidProtocolBufferException;

import java.util.List;

/**
 * The canal scenario's arithmetic: the row changes a batch of Canal entries carries, and what one run measured
 * turned into rows per second and CPU seconds per million rows.
 */
public final class CanalRates {
    private CanalRates() {
    }

    /**
     * Row changes in {@code entries}: the rows ({@code RowData}) of every {@code ROWDATA} entry's {@code RowChange}
     * that is not a DDL statement (a DDL's RowChange carries no rows anyway; counted out so that a statement entry
     * never counts). Transaction begin and end entries carry none.
     */
    public static long rows(List<CanalEntry.Entry> entries) throws InvalidProtocolBufferException {
        long rows = 0;
        for (CanalEntry.Entry e : entries) {
            if (e.getEntryType() != CanalEntry.EntryType.ROWDATA) {
                continue;
            }
            CanalEntry.RowChange change = CanalEntry.RowChange.parseFrom(e.getStoreValue());
            if (!change.getIsDdl()) {
                rows += change.getRowDatasCount();
            }
        }
        return rows;
    }

    /**
     * One run: {@code clients} clients each received {@code rowsPerClient} (all of them together {@code totalRows})
     * in {@code seconds} of wall time, while the server used {@code cpuSeconds} of CPU.
     */
    public record Run(String server, int clients, long totalRows, double seconds, double cpuSeconds) {
        /** Row changes delivered per second, all clients together. */
        public double rowsPerSecond() {
            return seconds > 0 ? totalRows / seconds : Double.NaN;
        }

        /** The server's CPU seconds per million rows delivered. */
        public double cpuSecondsPerMillionRows() {
            return totalRows > 0 ? cpuSeconds / (totalRows / 1e6) : Double.NaN;
        }
    }

    /** {@code a / b}, NaN when either is NaN or b is 0. */
    public static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
    }

    /**
     * Whether the relay met issue 13's target against Canal: at least twice its rows per second, at no more CPU per
     * row.
     */
    public static boolean meetsTarget(Run relay, Run canal) {
        return ratio(relay.rowsPerSecond(), canal.rowsPerSecond()) >= 2
                && relay.cpuSecondsPerMillionRows() <= canal.cpuSecondsPerMillionRows();
    }
}
