package dev.binlogrelay.server.canal.entry;

import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.Values;

import java.util.List;

/**
 * A MySQL partial JSON update (PARTIAL_UPDATE_ROWS after image) as the function calls that have its effect, the
 * text Canal (after MySQL's own {@code print_json_diff}) gives as the column's value: runs of the same operation
 * share one call, later runs wrap earlier ones, the column's name (or "" when unknown) is the innermost argument:
 * {@code JSON_INSERT(JSON_REPLACE(doc, '$.a', 1, '$.b', 2), '$.c', "x")}. An insert whose path ends in ']' is
 * JSON_ARRAY_INSERT.
 */
final class JsonDiffText {
    private JsonDiffText() {
    }

    static String of(Column col, Values.JsonDiffs diffs) {
        List<Values.JsonDiff> d = diffs.diffs();
        StringBuilder b = new StringBuilder();
        for (int i = d.size() - 1; i >= 0; i--) {
            if (i == 0 || !name(d.get(i - 1)).equals(name(d.get(i)))) {
                b.append(name(d.get(i))).append('(');
            }
        }
        b.append(col.name() != null ? col.name() : "");
        if (d.isEmpty()) {
            return b.toString();
        }
        b.append(", ");
        for (int i = 0; i < d.size(); i++) {
            Values.JsonDiff x = d.get(i);
            b.append('\'').append(x.path()).append('\'');
            if (x.op() != Values.JsonDiff.Operation.REMOVE) {
                b.append(", ").append(x.value());
            }
            boolean last = i == d.size() - 1;
            if (last || !name(d.get(i + 1)).equals(name(x))) {
                b.append(')');
            }
            if (!last) {
                b.append(", ");
            }
        }
        return b.toString();
    }

    private static String name(Values.JsonDiff d) {
        return switch (d.op()) {
            case REPLACE -> "JSON_REPLACE";
            case INSERT -> d.path().endsWith("]") ? "JSON_ARRAY_INSERT" : "JSON_INSERT";
            case REMOVE -> "JSON_REMOVE";
        };
    }
}
