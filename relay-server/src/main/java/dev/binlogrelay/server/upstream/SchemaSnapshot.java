package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.QueryResponseReader;
import dev.binlogrelay.core.protocol.TextResultSet;
import dev.binlogrelay.storage.SchemaHistoryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The schema history's snapshot (docs/schema-history.md), taken on the upstream session right after it learned
 * where its dump starts and before the dump: the databases outside the system schemas with their default character
 * sets, their tables ({@code information_schema}), then {@code SHOW CREATE TABLE} of each, bounded by {@code schema_history.max_tables} and {@code max_bytes}. When
 * the last answer is in, the definitions are recorded at the store's committed end (where the dump resumes), and
 * no later session takes another. A session that ends half-way records nothing: the next one starts again.
 *
 * <p>Threading: the upstream session's event loop.
 */
final class SchemaSnapshot {
    private static final Logger log = LoggerFactory.getLogger(SchemaSnapshot.class);
    /** Bytes of one row of the table list at most: two names of 64 characters of up to 4 bytes, and framing. */
    private static final long LIST_ROW_BYTES = 600;
    private static final String SYSTEM_SCHEMAS = "('mysql', 'information_schema', 'performance_schema', 'sys')";

    private final SchemaHistoryStore history;
    private final SchemaHistoryStore.SnapshotLimits limits;
    private final Deque<String[]> toRead = new ArrayDeque<>();
    private final List<SchemaHistoryStore.SnapshotTable> taken = new ArrayList<>();
    private long bytes;
    private boolean databasesListed;
    private boolean listed;
    private String[] asked;
    private boolean answered;
    private int skipped;

    private SchemaSnapshot(SchemaHistoryStore history, SchemaHistoryStore.SnapshotLimits limits) {
        this.history = history;
        this.limits = limits;
    }

    /** A snapshot to take, if the schema history asks for one. */
    static Optional<SchemaSnapshot> requested(SchemaHistoryStore history) {
        return history.snapshotRequest().map(l -> new SchemaSnapshot(history, l));
    }

    /** The statement to run next; null when the snapshot is complete (it is then recorded). */
    String next() {
        if (!databasesListed) {
            databasesListed = true;
            return "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                    + " WHERE SCHEMA_NAME NOT IN " + SYSTEM_SCHEMAS + " ORDER BY SCHEMA_NAME LIMIT " + limits.maxTables();
        }
        if (!listed) {
            listed = true;
            return "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE IN ('BASE TABLE',"
                    + " 'SYSTEM VERSIONED') AND TABLE_SCHEMA NOT IN " + SYSTEM_SCHEMAS + " ORDER BY TABLE_SCHEMA, TABLE_NAME LIMIT "
                    + (limits.maxTables() + 1L);
        }
        if (asked != null && !answered) {
            skipped++; // the primary refused it (dropped meanwhile, no privilege): logged once at the end
        }
        asked = toRead.poll();
        answered = false;
        if (asked != null) {
            return "SHOW CREATE TABLE " + quote(asked[0]) + "." + quote(asked[1]);
        }
        if (history.snapshotRequest().isPresent()) {
            history.recordSnapshot(taken);
            long tables = taken.stream().filter(t -> !t.table().isEmpty()).count();
            log.info("schema history: snapshot of {} databases and {} table definitions ({} bytes) recorded{}",
                    taken.size() - tables, tables, bytes,
                    skipped > 0 ? "; " + skipped + " tables could not be read (SHOW CREATE TABLE failed)" : "");
        }
        return null;
    }

    /** A reader for the next answer: bounded by what is left of the byte budget. */
    QueryResponseReader reader() {
        if (asked == null) {
            return new QueryResponseReader(limits.maxTables() + 1,
                    Math.min(Long.MAX_VALUE / 2, (limits.maxTables() + 1L) * LIST_ROW_BYTES));
        }
        return new QueryResponseReader(1, Math.max(0, limits.maxBytes() - bytes));
    }

    /** The answer to the last statement {@link #next} gave (not called when the primary answered with an error). */
    void answer(QueryResponseReader r) {
        answered = true;
        TextResultSet rs = r.resultSet();
        if (!listed) {
            // each database's defaults, as the statement the history reads them from
            for (List<String> row : rs.rows()) {
                if (row.size() >= 3 && row.get(0) != null && row.get(1) != null) {
                    taken.add(new SchemaHistoryStore.SnapshotTable(row.get(0), "", "CREATE DATABASE " + quote(row.get(0))
                            + " CHARACTER SET " + row.get(1) + (row.get(2) != null ? " COLLATE " + row.get(2) : "")));
                }
            }
            return;
        }
        if (asked == null) {
            for (List<String> row : rs.rows()) {
                if (toRead.size() == limits.maxTables()) {
                    break;
                }
                if (row.size() >= 2 && row.get(0) != null && row.get(1) != null) {
                    toRead.add(new String[] {row.get(0), row.get(1)});
                }
            }
            if (r.truncated() || rs.rows().size() > limits.maxTables()) {
                log.warn("schema history: the primary has more than {} tables; the snapshot holds the first {} "
                        + "(schema_history.max_tables)", limits.maxTables(), toRead.size());
            }
            return;
        }
        if (r.truncated() || rs.rows().isEmpty() || rs.rows().get(0).size() < 2 || rs.rows().get(0).get(1) == null) {
            if (r.truncated()) {
                log.warn("schema history: the snapshot reached {} bytes (schema_history.max_bytes) at `{}`.`{}`; "
                        + "{} tables after it are left out", limits.maxBytes(), asked[0], asked[1], toRead.size());
                toRead.clear();
            }
            return;
        }
        String create = rs.rows().get(0).get(1);
        bytes += create.length();
        taken.add(new SchemaHistoryStore.SnapshotTable(asked[0], asked[1], create));
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
