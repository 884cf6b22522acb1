package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The relay's durable copy of the upstream primary's binlog, in RocksDB, under the primary's own file names
 * and positions, with a MariaDB GTID index and a hot cache of the newest events.
 *
 * <p><b>Threading.</b> One writer thread, many reader threads.
 * <ul>
 * <li>Exactly one thread appends, through {@link #writer()} (a second concurrent caller gets a
 *     {@link StoreException}). A group (or a burst of groups) is written as one atomic RocksDB batch (events,
 *     GTID index entries, file record, state ({@link StateUpdate}) and the committed end), and published to
 *     readers only once it is durable: fsynced by the append itself, or with a sync interval by the
 *     {@link WalSyncer} thread, which then also runs the commit listeners ({@link SyncMode}).</li>
 * <li>Readers see the store as a {@link BinlogReadView}: they open cursors from any thread, one thread per cursor
 *     at a time. Every read is bounded by the published committed end, so readers never see uncommitted data or
 *     part of a group.</li>
 * <li>A reader at the end waits for a commit: {@link #addCommitListener} for event-loop readers (the
 *     listener runs on the writer thread right after each commit and must only schedule work), or
 *     {@link #awaitCommitBeyond} to block with a timeout.</li>
 * <li>A purge ({@link #purgeFilesBefore}, retention) runs on any thread, one at a time. It never removes the
 *     newest file, nor a file a cursor is in (see {@link FilePurger} for the rule and the atomicity).</li>
 * <li>{@link #close()} waits for calls in progress (cursors hold no RocksDB iterator between calls), then the
 *     database. Afterwards every call throws "store &lt;dir&gt; is closed", except the {@link #stats()},
 *     {@link #removeCommitListener} and closing cursors, which stay harmless for shutdown paths.</li>
 * </ul>
 *
 * <p><b>Parts.</b> This class is the facade; each part gets the shared {@link StoreContext}, not the facade:
 * {@link StoreReader} (the read view, which the facade extends), {@link GroupAppender} (the writer, with {@link WalSyncer} on an interval),
 * {@link FilePurger} (retention), {@link StoreState} (what the store remembers besides the binlog),
 * {@link StoreStats} (counters), {@link StoreRecovery} and {@link StoreMigration} (opening).
 *
 * <p><b>Memory.</b> The newest events are kept in a Caffeine cache weighed by event bytes
 * ({@link StoreOptions#cacheBytes()}); readers at the tail hit it, readers far behind read RocksDB through
 * shared segments ({@link SegmentCache}) and never insert into the hot cache, so they cannot evict the tail
 * (see {@link TailCache}).
 */
public final class BinlogStore extends StoreReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BinlogStore.class);

    private final GroupAppender writer;
    private final FilePurger purger;
    private final StoreStats stats;
    private final SchemaHistoryStore schemaHistory;
    private final CanalCursors canalCursors;

    private BinlogStore(StoreContext ctx) {
        super(ctx, new StoreState(ctx));
        this.writer = new GroupAppender(ctx);
        this.purger = new FilePurger(ctx);
        this.stats = new StoreStats(ctx);
        this.schemaHistory = new SchemaHistoryStore(ctx);
        this.canalCursors = new CanalCursors(ctx);
    }

    /** Opens (or creates) the store in {@code dir}, recovering its state and removing anything past the committed end. */
    public static BinlogStore open(Path dir, StoreOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        RocksHandles rocks = RocksHandles.open(dir, options);
        StoreContext ctx = null;
        try {
            FileTable table = new StoreRecovery(rocks).recover();
            ctx = new StoreContext(dir, options, rocks, table);
            BinlogStore store = new BinlogStore(ctx);
            log.info("store {} opened: {} files, committed end {}", dir, table.all().size(),
                    table.end().map(Object::toString).orElse("(empty)"));
            return store;
        } catch (RuntimeException e) {
            if (ctx != null && ctx.syncer() != null) {
                ctx.syncer().close();
            }
            rocks.close();
            throw e;
        }
    }

    /**
     * Deletes the store in {@code dir} (RocksDB's own DestroyDB: its files, then the directory if it is empty).
     * Refuses while a store is open on it (RocksDB's lock). A directory without a store is left as it is.
     */
    public static void destroy(Path dir) {
        Objects.requireNonNull(dir, "dir");
        org.rocksdb.RocksDB.loadLibrary();
        if (!java.nio.file.Files.exists(dir.resolve("CURRENT"))) {
            return;
        }
        try (org.rocksdb.Options o = new org.rocksdb.Options()) {
            deleteEventFiles(dir);
            org.rocksdb.RocksDB.destroyDB(dir.toString(), o);
        } catch (RocksDBException e) {
            throw RocksHandles.failure(dir, "delete the store", e);
        }
    }

    /** Deletes the event files and their directory (before RocksDB's own files; a store without them is unreadable anyway). */
    private static void deleteEventFiles(Path dir) {
        Path events = EventFiles.dirOf(dir);
        if (!java.nio.file.Files.isDirectory(events)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(events)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                java.nio.file.Files.deleteIfExists(p);
            }
            java.nio.file.Files.deleteIfExists(events);
        } catch (java.io.IOException e) {
            throw new StoreException("store " + dir + ": cannot delete the event files in " + events + ": " + e.getMessage(), e);
        }
    }

    public StoreOptions options() {
        return ctx.options();
    }

    /** The single writer; see the threading rule above. */
    public BinlogWriter writer() {
        ctx.checkOpen();
        return writer;
    }

    /** What readers see: the store itself, typed as the view without the writer's side. */
    public BinlogReadView readView() {
        return this;
    }

    /** The schema history's entries (docs/schema-history.md). */
    public SchemaHistoryStore schemaHistory() {
        return schemaHistory;
    }

    /** The Canal clients' cursors (their own column family; nothing of the binlog). */
    public CanalCursors canalCursors() {
        return canalCursors;
    }

    /** Counters of caches, cursors, listeners and storage errors; readable after close. */
    public StoreStats stats() {
        return stats;
    }

    // ------------------------------------------------------------------ durability and storage errors

    /**
     * With a sync interval ({@link SyncMode.Interval}): fsyncs the WAL now and publishes every group written so
     * far, so the committed end is the written end (what the upstream resumes from). Otherwise nothing to do:
     * every append is published when it returns.
     *
     * @throws StoreException if the fsync fails (the groups then stay invisible)
     */
    public void syncNow() {
        ctx.checkOpen();
        writer.syncNow();
    }

    /**
     * The storage error that stopped the last write (disk full, an I/O error), until a write succeeds again;
     * empty while the store takes writes. Readers are served throughout.
     */
    public Optional<String> storageError() {
        return ctx.health().error();
    }

    /**
     * True if the store takes writes: no storage error, or the cause is gone (checked now: free space, then a
     * small synced probe write). The upstream side asks before it resumes ingesting after a storage error.
     */
    public boolean storageWritable() {
        if (ctx.health().error().isEmpty()) {
            return true;
        }
        return ctx.underReadLock(ctx.health()::writable);
    }

    // ------------------------------------------------------------------ retention

    /**
     * Purges whole files older than {@code file}, oldest first, in one atomic write: their events, format
     * descriptions, GTID index entries and file records go, and the {@link #purgedRange()} is updated (the first
     * available file, the GTID state at its start). {@code file} itself stays, and so does the newest file.
     *
     * <p><b>Readers.</b> A file a reader's cursor is in is never purged: the purge stops before the oldest such
     * file ({@link PurgeResult#stoppedAtReader()}). Opening a cursor on a purged file fails with
     * "... was purged from the relay; the oldest available position is ...".
     *
     * @param file the oldest file to keep; a file purged already is a no-op
     * @throws StoreException if the store never held {@code file}, or on a storage failure (nothing is then purged)
     */
    public PurgeResult purgeFilesBefore(String file) {
        Objects.requireNonNull(file, "file");
        return ctx.underReadLock(() -> purger.purgeBefore(file));
    }

    public boolean isClosed() {
        return ctx.isClosed();
    }

    /** Waits for calls in progress, then closes RocksDB. Idempotent. */
    @Override
    public void close() {
        if (ctx.syncer() != null) {
            ctx.syncer().close(); // before the lock: a sync in progress holds the read lock
        }
        if (!ctx.closeUnderWriteLock()) {
            return;
        }
        ctx.commitSignal().fire(false); // blocked waiters return false
        log.info("store {} closed", ctx.dir());
    }

    @Override
    public String toString() {
        return "BinlogStore[" + ctx.dir() + (ctx.isClosed() ? ", closed"
                : ", end " + ctx.table().end().map(Object::toString).orElse("(empty)")) + "]";
    }

    // ------------------------------------------------------------------ for this package's tests

    StoreContext context() {
        return ctx;
    }

    FilePurger purger() {
        return purger;
    }

    GroupAppender appender() {
        return writer;
    }
}
