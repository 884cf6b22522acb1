package dev.binlogrelay.server.schema;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.TableMap;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Fuzzes the DDL text a primary's binlog hands the schema history (a QUERY event's statement, a snapshot's SHOW
 * CREATE TABLE answer).
 *
 * <p>Contract: {@link DdlApplier#apply} returns an outcome for any text (the parser's failures, timeouts and stack
 * overflows are UNPARSED), never throws; the state it leaves completes a TABLE_MAP without throwing, keeping its
 * column count; the same bytes as a QUERY event, and the input as an event, pass {@link SchemaHistory#pass} without
 * an exception.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/server/schema/DdlFuzzTestInputs/statement/}: the statement
 * forms of DdlApplierTest (MariaDB 10.11's SHOW CREATE TABLE, ALTER, RENAME, DROP, CREATE DATABASE).
 */
class DdlFuzzTest {
    @FuzzTest
    @Timeout(20)
    void statement(byte[] input) {
        String sql = new String(input, StandardCharsets.UTF_8);
        SchemaState state = new SchemaState();
        DdlApplier.apply(state, "shop", "CREATE TABLE orders (id int unsigned primary key, name varchar(10), e enum('a'))");
        assertNotNull(DdlApplier.apply(state, "shop", sql));
        TableMap map = new TableMap(1, "shop", "orders", List.of(
                new Column(0, ColumnType.LONG, 0, false, null, null, -1, null, null, -1, false, true, -1),
                new Column(1, ColumnType.VARCHAR, 10, true, null, null, -1, null, null, -1, false, true, -1),
                new Column(2, ColumnType.STRING, ColumnType.ENUM | 1 << 8, true, null, null, -1, null, null, -1, false,
                        true, -1)), List.of(), List.of(), false);
        assertEquals(3, new HistoryTracker(state).complete(map).columnCount());
        HistoryTracker tracker = new HistoryTracker(state);
        SchemaHistory.pass(tracker, query("shop", input, input.length % 64), ChecksumAlgorithm.CRC32, "f", 4);
        SchemaHistory.pass(tracker, input, ChecksumAlgorithm.NONE, "f", 4);
    }

    /** A QUERY event (layout: core.binlog.QueryEvent) holding {@code statement}, with a CRC32 trailer. */
    private static byte[] query(String db, byte[] statement, int statusVars) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(new byte[Events.HEADER_SIZE + 8]);             // header, thread id, exec time
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        b.write(d.length);
        b.writeBytes(new byte[] {0, 0, (byte) statusVars, 0});       // error code, status length
        b.writeBytes(new byte[statusVars]);
        b.writeBytes(d);
        b.write(0);
        b.writeBytes(statement);
        b.writeBytes(new byte[4]);
        byte[] e = b.toByteArray();
        e[Events.OFFSET_TYPE] = (byte) EventType.QUERY;
        return e;
    }
}
