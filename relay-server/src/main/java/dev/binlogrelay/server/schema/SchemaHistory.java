package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.binlog.QueryEvent;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.SchemaHistoryStore;
import dev.binlogrelay.storage.StoreException;
import dev.binlogrelay.storage.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The relay's schema history (docs/schema-history.md): a snapshot of the primary's table definitions, taken by
 * the upstream session when the relay starts storing from a primary ({@link SchemaHistoryStore#requestSnapshot}),
 * then every DDL statement of the stored binlog, kept at its position in the store's {@link SchemaHistoryStore}.
 * {@link #trackerAt} gives a row-change reader the definitions in force where it starts.
 *
 * <p><b>Recording.</b> A thread of its own (the recorder) reads what the store commits, after the commit, and
 * records the DDL it finds with where it has read up to, in one write: the ingest path is not slowed nor changed,
 * a crash between a commit and its recording is caught up at the next start, and imported binlogs are read the
 * same way. A reader asking for a position the recorder has not reached yet waits for it to get there.
 *
 * <p>Threading: {@link #trackerAt} from any thread; each tracker belongs to one reader.
 */
public final class SchemaHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaHistory.class);
    /** Events read per hold of the recorder's lock (a reader's {@link #trackerAt} may come in between). */
    static final int CHUNK_EVENTS = 10_000;
    /** States kept to start trackers from without replaying the history (by number of entries applied). */
    private static final int CACHED_STATES = 8;
    /** Longest statement a QUERY_COMPRESSED may inflate to for the history (a longer one is skipped). */
    private static final int MAX_STATEMENT = 64 << 20;

    private final BinlogStore store;
    private final SchemaHistoryStore entries;
    private final SchemaHistorySettings settings;
    private final Semaphore committed = new Semaphore(0);
    private final Runnable listener = committed::release;
    private final Object scanLock = new Object();
    private final Map<Integer, Cached> states = new LinkedHashMap<>(16, 0.75f, true);
    private Thread recorder;
    private volatile boolean closed;

    private record Cached(SchemaHistoryStore.Entry last, SchemaState state) {
    }

    /** Where a snapshot's table definition is kept: its text is parsed once, however often the history is replayed. */
    private record SnapshotKey(long fileSeq, long position, String database, String table) {
    }

    /**
     * The snapshot's tables as parsed (JSqlParser takes 1 to 2 ms for a table of a dozen columns: a snapshot of
     * 10,000 tables would otherwise cost each replay many seconds). Bounded by the snapshot.
     */
    private final Map<SnapshotKey, TableDef> snapshotTables = new java.util.concurrent.ConcurrentHashMap<>();

    private SchemaHistory(BinlogStore store, SchemaHistorySettings settings) {
        this.store = store;
        this.entries = store.schemaHistory();
        this.settings = settings;
    }

    /**
     * The history of {@code store}: with {@code settings.enabled()}, asks the next upstream session for a snapshot
     * (if the store has none) and starts the recorder; otherwise trackers start empty.
     */
    public static SchemaHistory start(BinlogStore store, SchemaHistorySettings settings) {
        SchemaHistory h = new SchemaHistory(store, settings);
        if (settings.enabled()) {
            h.entries.requestSnapshot(new SchemaHistoryStore.SnapshotLimits(settings.maxTables(), settings.maxBytes()));
            store.readView().addCommitListener(h.listener);
            h.recorder = new Thread(h::record, "schema-history");
            h.recorder.setDaemon(true);
            h.recorder.start();
            log.info("schema history on: {} entries stored, snapshot {}", h.entries.all().size(),
                    h.entries.hasSnapshot() ? "taken" : "asked of the next upstream session");
        }
        return h;
    }

    public SchemaHistorySettings settings() {
        return settings;
    }

    /**
     * A tracker holding the definitions in force at {@code file}:{@code position} (the position a reader's first
     * event starts at), to be told of every QUERY event after it. Waits for the recorder to read up to there.
     *
     * @throws StoreException if the store does not hold {@code file}, or on a storage failure
     */
    public SchemaTracker trackerAt(String file, long position) {
        if (!settings.enabled()) {
            return HistoryTracker.empty();
        }
        catchUpTo(file, position);
        List<SchemaHistoryStore.Entry> upTo = entries.upTo(file, position);
        boolean snapshot = upTo.stream().anyMatch(e -> e.kind() == SchemaHistoryStore.Kind.SNAPSHOT_START);
        return new HistoryTracker(stateAfter(upTo), snapshot ? null : this);
    }

    /** The state a tracker made at {@code file}:{@code position} starts with (a tracker reaching the snapshot). */
    SchemaState stateAt(String file, long position) {
        catchUpTo(file, position);
        return stateAfter(entries.upTo(file, position));
    }

    Optional<SchemaHistoryStore.SnapshotAt> snapshotAt() {
        return entries.snapshotAt();
    }

    long sequenceOf(String file) {
        return entries.sequenceOf(file).orElseThrow(() -> new StoreException("schema history: the relay does not hold " + file));
    }

    /**
     * Tells {@code tracker} of {@code event} if it is a QUERY event (MariaDB's QUERY_COMPRESSED too): what a
     * row-change reader calls for every event it passes. {@code endPosition} is where the event ends in {@code file}.
     */
    public static void pass(SchemaTracker tracker, byte[] event, ChecksumAlgorithm checksum, String file,
                            long endPosition) {
        QueryEvent q = query(event, checksum);
        if (q != null) {
            tracker.onQuery(q.database(), q.statement(), file, endPosition);
        }
    }

    /**
     * The QUERY (or QUERY_COMPRESSED) event {@code e}, or null for another event or one that is not what its
     * lengths say (stored events passed the ingester's checks; a statement is skipped rather than the stream failed).
     */
    private static QueryEvent query(byte[] e, ChecksumAlgorithm alg) {
        if (e.length <= Events.HEADER_SIZE || !QueryEvent.is(Events.type(e))) {
            return null;
        }
        try {
            return QueryEvent.read(e, alg, MAX_STATEMENT);
        } catch (BinlogFormatException malformed) {
            return null;
        }
    }

    /** The state after applying {@code list}, from the longest cached prefix of it. */
    private SchemaState stateAfter(List<SchemaHistoryStore.Entry> list) {
        SchemaState state = null;
        int from = 0;
        synchronized (states) {
            for (int n = list.size(); n > 0 && state == null; n--) {
                Cached c = states.get(n);
                if (c != null && c.last().equals(list.get(n - 1))) {
                    state = c.state().copy();
                    from = n;
                }
            }
        }
        if (state == null) {
            state = new SchemaState();
            Map<String, String> vars = store.state().upstreamVariables();
            state.serverDefault(vars.get("character_set_server"), vars.get("collation_server"));
        }
        HistoryTracker apply = new HistoryTracker(state);
        for (int i = from; i < list.size(); i++) {
            SchemaHistoryStore.Entry e = list.get(i);
            switch (e.kind()) {
                case SNAPSHOT_START -> state.clear();
                case SNAPSHOT_TABLE -> snapshotTable(apply, e);
                case DDL -> apply.apply(e.database(), e.text(), "file #" + e.fileSeq() + ":" + e.position());
            }
        }
        if (from < list.size()) {
            synchronized (states) {
                states.put(list.size(), new Cached(list.get(list.size() - 1), state.copy()));
                while (states.size() > CACHED_STATES) {
                    states.remove(states.keySet().iterator().next());
                }
            }
        }
        return state;
    }

    private void snapshotTable(HistoryTracker apply, SchemaHistoryStore.Entry e) {
        SnapshotKey key = new SnapshotKey(e.fileSeq(), e.position(), e.database(), e.table());
        TableDef parsed = e.table().isEmpty() ? null : snapshotTables.get(key);
        if (parsed != null) {
            apply.state().put(parsed);
            return;
        }
        apply.apply(e.database(), e.text(), "the snapshot's `" + e.database() + "`.`" + e.table() + "`");
        if (!e.table().isEmpty()) {
            TableDef def = apply.state().get(e.database(), e.table());
            if (def != null) {
                snapshotTables.put(key, def);
            }
        }
    }

    // ------------------------------------------------------------------ the recorder

    private void record() {
        String lastError = null;
        boolean warm = false;
        while (!closed) {
            try {
                if (!warm && entries.hasSnapshot()) {
                    // the first reader should not wait for the snapshot to be parsed: replay the history once now
                    stateAfter(entries.all());
                    warm = true;
                }
                committed.tryAcquire(1, TimeUnit.SECONDS);
                committed.drainPermits();
                while (!closed && !scanChunk()) {
                    Thread.onSpinWait();
                }
                lastError = null;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed && !String.valueOf(e.getMessage()).equals(lastError)) {
                    // once per cause: a storage error repeats every second until it is gone
                    log.warn("schema history: recording stopped until the next commit: {}", e.getMessage());
                }
                lastError = String.valueOf(e.getMessage());
            }
        }
    }

    /** Reads until the recorder has passed {@code file}:{@code position} or reached the committed end. */
    private void catchUpTo(String file, long position) {
        long seq = entries.sequenceOf(file).orElseThrow(() -> new StoreException(
                "schema history: the relay does not hold " + file));
        while (true) {
            Optional<BinlogPosition> at = entries.scanned();
            if (at.isPresent()) {
                Optional<Long> atSeq = entries.sequenceOf(at.get().file());
                if (atSeq.isPresent() && (atSeq.get() > seq || (atSeq.get() == seq && at.get().position() >= position))) {
                    return;
                }
            }
            if (scanChunk()) {
                return;
            }
        }
    }

    /** Reads up to {@link #CHUNK_EVENTS} events after where the recorder stands; true when at the committed end. */
    boolean scanChunk() {
        synchronized (scanLock) {
            Optional<BinlogPosition> end = store.committedEnd();
            if (end.isEmpty()) {
                return true;
            }
            BinlogPosition from = startOfScan();
            if (from.equals(end.get())) {
                return true;
            }
            List<SchemaHistoryStore.Ddl> found = new ArrayList<>();
            int n = 0;
            BinlogPosition reached;
            try (BinlogCursor c = store.openCursor(from.file(), from.position())) {
                ChecksumAlgorithm alg = null;
                String algFile = null;
                StoredEvent e;
                while (n < CHUNK_EVENTS && (e = c.next()) != null) {
                    n++;
                    if (!QueryEvent.is(Events.type(e.bytes()))) {
                        continue;
                    }
                    if (!e.file().equals(algFile)) {
                        algFile = e.file();
                        alg = checksum(e);
                    }
                    QueryEvent q = query(e.bytes(), alg);
                    if (q != null && DdlApplier.isDdl(q.statement())) {
                        found.add(new SchemaHistoryStore.Ddl(e.file(), e.endPosition(), q.database(), q.statement()));
                    }
                }
                reached = c.position();
            } catch (PositionException e) {
                throw new StoreException("schema history: cannot read from " + from + ": " + e.getMessage(), e);
            }
            entries.recordDdl(found, reached.file(), reached.position());
            if (!found.isEmpty()) {
                log.debug("schema history: {} DDL statements recorded up to {}", found.size(), reached);
            }
            return n < CHUNK_EVENTS;
        }
    }

    /** Where the recorder goes on: where it stopped, or the oldest stored event (also when that was purged since). */
    private BinlogPosition startOfScan() {
        BinlogFileInfo oldest = store.files().get(0);
        BinlogPosition first = new BinlogPosition(oldest.name(), oldest.firstPosition());
        Optional<BinlogPosition> at = entries.scanned();
        if (at.isEmpty()) {
            return first;
        }
        if (store.file(at.get().file()).isEmpty()) {
            log.warn("schema history: {} was purged before its DDL was read; going on from {}", at.get(), first);
            return first;
        }
        return at.get();
    }

    private ChecksumAlgorithm checksum(StoredEvent e) {
        Optional<byte[]> fde = store.state().formatDescription(e.file());
        if (fde.isPresent()) {
            return FormatDescription.checksum(fde.get());
        }
        return Events.crcMatches(e.bytes()) ? ChecksumAlgorithm.CRC32 : ChecksumAlgorithm.NONE;
    }

    @Override
    public void close() {
        closed = true;
        if (recorder != null) {
            store.readView().removeCommitListener(listener);
            recorder.interrupt();
            try {
                recorder.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
