package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.core.rows.TableMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The relay's {@link SchemaTracker}: the table definitions in force at a point of the binlog (from {@link
 * SchemaHistory#trackerAt}), advanced by the DDL statements the reader passes, and replaced by the history's state
 * when the reader reaches a snapshot recorded after the tracker was made (a snapshot taken mid-store, e.g. when the
 * history is turned on for a store that already holds binlogs): a reader that started before it then decodes what
 * one started after it does. One per reader, not thread-safe.
 */
public final class HistoryTracker implements SchemaTracker {
    private static final Logger log = LoggerFactory.getLogger(HistoryTracker.class);
    /** Statements already logged as unreadable, so that each is logged once however many readers pass it. */
    private static final Set<String> LOGGED = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 1000;
                }
            }));
    /** TABLE_MAPs a definition did not fit, logged once per table. */
    private static final Set<String> MISFITS = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 1000;
                }
            }));

    private SchemaState state;
    /** The history whose snapshot this tracker has not reached yet; null once reached (or none to wait for). */
    private SchemaHistory beforeSnapshot;
    /** The last file {@link #reach} was called with, and its sequence number. */
    private String file;
    private long fileSeq;
    /**
     * Tables the state does not know, asked for since the last DDL: a miss costs a case-insensitive scan of every
     * table, and a primary with tables outside the history maps them in every transaction.
     */
    private final java.util.Set<String> unknown = new java.util.HashSet<>();
    private static final int MAX_UNKNOWN = 10_000;

    HistoryTracker(SchemaState state) {
        this(state, null);
    }

    /** @param beforeSnapshot the history, when the state does not include its snapshot yet */
    HistoryTracker(SchemaState state, SchemaHistory beforeSnapshot) {
        this.state = state;
        this.beforeSnapshot = beforeSnapshot;
    }

    /** A tracker that starts knowing nothing (an import without a snapshot: the DDL in the binlog builds it up). */
    public static HistoryTracker empty() {
        return new HistoryTracker(new SchemaState());
    }

    @Override
    public TableMap complete(TableMap map) {
        String key = TableDef.key(map.schema(), map.table());
        if (unknown.contains(key)) {
            return map;
        }
        TableDef def = state.get(map.schema(), map.table());
        if (def == null) {
            if (unknown.size() < MAX_UNKNOWN) {
                unknown.add(key);
            }
            return map;
        }
        if (!TableCompletion.fits(map, def)) {
            if (MISFITS.add(map.schema() + "." + map.table() + "/" + def.columns().size())) {
                log.info("schema history: the definition of {} does not fit its TABLE_MAP ({} columns); its rows are "
                        + "decoded without it (see docs/schema-history.md, Limits)", def, map.columnCount());
            }
            return map;
        }
        return TableCompletion.complete(map, def);
    }

    @Override
    public void onQuery(String database, String sql, String file, long endPosition) {
        apply(database, sql, file + ":" + endPosition);
    }

    @Override
    public void reach(String file, long position) {
        if (beforeSnapshot == null) {
            return;
        }
        var at = beforeSnapshot.snapshotAt();
        if (at.isEmpty()) {
            return;
        }
        if (!file.equals(this.file)) {
            this.file = file;
            this.fileSeq = beforeSnapshot.sequenceOf(file);
        }
        if (fileSeq > at.get().fileSeq() || (fileSeq == at.get().fileSeq() && position >= at.get().position())) {
            state = beforeSnapshot.stateAt(file, position);
            unknown.clear();
            beforeSnapshot = null;
        }
    }

    /** Applies one statement; {@code where} names it in the log line if it cannot be read. */
    void apply(String database, String sql, String where) {
        DdlApplier.Outcome o = DdlApplier.apply(state, database, sql);
        if (o == DdlApplier.Outcome.APPLIED) {
            unknown.clear();
        }
        if (o == DdlApplier.Outcome.UNPARSED && LOGGED.add(sql.length() > 200 ? sql.substring(0, 200) : sql)) {
            log.warn("schema history: cannot read the DDL at {}; the definitions stay as they were: {}", where,
                    sql.length() > 200 ? sql.substring(0, 200) + "…" : sql);
        }
    }

    /** How many tables it knows. */
    public int tables() {
        return state.size();
    }

    SchemaState state() {
        return state;
    }
}
