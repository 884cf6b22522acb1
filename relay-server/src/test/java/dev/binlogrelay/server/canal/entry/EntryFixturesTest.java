package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.RowsFormat;
import dev.binlogrelay.core.rows.RowsStream;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorded MySQL 5.5–9.x and MariaDB 10.5 binlogs (shared/fixtures/binlog) as Canal entries. Values are
 * checked against what the files themselves say they hold (their DDL, ANNOTATE_ROWS and ROWS_QUERY statements,
 * the source projects' tests, as RowsFixturesTest in relay-core does), formatted as Canal formats them.
 */
class EntryFixturesTest {
    private static final String BB = "blackbeam-rust_mysql_common/";

    /** An entry and the event it came from. */
    record Made(CanalEntry.Entry entry, int eventType, long position) {
        CanalEntry.RowChange change() throws InvalidProtocolBufferException {
            return CanalEntry.RowChange.parseFrom(entry.getStoreValue());
        }
    }

    static byte[] file(String relative) {
        Path p = Fixtures.file(relative);
        try {
            if (relative.endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                    return in.readAllBytes();
                }
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events of a binlog file with their positions, chained by event_size. */
    static Map<Long, byte[]> events(byte[] file) {
        Map<Long, byte[]> out = new java.util.LinkedHashMap<>();
        int off = 4;
        while (off + Events.HEADER_SIZE <= file.length) {
            int size = (int) Events.u32(file, off + Events.OFFSET_SIZE);
            if (size < Events.HEADER_SIZE || off + size > file.length) {
                break;
            }
            out.put((long) off, java.util.Arrays.copyOfRange(file, off, off + size));
            off += size;
        }
        return out;
    }

    static List<Made> entries(String relative) {
        EntryStream s = new EntryStream(SchemaTracker.NONE).withTimeZone(ZoneOffset.UTC);
        List<Made> out = new ArrayList<>();
        String name = Path.of(relative).getFileName().toString();
        for (Map.Entry<Long, byte[]> e : events(file(relative)).entrySet()) {
            for (CanalEntry.Entry entry : s.accept(name, e.getKey(), e.getValue())) {
                out.add(new Made(entry, Events.type(e.getValue()), e.getKey()));
            }
        }
        return out;
    }

    static List<Made> rowData(List<Made> all, CanalEntry.EventType type) {
        return all.stream().filter(m -> m.entry().getEntryType() == CanalEntry.EntryType.ROWDATA
                && m.entry().getHeader().getEventType() == type).toList();
    }

    /**
     * Every file: one ROWDATA entry per rows event with as many rows as core.rows decodes, each header at its
     * event's position and length (a TRANSACTION_PAYLOAD's for the events inside it), transactions closed.
     */
    @TestFactory
    Stream<DynamicTest> everyFixtureGivesEntries() {
        return Fixtures.files().stream().map(Path::toString).filter(p -> !p.contains("binlog_truncated_"))
                .map(p -> DynamicTest.dynamicTest(p, () -> {
                    String rel = p;
                    byte[] bytes = file(rel);
                    Map<Long, byte[]> events = events(bytes);
                    RowsStream rows = new RowsStream(RowsFormat.DEFAULT_MAX_INFLATED);
                    List<Integer> counts = new ArrayList<>();
                    for (byte[] e : events.values()) {
                        for (RowsEvent r : rows.accept(e)) {
                            counts.add(r.rows().size());
                        }
                    }
                    List<Integer> made = new ArrayList<>();
                    boolean open = false;
                    for (Made m : entries(rel)) {
                        CanalEntry.Header h = m.entry().getHeader();
                        assertEquals(m.position(), h.getLogfileOffset(), rel + ": offset");
                        assertEquals(events.get(m.position()).length, h.getEventLength(), rel + ": length");
                        assertEquals(Events.serverId(events.get(m.position())), h.getServerId(), rel);
                        assertEquals("UTF-8", h.getServerenCode());
                        assertEquals(1, h.getVersion());
                        switch (m.entry().getEntryType()) {
                            case TRANSACTIONBEGIN -> {
                                assertFalse(open, rel + ": BEGIN inside a transaction at " + m.position());
                                open = true;
                            }
                            case TRANSACTIONEND -> open = false;
                            default -> {
                                CanalEntry.RowChange rc = m.change();
                                if (rc.hasTableId()) {
                                    made.add(rc.getRowDatasCount());
                                    assertEquals(String.valueOf(rc.getRowDatasCount()), h.getProps(0).getValue(),
                                            "rowsCount");
                                }
                            }
                        }
                    }
                    assertEquals(counts, made, rel + ": rows per rows event");
                }));
    }

    /**
     * Every file's entries made the pipelined way ({@link EntryStream#encodedLater}: rows values decoded in order,
     * their formatting and encoding left to Deferreds, run here last-first on other threads once every event is fed)
     * are byte for byte the entries {@link EntryStream#accept} makes; so are a second stream's, which finds them in
     * the shared cache.
     */
    @TestFactory
    Stream<DynamicTest> entriesMadeLaterAreTheSame() {
        return Fixtures.files().stream().map(Path::toString).filter(p -> !p.contains("binlog_truncated_"))
                .map(p -> DynamicTest.dynamicTest(p, () -> {
                    String name = Path.of(p).getFileName().toString();
                    Map<Long, byte[]> events = events(file(p));
                    List<com.google.protobuf.ByteString> expected = new ArrayList<>();
                    EntryStream plain = new EntryStream(SchemaTracker.NONE).withTimeZone(ZoneOffset.UTC);
                    for (Map.Entry<Long, byte[]> e : events.entrySet()) {
                        for (CanalEntry.Entry entry : plain.accept(name, e.getKey(), e.getValue())) {
                            expected.add(entry.toByteString());
                        }
                    }
                    EntryCache cache = new EntryCache(1L << 30, n -> { });
                    for (int stream = 0; stream < 2; stream++) {
                        EntryStream s = new EntryStream(SchemaTracker.NONE).withTimeZone(ZoneOffset.UTC).withCache(cache);
                        List<Deferred> made = new ArrayList<>();
                        for (Map.Entry<Long, byte[]> e : events.entrySet()) {
                            made.add(s.encodedLater(name, e.getKey(), e.getValue()));
                        }
                        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
                        try {
                            for (int i = made.size() - 1; i >= 0; i--) {
                                pool.execute(made.get(i)::run);
                            }
                            List<com.google.protobuf.ByteString> got = new ArrayList<>();
                            for (Deferred d : made) {
                                for (EncodedEntry e : d.join()) {
                                    got.add(e.bytes());
                                }
                            }
                            assertEquals(expected, got, p + ", stream " + stream);
                        } finally {
                            pool.shutdownNow();
                        }
                    }
                }));
    }

    /** MariaDB 10.5, FULL metadata: ANNOTATE_ROWS as QUERY entries, then the insert with names, key, ENUM index. */
    @Test
    void mariadbAnnotatedInserts() throws Exception {
        List<Made> all = entries(BB + "mariadb-bin.000001");
        List<Made> queries = rowData(all, CanalEntry.EventType.QUERY);
        List<Made> inserts = rowData(all, CanalEntry.EventType.INSERT);
        assertFalse(inserts.isEmpty());
        Pattern values = Pattern.compile("\\(topic, event_type, event\\) values \\('([^']*)', '([^']*)', '([^']*)'\\)");
        int annotated = 0;
        for (Made q : queries) {
            if (q.eventType() == EventType.MARIA_ANNOTATE_ROWS) {
                Matcher m = values.matcher(q.change().getSql());
                assertTrue(m.find(), q.change().getSql());
                Made insert = inserts.get(annotated++);
                assertTrue(insert.position() > q.position(), "the statement comes before its rows");
                CanalEntry.Header h = insert.entry().getHeader();
                assertEquals("toddy_test", h.getSchemaName());
                assertEquals("outbox", h.getTableName());
                List<CanalEntry.Column> cols = insert.change().getRowDatas(0).getAfterColumnsList();
                assertEquals(List.of("id", "topic", "event_type", "event", "created"),
                        cols.stream().map(CanalEntry.Column::getName).toList());
                assertTrue(cols.get(0).getIsKey());
                assertFalse(cols.get(1).getIsKey());
                assertEquals(m.group(1), cols.get(1).getValue());
                assertEquals(Types.VARCHAR, cols.get(1).getSqlType());
                assertEquals(Types.INTEGER, cols.get(2).getSqlType(), "Canal gives an ENUM's index");
                assertTrue(cols.get(2).getValue().matches("[1-9][0-9]*"), cols.get(2).getValue());
                assertEquals(m.group(3), cols.get(3).getValue(), "a binary column as ISO-8859-1 characters");
                assertEquals(Types.BLOB, cols.get(3).getSqlType());
                assertTrue(cols.stream().allMatch(CanalEntry.Column::getUpdated), "an insert's columns are updated");
                assertEquals(Types.TIMESTAMP, cols.get(4).getSqlType());
                assertTrue(cols.get(4).getValue().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d.*"));
            }
        }
        assertEquals(inserts.size(), annotated, "one ANNOTATE_ROWS per insert");
    }

    /** MySQL 8.0.28: CHAR, VARCHAR, ENUM and SET (as index and bits), TEXT; updated flags of the update. */
    @Test
    void mysqlEnumSetAndStrings() throws Exception {
        List<Made> all = entries(BB + "mysql-enum-string-set.000001");
        CanalEntry.RowChange insert = rowData(all, CanalEntry.EventType.INSERT).get(0).change();
        List<CanalEntry.Column> a = insert.getRowDatas(0).getAfterColumnsList();
        assertEquals("0123456789".repeat(10), a.get(0).getValue());
        assertEquals(Types.CHAR, a.get(0).getSqlType());
        assertEquals("char(128)", a.get(0).getMysqlType());
        assertEquals(Types.VARCHAR, a.get(1).getSqlType());
        assertEquals("1", a.get(2).getValue());
        assertEquals("enum('var1','variant2','foo')", a.get(2).getMysqlType());
        assertEquals("5", a.get(3).getValue(), "SET one,three: bits 0101");
        assertEquals(Types.BIT, a.get(3).getSqlType());
        assertEquals("0123456789", a.get(4).getValue());
        assertEquals(Types.CLOB, a.get(4).getSqlType());
        assertEquals("text", a.get(4).getMysqlType());
        CanalEntry.RowData update = rowData(all, CanalEntry.EventType.UPDATE).get(0).change().getRowDatas(0);
        assertEquals(a.stream().map(CanalEntry.Column::getValue).toList(),
                update.getBeforeColumnsList().stream().map(CanalEntry.Column::getValue).toList());
        assertTrue(update.getAfterColumnsList().stream().allMatch(CanalEntry.Column::getUpdated), "all changed");
        assertEquals("2", update.getAfterColumns(2).getValue());
        assertEquals("10", update.getAfterColumns(3).getValue(), "SET two,four: bits 1010");
        CanalEntry.RowData delete = rowData(all, CanalEntry.EventType.DELETE).get(0).change().getRowDatas(0);
        assertEquals(0, delete.getAfterColumnsCount());
        assertTrue(delete.getBeforeColumnsList().stream().noneMatch(CanalEntry.Column::getUpdated));
    }

    /** a BIT(3) = 0b100, b TEXT = 'foo', c BIT(8) = 0b100000 (rust_mysql_common's test of the file). */
    @Test
    void mysqlBit() throws Exception {
        List<CanalEntry.Column> c = rowData(entries(BB + "mysql_type_bit.000001"), CanalEntry.EventType.INSERT)
                .get(0).change().getRowDatas(0).getAfterColumnsList();
        assertEquals(List.of("4", "foo", "32"), c.stream().map(CanalEntry.Column::getValue).toList());
        assertEquals(List.of(Types.BIT, Types.BIT), List.of(c.get(0).getSqlType(), c.get(2).getSqlType()));
        assertEquals("bit(3)", c.get(0).getMysqlType());
    }

    /** TIME '-507:48:27' (rust_mysql_common issue #169): three hour digits. */
    @Test
    void mysqlTimeOver255Hours() throws Exception {
        CanalEntry.Column c = rowData(entries(BB + "time_issue.000001"), CanalEntry.EventType.INSERT).get(0)
                .change().getRowDatas(0).getAfterColumns(0);
        assertEquals("-507:48:27", c.getValue());
        assertEquals(Types.TIME, c.getSqlType());
    }

    /**
     * MySQL 8.0.32 binlog_transaction_compression: BEGIN, the UPDATE and the XID inside the payload come out as
     * entries at the payload's own offset and length.
     */
    @Test
    void mysqlCompressedTransaction() throws Exception {
        String rel = "osheroff-mysql-binlog-connector-java/mysql-bin.compressed";
        List<Made> all = entries(rel);
        List<Made> inPayload = all.stream().filter(m -> m.eventType() == EventType.TRANSACTION_PAYLOAD).toList();
        assertEquals(List.of(CanalEntry.EntryType.TRANSACTIONBEGIN, CanalEntry.EntryType.ROWDATA,
                CanalEntry.EntryType.TRANSACTIONEND), inPayload.stream().map(m -> m.entry().getEntryType()).toList());
        Made update = inPayload.get(1);
        assertEquals(CanalEntry.EventType.UPDATE, update.entry().getHeader().getEventType());
        assertEquals("movies", update.entry().getHeader().getTableName());
        assertTrue(update.change().getRowDatas(0).getBeforeColumnsList().stream()
                .anyMatch(c -> c.getValue().equals("Once Upon a Time in the West")));
        assertTrue(Long.parseLong(CanalEntry.TransactionEnd.parseFrom(inPayload.get(2).entry().getStoreValue())
                .getTransactionId()) > 0, "the xid");
    }

    /** MySQL 5.7 with binlog_rows_query_log_events: the ROWS_QUERY is a QUERY entry naming the table. */
    @Test
    void mysqlRowsQuery() throws Exception {
        List<Made> all = entries("rust-us-mysql-cdc-rs/5.7/29_row_query/log.bin");
        Made q = all.stream().filter(m -> m.eventType() == EventType.ROWS_QUERY).findFirst().orElseThrow();
        assertEquals(CanalEntry.EventType.QUERY, q.entry().getHeader().getEventType());
        assertTrue(q.change().getSql().toUpperCase(java.util.Locale.ROOT).startsWith("INSERT"), q.change().getSql());
        Made insert = rowData(all, CanalEntry.EventType.INSERT).get(0);
        assertEquals(insert.entry().getHeader().getTableName(), q.entry().getHeader().getTableName());
        assertEquals("", q.entry().getHeader().getSchemaName());
    }

    /** MySQL 5.5 sakila load: no metadata, so no names; the per-table row counts are the sample's. */
    @Test
    void mysql55Sakila() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        CanalEntry.RowData actor1 = null;
        for (Made m : rowData(entries("osheroff-mysql-binlog-connector-java/mysql-bin.sakila.gz"),
                CanalEntry.EventType.INSERT)) {
            CanalEntry.RowChange rc = m.change();
            counts.merge(m.entry().getHeader().getTableName(), rc.getRowDatasCount(), Integer::sum);
            if (actor1 == null && m.entry().getHeader().getTableName().equals("actor")) {
                actor1 = rc.getRowDatas(0);
            }
        }
        assertEquals(200, counts.get("actor"));
        assertEquals(16044, counts.get("rental"));
        List<CanalEntry.Column> c = actor1.getAfterColumnsList();
        assertEquals(List.of("1", "PENELOPE", "GUINESS"), c.subList(0, 3).stream().map(CanalEntry.Column::getValue)
                .toList());
        assertEquals("", c.get(0).getName(), "no metadata, no schema history: no name (as Canal without a table)");
        assertEquals(Types.VARCHAR, c.get(1).getSqlType(), "unknown charset: read as UTF-8 text");
        assertEquals(new String("PENELOPE".getBytes(StandardCharsets.US_ASCII), StandardCharsets.UTF_8),
                c.get(1).getValue());
    }
}
