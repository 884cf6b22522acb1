package dev.binlogrelay.core.rows;

import java.util.List;

/**
 * One column as a TABLE_MAP event describes it. What only the optional metadata (MySQL 8.0.1+ and MariaDB 10.5+
 * with {@code binlog_row_metadata} MINIMAL or FULL) tells is {@code null}/-1 when the event does not carry it.
 *
 * @param index        the column's position in the table (0-based)
 * @param type         its {@link ColumnType} code as TABLE_MAP writes it
 * @param meta         its type metadata: the 0, 1 or 2 metadata bytes, the first in the low byte
 * @param nullable     from TABLE_MAP's null bitmap
 * @param name         FULL metadata only
 * @param unsigned     for numeric columns, from SIGNEDNESS (MINIMAL and FULL); {@code null} when not known
 * @param collation    the collation id of a character, ENUM or SET column; -1 when not known (63 is binary)
 * @param enumValues   the values of an ENUM column (FULL), else {@code null}
 * @param setValues    the values of a SET column (FULL), else {@code null}
 * @param geometryType MySQL's geometry type code of a GEOMETRY column (0 = any); -1 when not known
 * @param primaryKey   whether the column is part of the primary key (FULL); false when not known
 * @param visible      false for an INVISIBLE column (MySQL 8.0.23+ FULL metadata); true when not known
 * @param decimals     fractional digits of a TIME, DATETIME or TIMESTAMP column of the old types (7, 11, 12), which
 *                     TABLE_MAP does not carry: MariaDB writes such columns with fractions (created with
 *                     mysql56_temporal_format=OFF) in its own wider format, so the precision must come from the
 *                     table's definition ({@link TableMap#withDecimals}); -1 when not known (read as 0)
 * @param declaredType the column's type as the table's definition declares it, which no binlog metadata carries
 *                     (integer display widths, ZEROFILL, FLOAT(M,D)): lower case, the base type with its arguments
 *                     and {@code unsigned}/{@code zerofill} ({@code int(5) unsigned zerofill}, {@code tinyint(1)},
 *                     {@code decimal(10,2)}); filled in by a {@link SchemaTracker} that knows the definition
 *                     ({@link #withDeclaredType}), {@code null} when not known. Decoding never reads it.
 */
public record Column(int index, int type, int meta, boolean nullable, String name, Boolean unsigned, int collation,
                     List<String> enumValues, List<String> setValues, int geometryType, boolean primaryKey,
                     boolean visible, int decimals, String declaredType) {
    /** Collation id of the {@code binary} character set. */
    public static final int BINARY_COLLATION = 63;

    /** A column whose declared type is not known. */
    public Column(int index, int type, int meta, boolean nullable, String name, Boolean unsigned, int collation,
                  List<String> enumValues, List<String> setValues, int geometryType, boolean primaryKey,
                  boolean visible, int decimals) {
        this(index, type, meta, nullable, name, unsigned, collation, enumValues, setValues, geometryType, primaryKey,
                visible, decimals, null);
    }

    /** This column with its declared type text (see {@link #declaredType()}). */
    public Column withDeclaredType(String t) {
        return new Column(index, type, meta, nullable, name, unsigned, collation, enumValues, setValues, geometryType,
                primaryKey, visible, decimals, t);
    }

    /** A column with only what the fixed part of TABLE_MAP says. */
    static Column basic(int index, int type, int meta, boolean nullable) {
        return new Column(index, type, meta, nullable, null, null, -1, null, null, -1, false, true, -1);
    }

    /**
     * The type a value of this column is encoded as: ENUM and SET for STRING columns whose metadata says so
     * (first metadata byte), else {@link #type()}.
     */
    public int realType() {
        if (type == ColumnType.STRING || type == ColumnType.VAR_STRING) {
            int byte0 = meta & 0xFF;
            if ((byte0 & 0x30) != 0x30) {
                return ColumnType.STRING; // a CHAR over 255 bytes: high length bits are folded into byte 0
            }
            if (byte0 == ColumnType.ENUM || byte0 == ColumnType.SET) {
                return byte0;
            }
            return ColumnType.STRING;
        }
        return type;
    }

    /** The columns the charset metadata lists as "character columns" (not ENUM, SET, MySQL's JSON). */
    boolean isCharacter() {
        int real = realType();
        // GEOMETRY (a BLOB underneath, in MySQL and MariaDB alike) and MySQL 9's VECTOR are binary strings: their
        // charset (63) is listed among the character columns' (seen in MariaDB 10.11 and MySQL 9.0 binlogs)
        return real == ColumnType.STRING || real == ColumnType.VARCHAR || real == ColumnType.BLOB
                || real == ColumnType.VECTOR || real == ColumnType.GEOMETRY
                || real == ColumnType.MARIA_BLOB_COMPRESSED || real == ColumnType.MARIA_VARCHAR_COMPRESSED;
    }

    boolean isEnumOrSet() {
        int real = realType();
        return real == ColumnType.ENUM || real == ColumnType.SET;
    }

    /** Whether character data of this column is text (a known, non-binary collation). */
    public boolean isText() {
        return collation >= 0 && collation != BINARY_COLLATION;
    }

    Column withName(String n) {
        return new Column(index, type, meta, nullable, n, unsigned, collation, enumValues, setValues, geometryType,
                primaryKey, visible, decimals, declaredType);
    }

    Column withUnsigned(boolean u) {
        return new Column(index, type, meta, nullable, name, u, collation, enumValues, setValues, geometryType,
                primaryKey, visible, decimals, declaredType);
    }

    Column withCollation(int c) {
        return new Column(index, type, meta, nullable, name, unsigned, c, enumValues, setValues, geometryType,
                primaryKey, visible, decimals, declaredType);
    }

    Column withEnumValues(List<String> v) {
        return new Column(index, type, meta, nullable, name, unsigned, collation, List.copyOf(v), setValues,
                geometryType, primaryKey, visible, decimals, declaredType);
    }

    Column withSetValues(List<String> v) {
        return new Column(index, type, meta, nullable, name, unsigned, collation, enumValues, List.copyOf(v),
                geometryType, primaryKey, visible, decimals, declaredType);
    }

    Column withGeometryType(int g) {
        return new Column(index, type, meta, nullable, name, unsigned, collation, enumValues, setValues, g,
                primaryKey, visible, decimals, declaredType);
    }

    Column withPrimaryKey() {
        return new Column(index, type, meta, nullable, name, unsigned, collation, enumValues, setValues, geometryType,
                true, visible, decimals, declaredType);
    }

    /** This column with its fractional digits known (see {@link #decimals()}). */
    public Column withDecimals(int d) {
        return new Column(index, type, meta, nullable, name, unsigned, collation, enumValues, setValues, geometryType,
                primaryKey, visible, d, declaredType);
    }

    Column withVisible(boolean v) {
        return new Column(index, type, meta, nullable, name, unsigned, collation, enumValues, setValues, geometryType,
                primaryKey, v, decimals, declaredType);
    }
}
