package dev.binlogrelay.core.rows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.Events;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes row decoding: a binlog file (magic optional) cut into events by their size fields (the last one clamped
 * to what is left), every event fed to one {@link RowsStream} as a Canal reader would, with a 1 MiB bound on
 * inflated payloads. Contract: each event decodes or raises {@link BinlogFormatException} with a message, never
 * another exception, never an allocation beyond the bound (the fuzz profile's 512 MiB heap catches that); every
 * decoded image holds exactly its table's columns and a held column's value is readable.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/rows/RowsFuzzTestInputs/decode/}: small real binlog
 * files with rows (shared/fixtures/binlog, see its README for sources and licences), and MariaDB 10.11 files
 * with every column type, FULL and MINIMAL metadata, compressed rows events and MariaDB's old-format fractional
 * temporals (written by RowsMariaDbIT).
 */
class RowsFuzzTest {
    private static final byte[] MAGIC = {(byte) 0xFE, 'b', 'i', 'n'};

    @FuzzTest
    @Timeout(10)
    void decode(byte[] data) {
        // half the inputs (by their length) read old-type temporal columns as MariaDB's own fractional format, with
        // the digits a table definition would give (column index % 7)
        RowsStream stream = new RowsStream(1 << 20);
        if (data.length % 2 == 1) {
            stream.withDefinitions(RowsFuzzTest::someDecimals);
        }
        int off = data.length >= 4 && Arrays.equals(MAGIC, Arrays.copyOf(data, 4)) ? 4 : 0;
        while (off < data.length) {
            int left = data.length - off;
            long size = left >= Events.HEADER_SIZE ? Events.u32(data, off + Events.OFFSET_SIZE) : left;
            int n = (int) Math.max(1, Math.min(size, left));
            byte[] event = Arrays.copyOfRange(data, off, off + n);
            off += n;
            try {
                for (RowsEvent r : stream.accept(event)) {
                    check(r);
                }
            } catch (BinlogFormatException e) {
                assertNotNull(e.getMessage());
            }
        }
    }

    private static TableMap someDecimals(TableMap t) {
        java.util.Map<Integer, Integer> d = new java.util.HashMap<>();
        for (Column c : t.columns()) {
            if (c.type() == ColumnType.TIME || c.type() == ColumnType.DATETIME || c.type() == ColumnType.TIMESTAMP) {
                d.put(c.index(), c.index() % 7);
            }
        }
        return t.withDecimals(d);
    }

    private static void check(RowsEvent r) {
        for (RowsEvent.Change c : r.rows()) {
            for (RowImage img : new RowImage[] {c.before(), c.after()}) {
                if (img == null) {
                    continue;
                }
                assertEquals(r.table().columnCount(), img.columnCount());
                for (int i = 0; i < img.columnCount(); i++) {
                    if (img.has(i)) {
                        String.valueOf(img.get(i));
                    }
                }
                assertNotNull(img.toString());
            }
        }
    }
}
