package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.rows.ColumnType;
import net.sf.jsqlparser.statement.create.table.ColDataType;
import net.sf.jsqlparser.statement.create.table.ColumnDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Column types of a definition: the parser's column definition turned into a {@link ColumnDef}, and whether a
 * definition's column fits the type a TABLE_MAP announces (a definition that does not fit is not used: see
 * {@link TableCompletion}).
 */
final class ColumnTypes {
    /** Synonyms MySQL and MariaDB accept, to the base type they stand for. */
    private static final Map<String, String> SYNONYMS = Map.ofEntries(
            Map.entry("integer", "int"), Map.entry("int4", "int"), Map.entry("int1", "tinyint"),
            Map.entry("int2", "smallint"), Map.entry("int3", "mediumint"), Map.entry("middleint", "mediumint"),
            Map.entry("int8", "bigint"), Map.entry("bool", "tinyint"), Map.entry("boolean", "tinyint"),
            Map.entry("dec", "decimal"), Map.entry("numeric", "decimal"), Map.entry("fixed", "decimal"),
            Map.entry("real", "double"), Map.entry("float8", "double"), Map.entry("float4", "float"),
            Map.entry("character", "char"), Map.entry("nchar", "char"), Map.entry("nvarchar", "varchar"),
            Map.entry("national", "char"), Map.entry("long", "mediumtext"), Map.entry("serial", "bigint"));

    private static final Set<String> BINARY = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob",
            "longblob", "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
            "multipolygon", "geometrycollection", "vector");
    private static final Set<String> TEXT = Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext",
            "enum", "set", "json");
    private static final Set<String> TEMPORAL_FRACTION = Set.of("time", "datetime", "timestamp");
    private static final Set<Integer> STRINGS = Set.of(ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.STRING,
            ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB, ColumnType.JSON,
            ColumnType.GEOMETRY, ColumnType.ENUM, ColumnType.SET, ColumnType.VECTOR, ColumnType.MARIA_BLOB_COMPRESSED,
            ColumnType.MARIA_VARCHAR_COMPRESSED);

    private ColumnTypes() {
    }

    /** The base type of a data type's text ("int (10)", "bigint unsigned", "double precision", "character varying"). */
    static String normalise(String dataType) {
        String[] words = dataType.trim().toLowerCase(Locale.ROOT).split("[\\s(]+");
        String base = words.length == 0 ? "" : words[0];
        if (words.length > 1 && (base.equals("character") || base.equals("char") || base.equals("national"))
                && (words[1].equals("varying") || words[1].equals("varchar"))) {
            return "varchar";
        }
        if (words.length > 1 && base.equals("long") && words[1].equals("varbinary")) {
            return "mediumblob";
        }
        return SYNONYMS.getOrDefault(base, base);
    }

    static boolean isText(String type) {
        return TEXT.contains(type);
    }

    /** The parser's column definition, with the table's default character set for text columns without one. */
    static ColumnDef of(ColumnDefinition c, String tableCharset, String tableCollation) {
        ColDataType t = c.getColDataType();
        if (t == null || t.getDataType() == null || c.getColumnName() == null) {
            throw new IllegalArgumentException("a column without a name or type");
        }
        String text = t.getDataType();
        String type = normalise(text);
        List<String> words = new ArrayList<>(List.of(text.toLowerCase(Locale.ROOT).split("[\\s(),]+")));
        List<String> specs = c.getColumnSpecs() == null ? List.of() : c.getColumnSpecs();
        for (String s : specs) {
            words.add(s.toLowerCase(Locale.ROOT));
        }
        boolean unsigned = words.contains("unsigned") || words.contains("zerofill") || text.toLowerCase(Locale.ROOT).startsWith("serial");
        String charset = t.getCharacterSet();
        String collation = after(specs, "collate");
        if (charset == null) {
            charset = after(specs, "charset");
        }
        if (BINARY.contains(type)) {
            charset = "binary";
            collation = null;
        }
        List<String> values = type.equals("enum") || type.equals("set") ? unquote(t.getArgumentsStringList()) : null;
        int decimals = TEMPORAL_FRACTION.contains(type) ? precision(text) : -1;
        String name = SchemaState.unquote(c.getColumnName());
        return new ColumnDef(name, type, unsigned, charset == null ? null : charset.toLowerCase(Locale.ROOT),
                collation == null ? null : collation.toLowerCase(Locale.ROOT), values, decimals)
                .withDefaultCharset(tableCharset, tableCollation);
    }

    /** The word after {@code keyword} in a column's specs ("COLLATE utf8mb4_bin"), or null. */
    static String after(List<String> specs, String keyword) {
        for (int i = 0; i + 1 < specs.size(); i++) {
            if (specs.get(i).equalsIgnoreCase(keyword)) {
                String v = specs.get(i + 1);
                return v.equals("=") && i + 2 < specs.size() ? specs.get(i + 2) : SchemaState.unquote(v);
            }
        }
        return null;
    }

    private static int precision(String text) {
        int open = text.indexOf('(');
        int close = text.indexOf(')', open + 1);
        if (open < 0 || close < 0) {
            return 0;
        }
        try {
            int p = Integer.parseInt(text.substring(open + 1, close).trim());
            return p >= 0 && p <= 6 ? p : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** ENUM/SET values as the parser gives them ('a', 'b''c') to their text (a, b'c). */
    static List<String> unquote(List<String> quoted) {
        List<String> out = new ArrayList<>();
        if (quoted == null) {
            return out;
        }
        for (String q : quoted) {
            String s = q.trim();
            if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"') && s.charAt(s.length() - 1) == s.charAt(0)) {
                char quote = s.charAt(0);
                s = s.substring(1, s.length() - 1).replace("" + quote + quote, "" + quote).replace("\\\\", "\\");
            }
            out.add(s);
        }
        return out;
    }

    /**
     * Whether a column of the definition can be the column a TABLE_MAP announces with {@code realType}
     * ({@link dev.binlogrelay.core.rows.Column#realType()}): the integer, decimal, floating, bit, year and temporal
     * types must match exactly (in any of their binlog encodings), strings, blobs, JSON and geometry among
     * themselves. An unknown type fits anything.
     */
    static boolean fits(ColumnDef def, int realType) {
        return switch (def.type()) {
            case "tinyint" -> realType == ColumnType.TINY;
            case "smallint" -> realType == ColumnType.SHORT;
            case "mediumint" -> realType == ColumnType.INT24;
            case "int" -> realType == ColumnType.LONG;
            case "bigint" -> realType == ColumnType.LONGLONG;
            case "decimal" -> realType == ColumnType.NEWDECIMAL || realType == ColumnType.DECIMAL;
            case "float" -> realType == ColumnType.FLOAT || realType == ColumnType.DOUBLE;
            case "double" -> realType == ColumnType.DOUBLE;
            case "bit" -> realType == ColumnType.BIT;
            case "year" -> realType == ColumnType.YEAR;
            case "date" -> realType == ColumnType.DATE || realType == ColumnType.NEWDATE;
            case "time" -> realType == ColumnType.TIME || realType == ColumnType.TIME2;
            case "datetime" -> realType == ColumnType.DATETIME || realType == ColumnType.DATETIME2;
            case "timestamp" -> realType == ColumnType.TIMESTAMP || realType == ColumnType.TIMESTAMP2;
            case "enum" -> realType == ColumnType.ENUM;
            case "set" -> realType == ColumnType.SET;
            default -> STRINGS.contains(realType) || !(isText(def.type()) || BINARY.contains(def.type()));
        };
    }
}
