package dev.binlogrelay.core.rows;

import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decodes the rows of the recorded MySQL 5.5–9.x and MariaDB 10.5 binlogs (shared/fixtures/binlog, README there for
 * sources). Expected values come from what the files' sources say they hold: the statements recorded in the files
 * themselves (DDL in QUERY events, ANNOTATE_ROWS and ROWS_QUERY texts), the source projects' own tests
 * (rust_mysql_common's for mysql-enum-string-set, mysql_type_bit, mariadb-bin), the generated-column definitions
 * of json.binlog, and the published sakila sample data for the 5.5 sakila load.
 */
class RowsFixturesTest {
    private static final String BB = "blackbeam-rust_mysql_common/";

    /** Every file with rows decodes without an error, and every image holds as many columns as its table. */
    @TestFactory
    Stream<DynamicTest> everyFixtureDecodes() {
        return Fixtures.files().stream().map(java.nio.file.Path::toString)
                .filter(p -> !p.contains("binlog_truncated_"))
                .map(p -> DynamicTest.dynamicTest(p, () -> {
                    for (RowsEvent r : RowsFixtures.rows(p)) {
                        assertFalse(r.rows().isEmpty(), p + ": a rows event holds rows");
                        for (RowsEvent.Change c : r.rows()) {
                            RowImage img = c.after() != null ? c.after() : c.before();
                            assertEquals(r.table().columnCount(), img.columnCount(), p);
                        }
                    }
                }));
    }

    /** MariaDB 10.5, binlog_row_metadata=FULL, rows described by their ANNOTATE_ROWS statements. */
    @Test
    void mariadbFullMetadataAndAnnotatedInserts() {
        String file = BB + "mariadb-bin.000001";
        List<String> statements = RowsFixtures.statements(file);
        List<RowsEvent> rows = RowsFixtures.rows(file);
        assertEquals(statements.size(), rows.size(), "one ANNOTATE_ROWS per insert");
        Pattern values = Pattern.compile("\\(topic, event_type, event\\) values \\('([^']*)', '([^']*)', '([^']*)'\\)");
        for (int i = 0; i < rows.size(); i++) {
            Matcher m = values.matcher(statements.get(i));
            assertTrue(m.find(), statements.get(i));
            RowsEvent r = rows.get(i);
            assertEquals(RowsEvent.Kind.WRITE, r.kind());
            TableMap t = r.table();
            assertEquals("toddy_test", t.schema());
            assertEquals("outbox", t.table());
            assertEquals(List.of("id", "topic", "event_type", "event", "created"),
                    t.columns().stream().map(Column::name).toList());
            assertEquals(List.of(0), t.primaryKey());
            // the source project's test: topic and event_type utf8mb4_general_ci, event binary
            assertEquals(45, t.column(1).collation());
            assertEquals(45, t.column(2).collation());
            assertEquals(Column.BINARY_COLLATION, t.column(3).collation());
            RowImage after = r.rows().get(0).after();
            assertEquals(m.group(1), after.get(1));
            Values.EnumValue type = assertInstanceOf(Values.EnumValue.class, after.get(2), "event_type is an ENUM");
            assertEquals(m.group(2), type.name());
            assertArrayEquals(m.group(3).getBytes(StandardCharsets.UTF_8), (byte[]) after.get(3));
            assertInstanceOf(Long.class, after.get(0), "auto-increment id");
            assertInstanceOf(Values.TimestampValue.class, after.get(4), "created");
        }
    }

    /**
     * MySQL 8.0.28: CREATE TABLE t(f1 CHAR(128), f2 VARCHAR(300), f3 ENUM('var1', 'variant2', 'foo'),
     * f4 SET('one', 'two', 'three', 'four'), f5 TEXT); the inserted, updated and deleted values are those of
     * rust_mysql_common's test of this file.
     */
    @Test
    void mysqlEnumSetAndStrings() {
        String digits100 = "0123456789".repeat(10);
        String f2 = digits100 + "01234567890123456789012345678" + digits100 + "01234567890123456789012345678"
                + "0123456789012345678901234567890123456789";
        String file = BB + "mysql-enum-string-set.000001";
        List<RowsEvent> rows = RowsFixtures.rows(file);
        assertEquals(List.of(RowsEvent.Kind.WRITE, RowsEvent.Kind.UPDATE, RowsEvent.Kind.DELETE),
                rows.stream().map(RowsEvent::kind).toList());
        TableMap t = rows.get(0).table();
        assertEquals(List.of("f1", "f2", "f3", "f4", "f5"), t.columns().stream().map(Column::name).toList());
        assertEquals(List.of("var1", "variant2", "foo"), t.column(2).enumValues());
        assertEquals(List.of("one", "two", "three", "four"), t.column(3).setValues());
        RowImage first = rows.get(0).rows().get(0).after();
        assertEquals(digits100, first.get(0));
        assertEquals(f2, first.get(1));
        assertEquals(new Values.EnumValue(1, "var1"), first.get(2));
        assertEquals(new Values.SetValue(0b0101, List.of("one", "three")), first.get(3));
        assertEquals("0123456789", first.get(4));
        assertEquals(first, rows.get(1).rows().get(0).before());
        RowImage second = rows.get(1).rows().get(0).after();
        assertEquals("field1", second.get(0));
        assertEquals("field_2", second.get(1));
        assertEquals(new Values.EnumValue(2, "variant2"), second.get(2));
        assertEquals(new Values.SetValue(0b1010, List.of("two", "four")), second.get(3));
        assertEquals(f2, second.get(4));
        assertEquals(second, rows.get(2).rows().get(0).before());
        assertNull(rows.get(2).rows().get(0).after());
    }

    /** CREATE TABLE foo(a BIT(3), b TEXT, c BIT(8)); rust_mysql_common's test: a = 0b100, b = 'foo', c = 0b100000. */
    @Test
    void mysqlBit() {
        List<RowsEvent> rows = RowsFixtures.rows(BB + "mysql_type_bit.000001");
        assertEquals(1, rows.size());
        RowImage r = rows.get(0).rows().get(0).after();
        assertEquals(0b100L, r.get(0));
        assertEquals("foo", r.get(1));
        assertEquals(0b100000L, r.get(2));
    }

    /**
     * MySQL 8.0.22: t(id INT PRIMARY KEY, json_col JSON, name VARCHAR(100) AS (json_col->>'$.name'),
     * age INT AS (json_col->'$.age')). The generated columns are the server's own reading of each document, so
     * every decoded document must agree with them; the PARTIAL_UPDATE_ROWS event's diffs set $.age to the new age.
     */
    @Test
    void mysqlBinaryJsonAgreesWithGeneratedColumns() {
        List<RowsEvent> rows = RowsFixtures.rows(BB + "json.binlog.000001");
        Pattern name = Pattern.compile("\"name\": \"([^\"]*)\"");
        Pattern age = Pattern.compile("\"age\": (\\d+)");
        int documents = 0;
        int partial = 0;
        for (RowsEvent r : rows) {
            for (RowsEvent.Change c : r.rows()) {
                for (RowImage img : new RowImage[] {c.before(), c.after()}) {
                    if (img == null || !img.has(1)) {
                        continue;
                    }
                    if (img.get(1) instanceof Values.JsonDiffs diffs) {
                        assertEquals(List.of(new Values.JsonDiff(Values.JsonDiff.Operation.REPLACE, "$.age",
                                img.get(3).toString())), diffs.diffs());
                        partial++;
                        continue;
                    }
                    String doc = (String) img.get(1);
                    Matcher n = name.matcher(doc);
                    Matcher a = age.matcher(doc);
                    assertTrue(n.find() && a.find(), doc);
                    assertEquals(n.group(1), img.get(2), doc);
                    assertEquals(Long.parseLong(a.group(1)), img.get(3), doc);
                    assertTrue(doc.startsWith("{\"age\": "), "MySQL's key order (by length) and spacing: " + doc);
                    documents++;
                }
            }
        }
        assertTrue(documents >= 6, "documents decoded: " + documents);
        assertEquals(6, partial, "partial updates of the 6 rows");
    }

    /**
     * MySQL 9.0.1: CREATE TABLE foo(id SERIAL, vector_column VECTOR(3) NOT NULL) and bar(id SERIAL,
     * vector_column VECTOR(2) NOT NULL, foo TEXT, vector_column2 VECTOR(4) NOT NULL): every vector has its
     * declared dimension; SERIAL is BIGINT UNSIGNED; names come from the FULL metadata.
     */
    @Test
    void mysqlVector() {
        List<RowsEvent> rows = RowsFixtures.rows(BB + "vector.binlog");
        Map<String, List<Integer>> dims = Map.of("foo", List.of(3), "bar", List.of(2, 4));
        int vectors = 0;
        for (RowsEvent r : rows) {
            TableMap t = r.table();
            assertEquals("dtb", t.schema());
            assertEquals(Boolean.TRUE, t.column(0).unsigned(), "SERIAL is unsigned");
            List<Integer> vecCols = t.table().equals("foo") ? List.of(1) : List.of(1, 3);
            for (RowsEvent.Change c : r.rows()) {
                RowImage img = c.after() != null ? c.after() : c.before();
                assertInstanceOf(BigInteger.class, img.get(0));
                for (int k = 0; k < vecCols.size(); k++) {
                    float[] v = (float[]) img.get(vecCols.get(k));
                    assertEquals(dims.get(t.table()).get(k), v.length, t + " column " + vecCols.get(k));
                    vectors++;
                }
            }
            if (t.table().equals("bar")) {
                assertEquals(List.of("id", "vector_column", "foo", "vector_column2"),
                        t.columns().stream().map(Column::name).toList());
                assertEquals(255, t.column(2).collation(), "TEXT in the database's utf8mb4");
            }
        }
        assertTrue(vectors > 10, "vectors decoded: " + vectors);
    }

    /** MySQL 5.7.30 with binlog_rows_query_log_events: the ROWS_QUERY text holds the inserted title. */
    @Test
    void mysqlRowsQueryInsert() {
        String file = "rust-us-mysql-cdc-rs/5.7/29_row_query/log.bin";
        String stmt = RowsFixtures.statements(file).get(0);
        Matcher m = Pattern.compile("VALUES \\('([^']*)'\\)").matcher(stmt);
        assertTrue(m.find(), stmt);
        List<RowsEvent> rows = RowsFixtures.rows(file);
        assertEquals(1, rows.size());
        RowImage r = rows.get(0).rows().get(0).after();
        // no metadata before MySQL 8: VARCHAR(40) in utf8mb4 comes back as bytes, INT UNSIGNED as signed
        assertArrayEquals(m.group(1).getBytes(StandardCharsets.UTF_8), (byte[]) r.get(1));
        assertEquals(1L, r.get(0), "the first AUTO_INCREMENT id of a new table");
    }

    /**
     * MySQL 8.0.40, TIME without metadata: the file of rust_mysql_common issue #169, whose statement was
     * {@code CREATE TABLE t (c TIME); INSERT INTO t VALUES ('-507:48:27')} (hours past 255 overflowed there).
     */
    @Test
    void mysqlTimeOver255Hours() {
        List<RowsEvent> rows = RowsFixtures.rows(BB + "time_issue.000001");
        assertEquals(1, rows.size());
        assertEquals("-507:48:27", rows.get(0).rows().get(0).after().get(0).toString());
    }

    /** Percona 5.7: rows whose text column spells their DECIMAL value ('zero point one' is 0.1). */
    @Test
    void mysqlDecimal() {
        List<RowsEvent> rows = RowsFixtures.rows("easypost-rust-mysql-binlog/bin-log.000001");
        Map<String, BigDecimal> spelled = Map.of("zero point one", new BigDecimal("0.1"),
                "one point zero", new BigDecimal("1.0"));
        assertEquals(2, rows.size());
        for (RowsEvent r : rows) {
            RowImage img = r.rows().get(0).after();
            String words = new String((byte[]) img.get(2), StandardCharsets.UTF_8);
            assertEquals(0, spelled.get(words).compareTo((BigDecimal) img.get(1)), words);
        }
    }

    /**
     * MySQL 5.5.27 loading the sakila sample database (no checksums, WRITE_ROWS v1, old DATETIME/TIMESTAMP,
     * no metadata): the row counts per table are the published sample's, and actor 1 is PENELOPE GUINESS.
     */
    @Test
    void mysql55SakilaLoad() {
        Map<String, Integer> counts = new TreeMap<>();
        RowImage actor1 = null;
        for (RowsEvent r : RowsFixtures.rows("osheroff-mysql-binlog-connector-java/mysql-bin.sakila.gz")) {
            assertEquals(RowsEvent.Kind.WRITE, r.kind());
            counts.merge(r.table().table(), r.rows().size(), Integer::sum);
            if (r.table().table().equals("actor") && actor1 == null) {
                actor1 = r.rows().get(0).after();
            }
        }
        assertEquals(200, counts.get("actor"));
        assertEquals(1000, counts.get("film"));
        assertEquals(5462, counts.get("film_actor"));
        assertEquals(16044, counts.get("rental"));
        assertEquals(16049, counts.get("payment"));
        assertEquals(4581, counts.get("inventory"));
        assertEquals(1L, actor1.get(0));
        assertArrayEquals("PENELOPE".getBytes(StandardCharsets.US_ASCII), (byte[]) actor1.get(1));
        assertArrayEquals("GUINESS".getBytes(StandardCharsets.US_ASCII), (byte[]) actor1.get(2));
    }

    /** MySQL 8.0.28 and 8.0.32 with binlog_transaction_compression: the rows inside TRANSACTION_PAYLOAD. */
    @Test
    void mysqlCompressedTransactions() {
        List<RowsEvent> small = RowsFixtures.rows(BB + "transaction_compression.000001");
        assertEquals(1, small.size());
        assertEquals("tb1", small.get(0).table().table());
        List<RowsEvent> movies = RowsFixtures.rows("osheroff-mysql-binlog-connector-java/mysql-bin.compressed");
        assertEquals(1, movies.size());
        RowsEvent r = movies.get(0);
        assertEquals(RowsEvent.Kind.UPDATE, r.kind());
        assertEquals("movies", r.table().table());
        RowImage before = r.rows().get(0).before();
        assertEquals("Once Upon a Time in the West", before.get(1));
    }
}
