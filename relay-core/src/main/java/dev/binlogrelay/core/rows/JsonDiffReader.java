package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes a PARTIAL_UPDATE_ROWS after image holds for a JSON column (MySQL's {@code Json_diff_vector}):
 * <pre>
 * length (column's length bytes, 4) | diffs, each: operation (1: 0 REPLACE, 1 INSERT, 2 REMOVE) |
 *   path length (packed) | path (MySQL JSON path text) | [not REMOVE: value length (packed) | binary JSON value]
 * </pre>
 */
final class JsonDiffReader {
    private JsonDiffReader() {
    }

    static Values.JsonDiffs read(ByteCursor c, Column col) {
        int lengthBytes = col.meta();
        if (lengthBytes < 1 || lengthBytes > 4) {
            throw new BinlogFormatException("JSON column with a length prefix of " + lengthBytes + " bytes");
        }
        ByteCursor d = c.slice(c.uint(lengthBytes, "JSON diff length"), "JSON diffs");
        List<Values.JsonDiff> diffs = new ArrayList<>();
        while (d.hasRemaining()) {
            int op = d.u8("JSON diff operation");
            if (op > 2) {
                throw new BinlogFormatException("JSON diff of unknown operation " + op);
            }
            Values.JsonDiff.Operation operation = Values.JsonDiff.Operation.values()[op];
            String path = new String(d.bytes(d.packed("JSON diff path length"), "JSON diff path"),
                    StandardCharsets.UTF_8);
            String value = null;
            if (operation != Values.JsonDiff.Operation.REMOVE) {
                ByteCursor v = d.slice(d.packed("JSON diff value length"), "JSON diff value");
                value = JsonBinary.text(v.array(), v.position(), v.limit());
            }
            diffs.add(new Values.JsonDiff(operation, path, value));
        }
        return new Values.JsonDiffs(diffs);
    }
}
