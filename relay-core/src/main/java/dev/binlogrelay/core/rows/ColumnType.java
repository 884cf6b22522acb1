package dev.binlogrelay.core.rows;

/**
 * Column type codes as TABLE_MAP writes them (MySQL's {@code enum_field_types}; MariaDB shares them and adds its
 * compressed-column types 140 and 141). ENUM and SET columns appear as {@link #STRING} with their real type in the
 * first metadata byte; every BLOB and TEXT size appears as {@link #BLOB} with its length-prefix size as metadata.
 */
public final class ColumnType {
    public static final int DECIMAL = 0;
    public static final int TINY = 1;
    public static final int SHORT = 2;
    public static final int LONG = 3;
    public static final int FLOAT = 4;
    public static final int DOUBLE = 5;
    public static final int NULL = 6;
    public static final int TIMESTAMP = 7;
    public static final int LONGLONG = 8;
    public static final int INT24 = 9;
    public static final int DATE = 10;
    public static final int TIME = 11;
    public static final int DATETIME = 12;
    public static final int YEAR = 13;
    public static final int NEWDATE = 14;
    public static final int VARCHAR = 15;
    public static final int BIT = 16;
    public static final int TIMESTAMP2 = 17;
    public static final int DATETIME2 = 18;
    public static final int TIME2 = 19;
    public static final int TYPED_ARRAY = 20;
    /** MariaDB: a BLOB/TEXT column with the COMPRESSED attribute. */
    public static final int MARIA_BLOB_COMPRESSED = 140;
    /** MariaDB: a VARCHAR column with the COMPRESSED attribute. */
    public static final int MARIA_VARCHAR_COMPRESSED = 141;
    /** MySQL 9.0+. */
    public static final int VECTOR = 242;
    public static final int JSON = 245;
    public static final int NEWDECIMAL = 246;
    public static final int ENUM = 247;
    public static final int SET = 248;
    public static final int TINY_BLOB = 249;
    public static final int MEDIUM_BLOB = 250;
    public static final int LONG_BLOB = 251;
    public static final int BLOB = 252;
    public static final int VAR_STRING = 253;
    public static final int STRING = 254;
    public static final int GEOMETRY = 255;

    private ColumnType() {
    }

    /** How many metadata bytes TABLE_MAP holds for a column of this type. */
    static int metadataSize(int type) {
        return switch (type) {
            case FLOAT, DOUBLE, BLOB, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB, GEOMETRY, JSON, VECTOR, TIMESTAMP2,
                    DATETIME2, TIME2, MARIA_BLOB_COMPRESSED -> 1;
            case VARCHAR, BIT, NEWDECIMAL, STRING, VAR_STRING, SET, ENUM, DECIMAL, MARIA_VARCHAR_COMPRESSED -> 2;
            default -> 0;
        };
    }

    /** Whether TABLE_MAP may name this type at all (what {@link ColumnValues} can decode). */
    static boolean isKnown(int type) {
        return (type >= DECIMAL && type <= TIME2) || type == MARIA_BLOB_COMPRESSED || type == MARIA_VARCHAR_COMPRESSED
                || type == VECTOR || (type >= JSON && type <= GEOMETRY);
    }

    public static String name(int type) {
        return switch (type) {
            case DECIMAL -> "DECIMAL";
            case TINY -> "TINY";
            case SHORT -> "SHORT";
            case LONG -> "LONG";
            case FLOAT -> "FLOAT";
            case DOUBLE -> "DOUBLE";
            case NULL -> "NULL";
            case TIMESTAMP -> "TIMESTAMP";
            case LONGLONG -> "LONGLONG";
            case INT24 -> "INT24";
            case DATE -> "DATE";
            case TIME -> "TIME";
            case DATETIME -> "DATETIME";
            case YEAR -> "YEAR";
            case NEWDATE -> "NEWDATE";
            case VARCHAR -> "VARCHAR";
            case BIT -> "BIT";
            case TIMESTAMP2 -> "TIMESTAMP2";
            case DATETIME2 -> "DATETIME2";
            case TIME2 -> "TIME2";
            case TYPED_ARRAY -> "TYPED_ARRAY";
            case MARIA_BLOB_COMPRESSED -> "BLOB_COMPRESSED";
            case MARIA_VARCHAR_COMPRESSED -> "VARCHAR_COMPRESSED";
            case VECTOR -> "VECTOR";
            case JSON -> "JSON";
            case NEWDECIMAL -> "NEWDECIMAL";
            case ENUM -> "ENUM";
            case SET -> "SET";
            case TINY_BLOB -> "TINY_BLOB";
            case MEDIUM_BLOB -> "MEDIUM_BLOB";
            case LONG_BLOB -> "LONG_BLOB";
            case BLOB -> "BLOB";
            case VAR_STRING -> "VAR_STRING";
            case STRING -> "STRING";
            case GEOMETRY -> "GEOMETRY";
            default -> "TYPE_" + type;
        };
    }
}
