package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowsEventsTest {
    /** table_id 6 | flags 2 | column count and rows (a few bytes, not read) */
    private static byte[] rows(int type, int flags) {
        byte[] body = {0x11, 0, 0, 0, 0, 0, (byte) flags, (byte) (flags >> 8), 1, 2, 3};
        return TestEvents.event(type, body, ChecksumAlgorithm.CRC32);
    }

    @Test
    void aRowsEventWithoutStatementEndIsWithinItsStatement() {
        for (int type : new int[] {EventType.WRITE_ROWS_V1, EventType.UPDATE_ROWS_V1, EventType.DELETE_ROWS_V1,
                EventType.WRITE_ROWS_V2, EventType.DELETE_ROWS_V2, RowsEvents.MARIA_WRITE_ROWS_COMPRESSED_V1,
                RowsEvents.MARIA_DELETE_ROWS_COMPRESSED_V1, 169, RowsEvents.MARIA_DELETE_ROWS_COMPRESSED_V2}) {
            assertTrue(RowsEvents.isRowsWithinStatement(rows(type, 0)), "type " + type);
            assertTrue(RowsEvents.isRowsWithinStatement(rows(type, 0x0002)), "other flags, type " + type);
            assertFalse(RowsEvents.isRowsWithinStatement(rows(type, RowsEvents.STMT_END_F)), "statement end, type " + type);
            assertFalse(RowsEvents.isRowsWithinStatement(rows(type, RowsEvents.STMT_END_F | 0x0004)), "type " + type);
        }
    }

    @Test
    void otherEventsAreNot() {
        assertFalse(RowsEvents.isRowsWithinStatement(rows(EventType.TABLE_MAP, 0)));
        assertFalse(RowsEvents.isRowsWithinStatement(TestEvents.xid(ChecksumAlgorithm.NONE)));
        assertFalse(RowsEvents.isRows(EventType.MARIA_QUERY_COMPRESSED));
        assertFalse(RowsEvents.isRows(165));
        assertFalse(RowsEvents.isRows(172));
        // 166..168 are MariaDB's compressed v1 rows events (a real 10.11 server lists a type-166 event as
        // Write_rows_compressed_v1, see SqlStatementsIT): rows events like the others
        assertTrue(RowsEvents.isRows(168));
    }

    @Test
    void aTruncatedRowsEventIsRefused() {
        byte[] e = TestEvents.event(EventType.WRITE_ROWS_V1, new byte[] {1, 2, 3}, ChecksumAlgorithm.NONE);
        assertThrows(IllegalArgumentException.class, () -> RowsEvents.isRowsWithinStatement(e));
    }
}
