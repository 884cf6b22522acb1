package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;

import java.util.List;

/**
 * A column's {@code mysqlType} as Canal gives it: the column's type as SHOW CREATE TABLE writes it, lower case,
 * with its arguments and " unsigned" ({@code int(11)}, {@code varchar(300)}, {@code decimal(20,6)},
 * {@code enum('a','b')}, {@code bigint(20) unsigned}). Canal reads it from the table's definition; here it is
 * rebuilt from the TABLE_MAP and its metadata, and a VARCHAR/CHAR length is its byte length divided by its character
 * set's widest character. What the binlog does not hold comes from the column's declared type when the schema
 * tracker knows it ({@link Column#declaredType}: an integer's display width, ZEROFILL, FLOAT/DOUBLE(M,D)), else it
 * is the server's default: integer display widths (MariaDB and MySQL before 8.0.19 print them; later MySQL only
 * for TINYINT(1) and ZEROFILL columns). An ENUM/SET without FULL metadata or a schema tracker is "enum"/"set"; a
 * MariaDB JSON column is the LONGTEXT it is.
 */
final class MysqlTypeText {
    private MysqlTypeText() {
    }

    /** @param widths whether integer types carry their display width (MariaDB, MySQL before 8.0.19) */
    static String of(Column c, boolean widths) {
        boolean unsigned = Boolean.TRUE.equals(c.unsigned());
        String declared = c.declaredType();
        boolean zerofill = declared != null && declared.endsWith(" zerofill");
        String u = (unsigned ? " unsigned" : "") + (zerofill ? " zerofill" : "");
        int meta = c.meta();
        return switch (c.realType()) {
            case ColumnType.TINY -> integer("tinyint", declared, widths, unsigned ? 3 : 4) + u;
            case ColumnType.SHORT -> integer("smallint", declared, widths, unsigned ? 5 : 6) + u;
            case ColumnType.INT24 -> integer("mediumint", declared, widths, unsigned ? 8 : 9) + u;
            case ColumnType.LONG -> integer("int", declared, widths, unsigned ? 10 : 11) + u;
            case ColumnType.LONGLONG -> integer("bigint", declared, widths, 20) + u;
            case ColumnType.YEAR -> widths ? "year(4)" : "year";
            case ColumnType.FLOAT -> floating("float", declared) + u;
            case ColumnType.DOUBLE -> floating("double", declared) + u;
            case ColumnType.NEWDECIMAL, ColumnType.DECIMAL -> "decimal(" + (meta & 0xFF) + "," + (meta >> 8) + ")" + u;
            case ColumnType.BIT -> "bit(" + ((meta & 0xFF) + 8 * (meta >> 8)) + ")";
            case ColumnType.DATE, ColumnType.NEWDATE -> "date";
            case ColumnType.TIME2 -> fsp("time", meta);
            case ColumnType.DATETIME2 -> fsp("datetime", meta);
            case ColumnType.TIMESTAMP2 -> fsp("timestamp", meta);
            case ColumnType.TIME -> fsp("time", Math.max(c.decimals(), 0));
            case ColumnType.DATETIME -> fsp("datetime", Math.max(c.decimals(), 0));
            case ColumnType.TIMESTAMP -> fsp("timestamp", Math.max(c.decimals(), 0));
            case ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.MARIA_VARCHAR_COMPRESSED ->
                    c.collation() == Column.BINARY_COLLATION ? "varbinary(" + meta + ")"
                            : "varchar(" + meta / maxBytesPerChar(c.collation()) + ")";
            case ColumnType.STRING -> {
                int byte0 = meta & 0xFF;
                int len = (meta >> 8) | (((byte0 & 0x30) ^ 0x30) << 4);
                yield c.collation() == Column.BINARY_COLLATION ? "binary(" + len + ")"
                        : "char(" + len / maxBytesPerChar(c.collation()) + ")";
            }
            case ColumnType.BLOB, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB,
                    ColumnType.MARIA_BLOB_COMPRESSED -> {
                String size = switch (meta) {
                    case 1 -> "tiny";
                    case 3 -> "medium";
                    case 4 -> "long";
                    default -> "";
                };
                yield size + (c.isText() ? "text" : "blob");
            }
            case ColumnType.ENUM -> values("enum", c.enumValues());
            case ColumnType.SET -> values("set", c.setValues());
            case ColumnType.JSON -> "json";
            // the TABLE_MAP holds a VECTOR's length prefix size, not its dimension: only the definition has it
            case ColumnType.VECTOR -> declared != null && declared.startsWith("vector(") ? declared : "vector";
            case ColumnType.GEOMETRY -> switch (c.geometryType()) {
                case 1 -> "point";
                case 2 -> "linestring";
                case 3 -> "polygon";
                case 4 -> "multipoint";
                case 5 -> "multilinestring";
                case 6 -> "multipolygon";
                case 7 -> "geometrycollection";
                default -> "geometry";
            };
            default -> ColumnType.name(c.realType()).toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * An integer type with its display width: the declared one if any (else {@code width}, the default); shown
     * when the server prints widths, and by later MySQL for TINYINT(1) and ZEROFILL columns.
     */
    private static String integer(String name, String declared, boolean widths, int width) {
        int w = -1;
        if (declared != null && declared.startsWith(name + "(")) {
            int close = declared.indexOf(')');
            try {
                w = close < 0 ? -1 : Integer.parseInt(declared.substring(name.length() + 1, close));
            } catch (NumberFormatException notAWidth) {
                w = -1;
            }
        }
        boolean zerofill = declared != null && declared.endsWith(" zerofill");
        boolean shown = widths || zerofill || (w == 1 && name.equals("tinyint"));
        return shown ? name + "(" + (w > 0 ? w : width) + ")" : name;
    }

    /** FLOAT/DOUBLE with the (M,D) it was declared with, if any (a single FLOAT(p) only chose the type). */
    private static String floating(String name, String declared) {
        if (declared != null && declared.startsWith(name + "(") && declared.indexOf(',') > 0) {
            return declared.substring(0, declared.indexOf(')') + 1);
        }
        return name;
    }

    private static String fsp(String name, int fsp) {
        return fsp > 0 ? name + "(" + fsp + ")" : name;
    }

    private static String values(String name, List<String> values) {
        if (values == null) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('(');
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "'" : ",'").append(values.get(i).replace("'", "''")).append('\'');
        }
        return b.append(')').toString();
    }

    /**
     * The widest character of a collation's character set in bytes (MySQL's mbmaxlen); 1 when unknown. Ids as in
     * information_schema.collations of MySQL 8 and MariaDB 11 (MariaDB's UCA-14 collations from 2048 in blocks of
     * 256 per character set).
     */
    static int maxBytesPerChar(int collation) {
        int id = collation >= 2048 ? 2048 + (collation - 2048) / 256 * 256 : collation;
        return switch (id) {
            case 45, 46, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241,
                    242, 243, 244, 245, 246, 247, 255, 608, 609, 610, 2304 -> 4;
            case 33, 83, 76, 223, 576, 577, 578, 2048, 12, 91, 97, 98 -> 3;
            case 35, 90, 1, 84, 28, 87, 24, 86, 13, 88, 95, 96, 19, 85, 2560 -> 2;
            case 54, 55, 56, 62, 60, 61, 248, 249, 250, 2816, 3072 -> 4;
            default -> {
                if ((id >= 256 && id <= 323) || (id >= 160 && id <= 183) || (id >= 101 && id <= 124)) {
                    yield 4;
                }
                if (id >= 192 && id <= 215) {
                    yield 3;
                }
                yield id >= 128 && id <= 151 ? 2 : 1;
            }
        };
    }
}
