package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-encoded RowChange of every rows event of every fixture is byte for byte what protobuf writes for the
 * same message (parsed, then serialized again: protobuf-java writes every field present, in field-number order).
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
                        checked++;
                    }
        }
        assertTrue(checked > 100, "rows events checked: " + checked);
    }
}
