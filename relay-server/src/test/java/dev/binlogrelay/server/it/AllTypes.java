package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.MariaDbServer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A MariaDB 10.11 table with a column of every type, the rows {@link RowsMariaDbIT} writes to it, and how SELECT
 * shows each column in a form a decoded value can be compared with (numbers and temporals as CAST(.. AS CHAR)
 * in a +00:00 session, binary strings as HEX, BIT as its unsigned number, geometry as SRID:HEX(WKB)).
 */
final class AllTypes {
    /**
     * A column: DDL type, the expected TABLE_MAP signedness (null: not a numeric column), the SELECT form
     * ({@code %s} is the column), and its value in rows 1 and 2 (row 3 is all NULL), and after the update of
     * rows 1 and 3 (null: that column is not updated).
     */
    record Col(String name, String type, Boolean unsigned, String select, String v1, String v2, String upd) {
    }

    private static final String CAST = "CAST(%s AS CHAR)";
    private static final String RAW = "%s";
    private static final String HEX = "HEX(%s)";

    static final List<Col> COLUMNS = List.of(
            new Col("id", "INT PRIMARY KEY", false, CAST, "1", "2", null),
            // MariaDB's YEAR is an unsigned Field_tiny and has a SIGNEDNESS bit (MySQL's has none): ahead of the
            // other numeric columns, a decoder that skips it misreads every signedness after it
            new Col("y", "YEAR", true, CAST, "2024", "1901", "2155"),
            new Col("ti", "TINYINT", false, CAST, "-5", "-128", "7"),
            new Col("tiu", "TINYINT UNSIGNED", true, CAST, "200", "255", null),
            new Col("si", "SMALLINT", false, CAST, "-300", "-32768", null),
            new Col("siu", "SMALLINT UNSIGNED", true, CAST, "60000", "65535", null),
            new Col("mi", "MEDIUMINT", false, CAST, "-70000", "-8388608", null),
            new Col("miu", "MEDIUMINT UNSIGNED", true, CAST, "16000000", "16777215", null),
            new Col("i", "INT", false, CAST, "-2000000000", "-2147483648", null),
            new Col("iu", "INT UNSIGNED", true, CAST, "4000000000", "4294967295", "1"),
            new Col("bi", "BIGINT", false, CAST, "-9000000000000000000", "-9223372036854775808", null),
            new Col("biu", "BIGINT UNSIGNED", true, CAST, "18000000000000000000", "18446744073709551615", null),
            new Col("de", "DECIMAL(20,6)", false, CAST, "-12345678901234.123456", "99999999999999.999999", "0.5"),
            new Col("ds", "DECIMAL(4,2)", false, CAST, "3.14", "-99.99", null),
            new Col("f", "FLOAT", false, CAST, "1.5", "-0.25", null),
            new Col("d", "DOUBLE", false, CAST, "0.0025", "-123456.5", null),
            new Col("b1", "BIT(1)", null, "CAST(%s AS UNSIGNED)", "b'1'", "b'0'", null),
            new Col("b13", "BIT(13)", null, "CAST(%s AS UNSIGNED)", "5000", "8191", null),
            new Col("b64", "BIT(64)", null, "CAST(%s AS UNSIGNED)", "123456789", "18446744073709551615", null),
            new Col("dt", "DATE", null, CAST, "'2024-02-29'", "'1000-01-01'", "'9999-12-31'"),
            new Col("tm", "TIME", null, CAST, "'-838:59:59'", "'12:34:56'", null),
            new Col("tm6", "TIME(6)", null, CAST, "'-00:00:01.5'", "'838:59:59'", "'-12:00:00.000001'"),
            new Col("tm2", "TIME(2)", null, CAST, "'-00:00:00.01'", "'-838:59:58.99'", "'00:00:00.99'"),
            new Col("tm3", "TIME(3)", null, CAST, "'-16:08:04.250'", "'123:45:06.789'", null),
            new Col("dtm", "DATETIME", null, CAST, "'2024-02-29 23:59:59'", "'1000-01-01 00:00:00'", null),
            new Col("dtm3", "DATETIME(3)", null, CAST, "'2024-01-02 03:04:05.678'", "'9999-12-31 23:59:59.999'",
                    null),
            new Col("ts", "TIMESTAMP NULL", null, CAST, "'2024-01-02 03:04:05'", "'2038-01-19 03:14:07'", null),
            new Col("ts6", "TIMESTAMP(6) NULL", null, CAST, "'1970-01-01 00:00:01.000001'",
                    "'2024-06-30 12:00:00.123456'", null),
            new Col("c", "CHAR(10)", null, RAW, "'abc'", "'çé€日本'", "'changed'"),
            new Col("cl", "CHAR(10) CHARACTER SET latin1", null, RAW, "'café'", "'x'", null),
            new Col("vc", "VARCHAR(300)", null, RAW, "REPEAT('é', 300)", "''", "'now set'"),
            new Col("bin", "BINARY(4)", null, HEX, "X'0102'", "X'FFFFFFFF'", null),
            new Col("vb", "VARBINARY(10)", null, HEX, "X'00FF'", "X''", null),
            new Col("tt", "TINYTEXT", null, RAW, "'tiny'", "''", null),
            new Col("tx", "TEXT", null, RAW, "'text ✓'", "REPEAT('a', 1000)", null),
            new Col("mt", "MEDIUMTEXT", null, RAW, "'medium'", "REPEAT('m', 70000)", null),
            new Col("lt", "LONGTEXT", null, RAW, "'long'", "'x'", null),
            new Col("tb", "TINYBLOB", null, HEX, "X'01'", "X''", null),
            new Col("bl", "BLOB", null, HEX, "X'DEADBEEF'", "X'00'", null),
            new Col("mb", "MEDIUMBLOB", null, HEX, "X'CAFE'", "REPEAT(X'AB', 70000)", null),
            new Col("lb", "LONGBLOB", null, HEX, "X'BABE'", "X'00'", null),
            new Col("e", "ENUM('a','b','c')", null, CAST, "'b'", "'c'", "'a'"),
            new Col("s", "SET('x','y','z')", null, CAST, "'x,z'", "''", "'y'"),
            new Col("j", "JSON", null, RAW, "'{\"k\": [1, 2, {\"n\": null}]}'", "'[]'", "'{\"a\": 1}'"),
            new Col("g", "GEOMETRY", null, "CONCAT(ST_SRID(%1$s), ':', HEX(ST_AsWKB(%1$s)))",
                    "ST_GeomFromText('LINESTRING(0 0,1 1)')", "ST_GeomFromText('POINT(1 2)', 4326)", "POINT(3, 4)"),
            new Col("pt", "POINT", null, "CONCAT(ST_SRID(%1$s), ':', HEX(ST_AsWKB(%1$s)))", "POINT(1.5, -2.5)",
                    "POINT(0, 0)", null),
            new Col("ip", "INET6", null, "HEX(INET6_ATON(CAST(%s AS CHAR)))", "'2001:db8::1'", "'::ffff:1.2.3.4'",
                    null),
            new Col("vcz", "VARCHAR(200) COMPRESSED", null, RAW, "REPEAT('z', 150)", "'short'", null),
            new Col("tz", "TEXT COMPRESSED", null, RAW, "REPEAT('compressible ', 50)", "''", "'x'"));

    static final int INSERTED = 3;
    static final int UPDATED = 2;

    private AllTypes() {
    }

    /**
     * Creates {@code table} and writes its rows with binlog_row_image {@code image}: three inserts (row 3 all
     * NULL), an update of rows 1 and 3, a delete of row 2. Returns SELECT snapshots (id → column → text) taken
     * after the inserts and after the update; ENUM and SET as their names, or as numbers when
     * {@code fullMetadata} is false (the TABLE_MAP then has no value names).
     */
    static List<Map<Integer, Map<String, String>>> workload(MariaDbServer server, String table, String image,
                                                          boolean fullMetadata) throws SQLException {
        try (Connection conn = server.connect(); Statement st = conn.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            st.execute("SET binlog_row_image = " + image);
            st.execute("CREATE TABLE " + table + " (" + COLUMNS.stream().map(c -> c.name() + " " + c.type())
                    .collect(Collectors.joining(", ")) + ") DEFAULT CHARSET=utf8mb4");
            st.execute(insert(table, 1, COLUMNS.stream().map(Col::v1).toList()));
            st.execute(insert(table, 2, COLUMNS.stream().map(Col::v2).toList()));
            st.execute("INSERT INTO " + table + " (id) VALUES (3)");
            List<Map<Integer, Map<String, String>>> snaps = new ArrayList<>();
            snaps.add(select(st, table, fullMetadata));
            String set = COLUMNS.stream().filter(c -> c.upd() != null).map(c -> c.name() + " = " + c.upd())
                    .collect(Collectors.joining(", "));
            st.execute("UPDATE " + table + " SET " + set + " WHERE id IN (1, 3)");
            snaps.add(select(st, table, fullMetadata));
            st.execute("DELETE FROM " + table + " WHERE id = 2");
            return snaps;
        }
    }

    /** Column index → fractional digits of the TIME(n), DATETIME(n), TIMESTAMP(n) columns, from their DDL. */
    static Map<Integer, Integer> temporalDecimals() {
        Map<Integer, Integer> out = new HashMap<>();
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^(?:TIMESTAMP|DATETIME|TIME)(?:\\((\\d)\\))?(?![A-Z])");
        for (int i = 0; i < COLUMNS.size(); i++) {
            java.util.regex.Matcher m = p.matcher(COLUMNS.get(i).type());
            if (m.find()) {
                out.put(i, m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    private static String insert(String table, int id, List<String> values) {
        List<String> v = new ArrayList<>(values);
        v.set(0, Integer.toString(id));
        return "INSERT INTO " + table + " VALUES (" + String.join(", ", v) + ")";
    }

    private static Map<Integer, Map<String, String>> select(Statement st, String table, boolean fullMetadata)
            throws SQLException {
        String cols = COLUMNS.stream().map(c -> {
            String col = !fullMetadata && (c.type().startsWith("ENUM") || c.type().startsWith("SET"))
                    ? c.name() + "+0" : c.name();
            return String.format(c.select(), col) + " AS " + c.name();
        }).collect(Collectors.joining(", "));
        Map<Integer, Map<String, String>> rows = new HashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT " + cols + " FROM " + table)) {
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (Col c : COLUMNS) {
                    row.put(c.name(), rs.getString(c.name()));
                }
                rows.put(Integer.parseInt(row.get("id")), row);
            }
        }
        return rows;
    }
}
