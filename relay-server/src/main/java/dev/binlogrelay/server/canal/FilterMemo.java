package dev.binlogrelay.server.canal;

import dev.binlogrelay.server.canal.entry.EncodedEntry;

import java.util.HashMap;
import java.util.Map;

/**
 * A client's filter with its answers kept by schema and table, so an entry (shared by every client: the schema and
 * table are kept beside its bytes) costs a map lookup, not a regular-expression match. At most {@link #MAX} answers
 * are kept (then they are forgotten and learnt again). Not thread-safe: its stream's monitor guards it.
 */
final class FilterMemo {
    static final int MAX = 4096;

    private final CanalFilter filter;
    private final Map<String, Boolean> answers = new HashMap<>();

    FilterMemo(CanalFilter filter) {
        this.filter = filter;
    }

    boolean matches(EncodedEntry e) {
        String key = e.schema() + '\0' + e.table();
        Boolean m = answers.get(key);
        if (m == null) {
            if (answers.size() >= MAX) {
                answers.clear();
            }
            m = filter.matches(e.schema(), e.table());
            answers.put(key, m);
        }
        return m;
    }
}
