package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.ColumnType;
import dev.binlogrelay.core.rows.TableMap;

import java.util.ArrayList;
import java.util.List;

/**
 * A TABLE_MAP completed from the table's definition: what the map carries itself wins (a primary with {@code
 * binlog_row_metadata=FULL} writes names, key, ENUM/SET values; MINIMAL signedness and charsets), the definition
 * fills in the rest. A definition that does not fit the map (another column count, a column of another type) is
 * not used: it belongs to another point of the binlog (see docs/schema-history.md, "Limits").
 */
final class TableCompletion {
    private TableCompletion() {
    }

    /** Whether {@code def} describes the table {@code map} announces. */
    static boolean fits(TableMap map, TableDef def) {
        if (def.columns().size() != map.columnCount()) {
            return false;
        }
        for (int i = 0; i < map.columnCount(); i++) {
            if (!ColumnTypes.fits(def.columns().get(i), map.column(i).realType())) {
                return false;
            }
        }
        return true;
    }

    /** {@code map} completed from {@code def}, which {@link #fits} it. */
    static TableMap complete(TableMap map, TableDef def) {
        boolean fullNames = map.columns().stream().anyMatch(c -> c.name() != null);
        List<Integer> pk = map.primaryKey();
        List<Integer> prefixes = map.pkPrefixes();
        if (!fullNames && pk.isEmpty()) {
            pk = new ArrayList<>();
            prefixes = new ArrayList<>();
            for (String k : def.primaryKey()) {
                int i = def.indexOf(k);
                if (i < 0) {
                    pk = List.of();
                    prefixes = List.of();
                    break;
                }
                pk.add(i);
                prefixes.add(0);
            }
        }
        List<Column> cols = new ArrayList<>(map.columnCount());
        for (int i = 0; i < map.columnCount(); i++) {
            Column c = map.column(i);
            ColumnDef d = def.columns().get(i);
            int real = c.realType();
            String name = c.name() != null ? c.name() : d.name();
            Boolean unsigned = c.unsigned() != null || !numeric(real) ? c.unsigned() : Boolean.valueOf(d.unsigned());
            int collation = c.collation() >= 0 || !character(real) ? c.collation() : Collations.id(d.charset(), d.collation());
            List<String> enums = c.enumValues() != null || real != ColumnType.ENUM ? c.enumValues() : d.values();
            List<String> sets = c.setValues() != null || real != ColumnType.SET ? c.setValues() : d.values();
            boolean key = c.primaryKey() || pk.contains(i);
            int decimals = c.decimals() >= 0 || !oldTemporal(c.type()) || d.decimals() < 0 ? c.decimals() : d.decimals();
            cols.add(new Column(c.index(), c.type(), c.meta(), c.nullable(), name, unsigned, collation, enums, sets,
                    c.geometryType(), key, c.visible(), decimals));
        }
        return new TableMap(map.tableId(), map.schema(), map.table(), cols, pk, prefixes, map.metadata());
    }

    private static boolean numeric(int type) {
        return switch (type) {
            case ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24, ColumnType.LONG, ColumnType.LONGLONG,
                    ColumnType.NEWDECIMAL, ColumnType.DECIMAL, ColumnType.FLOAT, ColumnType.DOUBLE -> true;
            default -> false;
        };
    }

    private static boolean character(int real) {
        return switch (real) {
            case ColumnType.STRING, ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.BLOB, ColumnType.ENUM,
                    ColumnType.SET, ColumnType.MARIA_BLOB_COMPRESSED, ColumnType.MARIA_VARCHAR_COMPRESSED -> true;
            default -> false;
        };
    }

    /** MariaDB's own TIME, DATETIME, TIMESTAMP (mysql56_temporal_format=OFF): TABLE_MAP has no precision. */
    private static boolean oldTemporal(int type) {
        return type == ColumnType.TIME || type == ColumnType.DATETIME || type == ColumnType.TIMESTAMP;
    }
}
