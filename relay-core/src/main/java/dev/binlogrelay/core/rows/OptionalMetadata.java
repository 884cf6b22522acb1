package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * TABLE_MAP's optional metadata (MySQL's {@code Table_map_log_event::Optional_metadata_field_type}, which MariaDB
 * 10.5+ writes the same way): a sequence of {@code type (1) | length (packed) | value}. Types:
 * <pre>
 *  1 SIGNEDNESS          bitmap, one bit per numeric column (most significant bit first), 1 = UNSIGNED
 *  2 DEFAULT_CHARSET     default collation (packed), then (character-column number, collation) pairs (packed)
 *  3 COLUMN_CHARSET      one collation (packed) per character column
 *  4 COLUMN_NAME         one name per column: length (packed) | bytes
 *  5 SET_STR_VALUE       per SET column: value count (packed), then each value: length (packed) | bytes
 *  6 ENUM_STR_VALUE      the same per ENUM column
 *  7 GEOMETRY_TYPE       one geometry type (packed) per GEOMETRY column
 *  8 SIMPLE_PRIMARY_KEY  column indexes (packed) of the primary key
 *  9 PRIMARY_KEY_WITH_PREFIX  (column index, prefix length) pairs (packed), 0 = whole column
 * 10 ENUM_AND_SET_DEFAULT_CHARSET, 11 ENUM_AND_SET_COLUMN_CHARSET  as 2 and 3, over the ENUM and SET columns
 * 12 COLUMN_VISIBILITY   bitmap, one bit per column (most significant bit first), 1 = visible
 * other                  skipped (later servers add types; e.g. MySQL 9's vector dimensions)
 * </pre>
 * "Numeric" columns are the integer, DECIMAL, FLOAT and DOUBLE ones, and YEAR on MariaDB ({@link
 * RowsFormat#hasSignedness}); "character" columns are CHAR, VARCHAR, BLOB, TEXT, GEOMETRY and VECTOR (not ENUM,
 * SET, MySQL's JSON).
 */
final class OptionalMetadata {
    record Result(List<Column> columns, List<Integer> primaryKey, List<Integer> prefixes) {
    }

    private OptionalMetadata() {
    }

    static Result apply(ByteCursor c, List<Column> columns, RowsFormat format) {
        List<Column> cols = new ArrayList<>(columns);
        List<Integer> pk = new ArrayList<>();
        List<Integer> prefixes = new ArrayList<>();
        while (c.hasRemaining()) {
            int type = c.u8("TABLE_MAP optional metadata type");
            ByteCursor v = c.slice(c.packed("TABLE_MAP optional metadata " + type + " length"),
                    "TABLE_MAP optional metadata " + type);
            switch (type) {
                case 1 -> signedness(v, cols, format);
                case 2 -> defaultCharset(v, cols, Column::isCharacter, "DEFAULT_CHARSET");
                case 3 -> columnCharset(v, cols, Column::isCharacter, "COLUMN_CHARSET");
                case 4 -> {
                    for (int i = 0; i < cols.size(); i++) {
                        cols.set(i, cols.get(i).withName(string(v, "COLUMN_NAME")));
                    }
                }
                case 5 -> values(v, cols, ColumnType.SET, "SET_STR_VALUE");
                case 6 -> values(v, cols, ColumnType.ENUM, "ENUM_STR_VALUE");
                case 7 -> {
                    for (int i : indexes(cols, col -> col.realType() == ColumnType.GEOMETRY)) {
                        cols.set(i, cols.get(i).withGeometryType(v.packedSize("GEOMETRY_TYPE", Integer.MAX_VALUE)));
                    }
                }
                case 8, 9 -> {
                    pk.clear();
                    prefixes.clear();
                    while (v.hasRemaining()) {
                        int i = v.packedSize("PRIMARY_KEY column", cols.size() - 1L);
                        pk.add(i);
                        prefixes.add(type == 9 ? v.packedSize("PRIMARY_KEY prefix", Integer.MAX_VALUE) : 0);
                        cols.set(i, cols.get(i).withPrimaryKey());
                    }
                }
                case 10 -> defaultCharset(v, cols, Column::isEnumOrSet, "ENUM_AND_SET_DEFAULT_CHARSET");
                case 11 -> columnCharset(v, cols, Column::isEnumOrSet, "ENUM_AND_SET_COLUMN_CHARSET");
                case 12 -> {
                    byte[] bits = v.bytes((cols.size() + 7) / 8, "COLUMN_VISIBILITY");
                    for (int i = 0; i < cols.size(); i++) {
                        cols.set(i, cols.get(i).withVisible(msbBit(bits, i)));
                    }
                }
                default -> v.skip(v.remaining(), "optional metadata " + type);
            }
            if (v.hasRemaining() && type != 12) {
                throw new BinlogFormatException("TABLE_MAP optional metadata " + type + ": " + v.remaining()
                        + " bytes left over");
            }
        }
        return new Result(cols, pk, prefixes);
    }

    private static void signedness(ByteCursor v, List<Column> cols, RowsFormat format) {
        List<Integer> numeric = indexes(cols, col -> format.hasSignedness(col.type()));
        byte[] bits = v.bytes((numeric.size() + 7) / 8, "SIGNEDNESS bitmap");
        for (int k = 0; k < numeric.size(); k++) {
            int i = numeric.get(k);
            cols.set(i, cols.get(i).withUnsigned(msbBit(bits, k)));
        }
    }

    private static void defaultCharset(ByteCursor v, List<Column> cols, Predicate<Column> kind, String what) {
        List<Integer> which = indexes(cols, kind);
        int dflt = v.packedSize(what + " default", Integer.MAX_VALUE);
        for (int i : which) {
            cols.set(i, cols.get(i).withCollation(dflt));
        }
        while (v.hasRemaining()) {
            int k = v.packedSize(what + " column number", which.size() - 1L);
            int collation = v.packedSize(what + " collation", Integer.MAX_VALUE);
            int i = which.get(k);
            cols.set(i, cols.get(i).withCollation(collation));
        }
    }

    private static void columnCharset(ByteCursor v, List<Column> cols, Predicate<Column> kind, String what) {
        for (int i : indexes(cols, kind)) {
            cols.set(i, cols.get(i).withCollation(v.packedSize(what, Integer.MAX_VALUE)));
        }
    }

    private static void values(ByteCursor v, List<Column> cols, int realType, String what) {
        for (int i : indexes(cols, col -> col.realType() == realType)) {
            int count = v.packedSize(what + " count", v.remaining());
            List<String> names = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                names.add(string(v, what));
            }
            cols.set(i, realType == ColumnType.SET ? cols.get(i).withSetValues(names)
                    : cols.get(i).withEnumValues(names));
        }
    }

    private static String string(ByteCursor v, String what) {
        return new String(v.bytes(v.packed(what + " length"), what), StandardCharsets.UTF_8);
    }

    private static List<Integer> indexes(List<Column> cols, Predicate<Column> kind) {
        List<Integer> out = new ArrayList<>();
        for (Column col : cols) {
            if (kind.test(col)) {
                out.add(col.index());
            }
        }
        return out;
    }

    private static boolean msbBit(byte[] bits, int k) {
        return (bits[k / 8] & (0x80 >> (k % 8))) != 0;
    }
}
