package dev.binlogrelay.server.schema;

import net.sf.jsqlparser.statement.alter.Alter;
import net.sf.jsqlparser.statement.alter.AlterExpression;
import net.sf.jsqlparser.statement.create.table.Index;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * ALTER TABLE on a {@link TableDef}, clause by clause: ADD/DROP/MODIFY/CHANGE/RENAME COLUMN (with FIRST and AFTER,
 * IF [NOT] EXISTS), ADD/DROP PRIMARY KEY, RENAME TO, CONVERT TO CHARACTER SET and the table's default character
 * set. Clauses that change no column (indexes, foreign keys, options, partitions) are ignored.
 *
 * <p>Applied leniently, so that DDL replayed over a snapshot taken after it does no harm: adding a column that
 * exists replaces it where it is, dropping or changing one that does not exist is skipped.
 */
final class AlterApplier {
    /** A clause the parser could not take apart (it folds some clauses after a table option into one text). */
    private static final Pattern COLUMN_CLAUSE = Pattern.compile("(?i)\\b(ADD|DROP|CHANGE|MODIFY|RENAME)\\b");

    private AlterApplier() {
    }

    static DdlApplier.Outcome apply(SchemaState state, String db, Alter a) {
        String tdb = DdlApplier.dbOf(a.getTable(), db);
        TableDef t = state.get(tdb, DdlApplier.name(a.getTable()));
        if (t == null) {
            return DdlApplier.Outcome.APPLIED; // a table the history does not know stays unknown
        }
        List<ColumnDef> cols = new ArrayList<>(t.columns());
        List<String> pk = new ArrayList<>(t.primaryKey());
        TableDef out = t;
        if (a.getAlterExpressions() == null) {
            return DdlApplier.Outcome.APPLIED;
        }
        for (AlterExpression e : a.getAlterExpressions()) {
            switch (e.getOperation()) {
                case ADD -> add(e, out, cols, pk);
                case DROP -> {
                    String col = e.getColumnName();
                    if (col != null && e.getIndex() == null && e.getConstraintName() == null) {
                        drop(cols, pk, SchemaState.unquote(col));
                    }
                }
                case DROP_PRIMARY_KEY -> pk.clear();
                case MODIFY, CHANGE -> {
                    if (e.getColDataTypeList() == null) {
                        break;
                    }
                    for (AlterExpression.ColumnDataType c : e.getColDataTypeList()) {
                        ColumnDef def = ColumnTypes.of(c, out.charset(), out.collation());
                        String old = e.getColumnOldName() != null ? SchemaState.unquote(e.getColumnOldName()) : def.name();
                        int at = indexOf(cols, old);
                        if (at < 0) {
                            continue;
                        }
                        cols.remove(at);
                        cols.add(position(c.getColumnSpecs(), cols, at), def);
                        renameKey(pk, old, def.name());
                    }
                }
                case RENAME -> {
                    if (e.getColumnOldName() != null && e.getColumnName() != null) {
                        String old = SchemaState.unquote(e.getColumnOldName());
                        int at = indexOf(cols, old);
                        if (at >= 0) {
                            String to = SchemaState.unquote(e.getColumnName());
                            cols.set(at, cols.get(at).renamed(to));
                            renameKey(pk, old, to);
                        }
                    }
                }
                case RENAME_TABLE -> {
                    if (e.getNewTableName() != null) {
                        out = out.renamed(out.database(), SchemaState.unquote(e.getNewTableName()));
                    }
                }
                case CONVERT -> {
                    String cs = DdlApplier.lower(e.getCharacterSet());
                    String coll = DdlApplier.lower(e.getCollation());
                    if (e.getConvertType() == AlterExpression.ConvertType.CONVERT_TO) {
                        cols.replaceAll(c -> c.convertedTo(cs, coll));
                    }
                    out = out.withCharset(cs, coll);
                }
                case UNSPECIFIC -> {
                    String text = e.getOptionalSpecifier() == null ? "" : e.getOptionalSpecifier();
                    if (COLUMN_CLAUSE.matcher(text).find()) {
                        return DdlApplier.Outcome.UNPARSED;
                    }
                    List<String> tokens = List.of(text.split("\\s+"));
                    String cs = DdlApplier.option(tokens, "CHARSET");
                    if (cs != null) {
                        out = out.withCharset(DdlApplier.lower(cs), DdlApplier.lower(DdlApplier.option(tokens, "COLLATE")));
                    }
                }
                default -> {
                    // indexes, foreign keys, options, partitions, ALTER COLUMN … DEFAULT: no column changes
                }
            }
        }
        state.remove(t.database(), t.name());
        state.put(out.withColumns(cols, pk));
        return DdlApplier.Outcome.APPLIED;
    }

    private static void add(AlterExpression e, TableDef t, List<ColumnDef> cols, List<String> pk) {
        if (e.getColDataTypeList() != null) {
            for (AlterExpression.ColumnDataType c : e.getColDataTypeList()) {
                ColumnDef def = ColumnTypes.of(c, t.charset(), t.collation());
                int existing = indexOf(cols, def.name());
                if (existing >= 0) {
                    if (!e.isUseIfNotExists()) {
                        cols.set(existing, def); // replayed over a snapshot that has it: keep its place
                    }
                    continue;
                }
                cols.add(position(c.getColumnSpecs(), cols, cols.size()), def);
                if (DdlApplier.hasPrimaryKeySpec(c.getColumnSpecs())) {
                    pk.clear();
                    pk.add(def.name());
                }
            }
        }
        if (e.getPkColumns() != null) {
            pk.clear();
            pk.addAll(DdlApplier.keyColumns(e.getPkColumns()));
        }
        Index i = e.getIndex();
        if (i != null && i.getType() != null && i.getType().toUpperCase(Locale.ROOT).startsWith("PRIMARY")
                && i.getColumns() != null) {
            pk.clear();
            pk.addAll(DdlApplier.keyColumns(i.getColumnsNames()));
        }
    }

    private static void drop(List<ColumnDef> cols, List<String> pk, String column) {
        int at = indexOf(cols, column);
        if (at >= 0) {
            cols.remove(at);
            pk.removeIf(k -> k.equalsIgnoreCase(column));
        }
    }

    private static void renameKey(List<String> pk, String old, String to) {
        pk.replaceAll(k -> k.equalsIgnoreCase(old) ? to : k);
    }

    /** Where FIRST / AFTER x in a column's specs put it; {@code otherwise} without them (or for an unknown x). */
    private static int position(List<String> specs, List<ColumnDef> cols, int otherwise) {
        if (specs != null) {
            for (int i = 0; i < specs.size(); i++) {
                if (specs.get(i).equalsIgnoreCase("FIRST")) {
                    return 0;
                }
                if (specs.get(i).equalsIgnoreCase("AFTER") && i + 1 < specs.size()) {
                    int after = indexOf(cols, SchemaState.unquote(specs.get(i + 1)));
                    if (after >= 0) {
                        return after + 1;
                    }
                }
            }
        }
        return Math.min(otherwise, cols.size());
    }

    private static int indexOf(List<ColumnDef> cols, String name) {
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }
}
