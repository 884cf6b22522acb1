package dev.binlogrelay.server.schema;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
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
 * column count; the same bytes as a QUERY event give a query or null ({@link QueryEvents#parse}).
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
        byte[] event = QueryEventsTest.query("shop", sql, input.length % 64, input.length % 2 == 0);
        QueryEvents.parse(event, ChecksumAlgorithm.CRC32);
        QueryEvents.parse(input, ChecksumAlgorithm.NONE);
    }
}
