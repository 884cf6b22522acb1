package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.Values;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Canal's value text and sqlType per column type, hand-checked against Canal 1.1.7's rules (RowsLogBuffer reads
 * the value, LogEventConvert writes its text; see {@link CanalValues}). The same rules are checked against a live
 * Canal server by CanalOracleIT; these cases add what a MariaDB workload cannot show (MySQL's JSON, VECTOR, zero
 * timestamps, unsigned values at the type edges, unknown charsets).
 */
class CanalValuesTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final int UTF8MB4 = 45;
    private static final int LATIN1 = 8;

    static Column col(int type, int meta, Boolean unsigned, int collation) {
        return new Column(0, type, meta, true, "c", unsigned, collation, null, null, -1, false, true, -1);
    }

    private static CanalValues.Formatted f(Column c, Object v) {
        return CanalValues.format(c, v, UTC);
    }

    private static void check(String value, int sqlType, CanalValues.Formatted got) {
        assertEquals(value, got.value(), "value");
        assertEquals(sqlType, got.sqlType(), "sqlType");
    }

    @Test
    void integersGoOneSizeUpOnlyForUnsignedValuesPastTheSignedMaximum() {
        check("-5", Types.TINYINT, f(col(ColumnType.TINY, 0, false, -1), -5L));
        check("100", Types.TINYINT, f(col(ColumnType.TINY, 0, true, -1), 100L));
        check("200", Types.SMALLINT, f(col(ColumnType.TINY, 0, true, -1), 200L));
        check("60000", Types.INTEGER, f(col(ColumnType.SHORT, 0, true, -1), 60000L));
        check("-32768", Types.SMALLINT, f(col(ColumnType.SHORT, 0, false, -1), -32768L));
        check("16777215", Types.INTEGER, f(col(ColumnType.INT24, 0, true, -1), 16777215L));
        check("4294967295", Types.BIGINT, f(col(ColumnType.LONG, 0, true, -1), 4294967295L));
        check("2147483647", Types.INTEGER, f(col(ColumnType.LONG, 0, true, -1), 2147483647L));
        check("-9223372036854775808", Types.BIGINT, f(col(ColumnType.LONGLONG, 0, false, -1), Long.MIN_VALUE));
        check("18446744073709551615", Types.DECIMAL, f(col(ColumnType.LONGLONG, 0, true, -1),
                new BigInteger("18446744073709551615")));
        check("9223372036854775807", Types.BIGINT, f(col(ColumnType.LONGLONG, 0, true, -1),
                BigInteger.valueOf(Long.MAX_VALUE)));
    }

    @Test
    void floatsDecimalsBitsAndYears() {
        check("1.5", Types.REAL, f(col(ColumnType.FLOAT, 4, false, -1), 1.5f));
        check("1.0E10", Types.REAL, f(col(ColumnType.FLOAT, 4, false, -1), 1e10f));
        check("0.0025", Types.DOUBLE, f(col(ColumnType.DOUBLE, 8, false, -1), 0.0025));
        check("1.0E-4", Types.DOUBLE, f(col(ColumnType.DOUBLE, 8, false, -1), 0.0001));
        check("0.500000", Types.DECIMAL, f(col(ColumnType.NEWDECIMAL, 20 | 6 << 8, false, -1),
                new BigDecimal("0.500000")));
        check("100000000000000000000", Types.DECIMAL, f(col(ColumnType.NEWDECIMAL, 30, false, -1),
                new BigDecimal("1E+20")));
        check("18446744073709551615", Types.BIT, f(col(ColumnType.BIT, 8 << 8, null, -1), -1L));
        check("1", Types.BIT, f(col(ColumnType.BIT, 1, null, -1), 1L));
        check("0000", Types.VARCHAR, f(col(ColumnType.YEAR, 0, true, -1), 0));
        check("1901", Types.VARCHAR, f(col(ColumnType.YEAR, 0, true, -1), 1901));
    }

    @Test
    void temporals() {
        check("0000-00-00", Types.DATE, f(col(ColumnType.DATE, 0, null, -1), new Values.DateValue(0, 0, 0)));
        check("2024-02-00", Types.DATE, f(col(ColumnType.DATE, 0, null, -1), new Values.DateValue(2024, 2, 0)));
        check("-838:59:59", Types.TIME, f(col(ColumnType.TIME2, 0, null, -1),
                new Values.TimeValue(true, 838, 59, 59, 0, 0)));
        check("-00:00:00.01", Types.TIME, f(col(ColumnType.TIME2, 2, null, -1),
                new Values.TimeValue(true, 0, 0, 0, 10000, 2)));
        check("123:45:06.789", Types.TIME, f(col(ColumnType.TIME2, 3, null, -1),
                new Values.TimeValue(false, 123, 45, 6, 789000, 3)));
        check("9999-12-31 23:59:59.999", Types.TIMESTAMP, f(col(ColumnType.DATETIME2, 3, null, -1),
                new Values.DateTimeValue(9999, 12, 31, 23, 59, 59, 999000, 3)));
        check("0000-00-00 00:00:00", Types.TIMESTAMP, f(col(ColumnType.DATETIME2, 0, null, -1),
                new Values.DateTimeValue(0, 0, 0, 0, 0, 0, 0, 0)));
        Column ts6 = col(ColumnType.TIMESTAMP2, 6, null, -1);
        Values.TimestampValue t = new Values.TimestampValue(1, 1, 6);
        check("1970-01-01 00:00:01.000001", Types.TIMESTAMP, f(ts6, t));
        assertEquals("1970-01-01 08:00:01.000001", CanalValues.format(ts6, t, ZoneId.of("Asia/Shanghai")).value(),
                "a TIMESTAMP in the reader's zone, as java.sql.Timestamp prints it in Canal's JVM");
        check("0000-00-00 00:00:00.000000", Types.TIMESTAMP, f(ts6, new Values.TimestampValue(0, 0, 6)));
        check("0000-00-00 00:00:00", Types.TIMESTAMP, f(col(ColumnType.TIMESTAMP, 0, null, -1),
                new Values.TimestampValue(0, 0, 0)));
    }

    @Test
    void stringsTextAndBinary() {
        check("çé€", Types.CHAR, f(col(ColumnType.STRING, 0xFE | 40 << 8, null, UTF8MB4), "çé€"));
        check("café", Types.CHAR, f(col(ColumnType.STRING, 0xFE | 10 << 8, null, LATIN1), "café"));
        check("\u0001\u0002", Types.BLOB, f(col(ColumnType.STRING, 0xFE | 4 << 8, null, Column.BINARY_COLLATION),
                new byte[] {1, 2, 0, 0}), "BINARY(4) without its 0x00 padding, as the binlog holds it");
        check("\u0000\u00ff", Types.BLOB, f(col(ColumnType.VARCHAR, 10, null, Column.BINARY_COLLATION),
                new byte[] {0, (byte) 0xFF}));
        check("é", Types.VARCHAR, f(col(ColumnType.VARCHAR, 1200, null, UTF8MB4), "é"));
        check("é", Types.VARCHAR, f(col(ColumnType.VARCHAR, 1200, null, -1), "é".getBytes(StandardCharsets.UTF_8)),
                "an unknown charset is read as UTF-8 (Canal's default connection charset)");
        check("text ✓", Types.CLOB, f(col(ColumnType.BLOB, 2, null, UTF8MB4), "text ✓"));
        check("\u00de\u00ad", Types.BLOB, f(col(ColumnType.BLOB, 2, null, Column.BINARY_COLLATION),
                new byte[] {(byte) 0xDE, (byte) 0xAD}));
        check("\u00de", Types.BLOB, f(col(ColumnType.BLOB, 1, null, -1), new byte[] {(byte) 0xDE}),
                "a BLOB/TEXT of unknown charset is a BLOB");
        check("x", Types.VARCHAR, f(col(ColumnType.MARIA_VARCHAR_COMPRESSED, 800, null, UTF8MB4), "x"));
        check("y", Types.CLOB, f(col(ColumnType.MARIA_BLOB_COMPRESSED, 2, null, UTF8MB4), "y"));
    }

    private static void check(String value, int sqlType, CanalValues.Formatted got, String why) {
        assertEquals(value, got.value(), why);
        assertEquals(sqlType, got.sqlType(), why);
    }

    @Test
    void enumSetJsonGeometryVector() {
        check("2", Types.INTEGER, f(col(ColumnType.STRING, ColumnType.ENUM | 1 << 8, null, UTF8MB4),
                new Values.EnumValue(2, "b")), "Canal gives an ENUM's index, not its name");
        check("5", Types.BIT, f(col(ColumnType.STRING, ColumnType.SET | 1 << 8, null, UTF8MB4),
                new Values.SetValue(5, List.of("x", "z"))), "and a SET's bits");
        check("{\"a\": [1, true]}", Types.VARCHAR, f(col(ColumnType.JSON, 4, null, -1), "{\"a\": [1, true]}"));
        byte[] wkb = {1, 1, 0, 0, 0};
        check(new String(new byte[] {(byte) 0xE6, 0x10, 0, 0, 1, 1, 0, 0, 0}, StandardCharsets.ISO_8859_1), Types.BLOB,
                f(col(ColumnType.GEOMETRY, 4, null, Column.BINARY_COLLATION), new Values.GeometryValue(4326, wkb)),
                "SRID 4326 little-endian, then the WKB");
        check(new String(new byte[] {0, 0, (byte) 0x80, 0x3F}, StandardCharsets.ISO_8859_1), Types.BLOB,
                f(col(ColumnType.VECTOR, 4, null, Column.BINARY_COLLATION), new float[] {1.0f}),
                "VECTOR as its bytes (Canal cannot read it)");
    }

    @Test
    void jsonPartialUpdatesAsFunctionCalls() {
        Column doc = new Column(1, ColumnType.JSON, 4, true, "doc", null, -1, null, null, -1, false, true, -1);
        Values.JsonDiffs d = new Values.JsonDiffs(List.of(
                new Values.JsonDiff(Values.JsonDiff.Operation.REPLACE, "$.a", "1"),
                new Values.JsonDiff(Values.JsonDiff.Operation.REPLACE, "$.b", "2"),
                new Values.JsonDiff(Values.JsonDiff.Operation.INSERT, "$.c[0]", "\"x\""),
                new Values.JsonDiff(Values.JsonDiff.Operation.REMOVE, "$.d", null)));
        check("JSON_REMOVE(JSON_ARRAY_INSERT(JSON_REPLACE(doc, '$.a', 1, '$.b', 2), '$.c[0]', \"x\"), '$.d')",
                Types.VARCHAR, f(doc, d));
    }

    @Test
    void nullsKeepTheirTypesSqlType() {
        assertNull(f(col(ColumnType.LONG, 0, true, -1), null).value());
        assertEquals(Types.INTEGER, f(col(ColumnType.LONG, 0, true, -1), null).sqlType());
        assertEquals(Types.VARCHAR, f(col(ColumnType.YEAR, 0, true, -1), null).sqlType());
        assertEquals(Types.BLOB, f(col(ColumnType.STRING, ColumnType.SET | 1 << 8, null, UTF8MB4), null).sqlType(),
                "a NULL SET is a BLOB (a value is a BIT)");
        assertEquals(Types.INTEGER, f(col(ColumnType.STRING, ColumnType.ENUM | 1 << 8, null, UTF8MB4), null)
                .sqlType());
        assertEquals(Types.CLOB, f(col(ColumnType.BLOB, 4, null, UTF8MB4), null).sqlType());
        assertEquals(Types.BLOB, f(col(ColumnType.BLOB, 4, null, Column.BINARY_COLLATION), null).sqlType());
        assertEquals(Types.BLOB, f(col(ColumnType.GEOMETRY, 4, null, Column.BINARY_COLLATION), null).sqlType());
        assertEquals(Types.OTHER, f(col(ColumnType.JSON, 4, null, -1), null).sqlType(), "a NULL MySQL JSON");
        assertEquals(Types.CHAR, f(col(ColumnType.STRING, 0xFE | 10 << 8, null, UTF8MB4), null).sqlType());
        assertEquals(Types.BLOB, f(col(ColumnType.VARCHAR, 10, null, Column.BINARY_COLLATION), null).sqlType());
    }

    @Test
    void mysqlTypesAsShowCreateTablePrintsThem() {
        assertEquals("int(10) unsigned", MysqlTypeText.of(col(ColumnType.LONG, 0, true, -1), true));
        assertEquals("int unsigned", MysqlTypeText.of(col(ColumnType.LONG, 0, true, -1), false));
        assertEquals("decimal(20,6)", MysqlTypeText.of(col(ColumnType.NEWDECIMAL, 20 | 6 << 8, false, -1), true));
        assertEquals("varchar(300)", MysqlTypeText.of(col(ColumnType.VARCHAR, 1200, null, UTF8MB4), true));
        assertEquals("varbinary(10)", MysqlTypeText.of(col(ColumnType.VARCHAR, 10, null, Column.BINARY_COLLATION),
                true));
        assertEquals("char(10)", MysqlTypeText.of(col(ColumnType.STRING, 0xFE | 30 << 8, null, 33), true));
        assertEquals("datetime(3)", MysqlTypeText.of(col(ColumnType.DATETIME2, 3, null, -1), true));
        assertEquals("mediumtext", MysqlTypeText.of(col(ColumnType.BLOB, 3, null, UTF8MB4), true));
        assertEquals("tinyblob", MysqlTypeText.of(col(ColumnType.BLOB, 1, null, Column.BINARY_COLLATION), true));
        assertEquals("bit(13)", MysqlTypeText.of(col(ColumnType.BIT, 5 | 1 << 8, null, -1), true));
        assertEquals("year(4)", MysqlTypeText.of(col(ColumnType.YEAR, 0, true, -1), true));
        assertEquals("year", MysqlTypeText.of(col(ColumnType.YEAR, 0, null, -1), false));
        Column e = new Column(0, ColumnType.STRING, ColumnType.ENUM | 1 << 8, true, "e", null, UTF8MB4,
                List.of("a", "it's"), null, -1, false, true, -1);
        assertEquals("enum('a','it''s')", MysqlTypeText.of(e, true));
        assertEquals(true, EntryStream.displayWidths("10.11.6-MariaDB-log"));
        assertEquals(true, EntryStream.displayWidths("8.0.18"));
        assertEquals(false, EntryStream.displayWidths("8.0.19"));
        assertEquals(false, EntryStream.displayWidths("9.1.0"));
        assertEquals(true, EntryStream.displayWidths("5.7.44-log"));
    }

    /** What only the definition says (Column.declaredType, from the schema history) wins over the defaults. */
    @Test
    void mysqlTypesWithTheDeclaredType() {
        assertEquals("int(5)", MysqlTypeText.of(declared(ColumnType.LONG, 0, false, "int(5)"), true));
        assertEquals("int", MysqlTypeText.of(declared(ColumnType.LONG, 0, false, "int(5)"), false),
                "MySQL 8.0.19+ prints no width");
        assertEquals("tinyint(1)", MysqlTypeText.of(declared(ColumnType.TINY, 0, false, "tinyint(1)"), true));
        assertEquals("tinyint(1)", MysqlTypeText.of(declared(ColumnType.TINY, 0, false, "tinyint(1)"), false),
                "MySQL 8.0.19+ still prints TINYINT(1)");
        assertEquals("int(4) unsigned zerofill",
                MysqlTypeText.of(declared(ColumnType.LONG, 0, true, "int(4) unsigned zerofill"), true));
        assertEquals("int(10) unsigned zerofill",
                MysqlTypeText.of(declared(ColumnType.LONG, 0, true, "int unsigned zerofill"), false),
                "ZEROFILL keeps its (default) width on MySQL 8.0.19+");
        assertEquals("float(7,3)", MysqlTypeText.of(declared(ColumnType.FLOAT, 4, false, "float(7,3)"), true));
        assertEquals("double", MysqlTypeText.of(declared(ColumnType.DOUBLE, 8, false, "float(30)"), true),
                "FLOAT(p) only chose the type");
        assertEquals("decimal(10,2) unsigned zerofill", MysqlTypeText.of(
                declared(ColumnType.NEWDECIMAL, 10 | 2 << 8, true, "decimal(10,2) unsigned zerofill"), true));
        assertEquals("bigint(20)", MysqlTypeText.of(declared(ColumnType.LONGLONG, 0, false, "bigint"), true));
        assertEquals("vector(3)", MysqlTypeText.of(declared(ColumnType.VECTOR, 4, false, "vector(3)"), false),
                "a VECTOR's dimension is only in the definition");
        assertEquals("vector", MysqlTypeText.of(col(ColumnType.VECTOR, 4, false, -1), false));
    }

    private static Column declared(int type, int meta, boolean unsigned, String declaredType) {
        return col(type, meta, unsigned, -1).withDeclaredType(declaredType);
    }
}
