package dev.binlogrelay.storage;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The relay's durable copy of the upstream primary's binlog, in RocksDB, under the primary's own file names
 * and positions, with a MariaDB GTID index and a hot cache of the newest events.
 *
 * <p><b>Threading.</b> One writer thread, many reader threads.
 * <ul>
 * <li>Exactly one thread appends, through {@link #writer()} (a second concurrent caller gets a
 *     {@link StoreException}). A group (or a burst of groups) is written as one atomic RocksDB batch (events,
 *     GTID index entries, file record, state ({@link StateUpdate}) and the committed end), and published to readers only once it
 *     is durable: fsynced by the append itself, or with a sync interval by the {@link WalSyncer} thread, which
 *     then also runs the commit listeners.</li>
 * <li>Readers open cursors from any thread, one thread per cursor at a time. Every read is bounded by the
 *     published committed end, so readers never see uncommitted data or part of a group.</li>
 * <li>A reader at the end waits for a commit: {@link #addCommitListener} for event-loop readers (the
 *     listener runs on the writer thread right after each commit and must only schedule work), or
 *     {@link #awaitCommitBeyond} to block with a timeout.</li>
 * <li>A purge ({@link #purgeFilesBefore}, retention) runs on any thread, one at a time. It never removes the
 *     newest file, nor a file a cursor is in (see {@link FilePurger} for the rule and the atomicity).</li>
 * <li>{@link #close()} waits for calls in progress (cursors hold no RocksDB iterator between calls), then the
 *     database. Afterwards every call throws "store &lt;dir&gt; is closed", except the cache statistics,
 *     {@link #removeCommitListener} and closing cursors, which stay harmless for shutdown paths.</li>
 * </ul>
 *
 * <p><b>Memory.</b> The newest events are kept in a Caffeine cache weighed by event bytes
 * ({@link StoreOptions#cacheBytes()}); readers at the tail hit it, readers far behind read RocksDB through
 * shared segments ({@link SegmentCache}) and never insert into the hot cache, so they cannot evict the tail
 * (see {@link TailCache}).
 */
public final class BinlogStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BinlogStore.class);

    private final Path dir;
    private final StoreOptions options;
    private final RocksHandles rocks;
    private final TailCache cache;
    private final SegmentCache segments;
    private final GtidIndex gtids;
    private final MysqlGtidIndex mysqlGtids;
    private final CommitSignal signal;
    private final GroupAppender writer;
    private final FilePurger purger;
    private final StoreHealth health;
    private final StoreState state;
    private final Set<StoreCursor> cursors = ConcurrentHashMap.newKeySet();
    /** Held while a cursor opens and while a purge checks the cursors and publishes: no cursor starts in a purged file. */
    private final Object cursorLock = new Object();
    /** Serialises publishing a new table: the writer's commits and purges. Taken after {@link #cursorLock}. */
    private final Object tableLock = new Object();
    /** Read-held by every call that touches RocksDB; write-held by close, so nothing native is used after free. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile FileTable table;
    /** What was purged; null if nothing ever was. Published before the table that no longer holds the files. */
    private volatile PurgedRange purged;
    private volatile boolean closed;

    private BinlogStore(Path dir, StoreOptions options, RocksHandles rocks, FileTable table) {
        this.dir = dir;
        this.options = options;
        this.rocks = rocks;
        this.table = table;
        this.cache = new TailCache(options.cacheBytes());
        this.segments = new SegmentCache(options.segmentCacheBytes());
        this.health = new StoreHealth(dir, options.minFreeBytes(), rocks);
        this.gtids = new GtidIndex(rocks);
        this.mysqlGtids = new MysqlGtidIndex(rocks);
        this.signal = new CommitSignal(dir);
        this.writer = new GroupAppender(this);
        this.purger = new FilePurger(this, rocks);
        this.state = new StoreState(this);
        try {
            this.purged = PurgedRange.fromMeta(k -> StoreState.readMeta(rocks, k));
        } catch (StoreException e) {
            throw new StoreException("store " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Opens (or creates) the store in {@code dir}, recovering its state and removing anything past the committed end. */
    public static BinlogStore open(Path dir, StoreOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        RocksHandles rocks = RocksHandles.open(dir, options);
        BinlogStore store = null;
        try {
            FileTable table = new StoreRecovery(rocks).recover();
            store = new BinlogStore(dir, options, rocks, table);
            log.info("store {} opened: {} files, committed end {}", dir, table.all().size(),
                    table.end().map(Object::toString).orElse("(empty)"));
            return store;
        } catch (RuntimeException e) {
            if (store != null && store.writer.syncer() != null) {
                store.writer.syncer().close();
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
            org.rocksdb.RocksDB.destroyDB(dir.toString(), o);
        } catch (RocksDBException e) {
            throw RocksHandles.failure(dir, "delete the store", e);
        }
    }

    public Path directory() {
        return dir;
    }

    public StoreOptions options() {
        return options;
    }

    /** The single writer; see the threading rule above. */
    public BinlogWriter writer() {
        checkOpen();
        return writer;
    }

    // ------------------------------------------------------------------ what the store remembers

    /** Everything the store remembers besides the binlog: upstream identity, GTID state, format descriptions, origin. */
    public StoreState state() {
        checkOpen();
        return state;
    }

    // ------------------------------------------------------------------ durability and storage errors

    /**
     * With a sync interval ({@link StoreOptions#syncOnInterval()}): fsyncs the WAL now and publishes every group
     * written so far, so the committed end is the written end (what the upstream resumes from). Without one,
     * nothing to do: every append is durable and published when it returns.
     *
     * @throws StoreException if the fsync fails (the groups then stay invisible)
     */
    public void syncNow() {
        checkOpen();
        writer.syncNow();
    }

    /**
     * The storage error that stopped the last write (disk full, an I/O error), until a write succeeds again;
     * empty while the store takes writes. Readers are served throughout.
     */
    public Optional<String> storageError() {
        return health.error();
    }

    /** Writes and WAL syncs that failed since the store opened. */
    public long storageErrorCount() {
        return health.errorCount();
    }

    /**
     * True if the store takes writes: no storage error, or the cause is gone (checked now: free space, then a
     * small synced probe write). The upstream side asks before it resumes ingesting after a storage error.
     */
    public boolean storageWritable() {
        if (health.error().isEmpty()) {
            return true;
        }
        return underReadLock(health::writable);
    }

    StoreHealth health() {
        return health;
    }

    // ------------------------------------------------------------------ files and positions

    /** File and offset after the last committed group; empty for an empty store. */
    public Optional<BinlogPosition> committedEnd() {
        checkOpen();
        return table.end();
    }

    /** The files the store holds, oldest first, with their committed sizes. */
    public List<BinlogFileInfo> files() {
        checkOpen();
        return table.all();
    }

    public Optional<BinlogFileInfo> file(String name) {
        checkOpen();
        return Optional.ofNullable(table.byName(name));
    }

    /** Stored bytes of all held files ({@link BinlogFileInfo#storedBytes()}), the quantity retention bounds. */
    public long storedBytes() {
        checkOpen();
        return table.all().stream().mapToLong(BinlogFileInfo::storedBytes).sum();
    }

    /**
     * The last committed event of a held file (its header timestamp is when the file was last written to);
     * empty if the file is not held or holds no event.
     */
    public Optional<StoredEvent> lastEvent(String file) {
        Objects.requireNonNull(file, "file");
        return underReadLock(() -> {
            BinlogFileInfo f = table.byName(file);
            if (f == null || f.size() <= f.firstPosition()) {
                return Optional.empty();
            }
            try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
                it.seekForPrev(Keys.event(f.sequence(), f.size() - 1)); // the last event starting before the committed end
                if (!it.isValid() || Keys.eventFile(it.key()) != f.sequence()) {
                    return Optional.empty();
                }
                return Optional.of(Values.event(f.name(), Keys.eventPosition(it.key()), it.value()));
            }
        });
    }

    /**
     * The committed event of {@code file} that ends exactly at {@code position} (the one a reader asking to start
     * there received last); empty if the file is not held, the position is not the end of a stored event, or the
     * event before it was purged or never stored (a file whose copy starts later).
     */
    public Optional<StoredEvent> eventEndingAt(String file, long position) {
        Objects.requireNonNull(file, "file");
        return underReadLock(() -> {
            BinlogFileInfo f = table.byName(file);
            if (f == null || position <= f.firstPosition() || position > f.size()) {
                return Optional.empty();
            }
            try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
                it.seekForPrev(Keys.event(f.sequence(), position - 1)); // the last event starting before position
                if (!it.isValid() || Keys.eventFile(it.key()) != f.sequence()) {
                    return Optional.empty();
                }
                StoredEvent e = Values.event(f.name(), Keys.eventPosition(it.key()), it.value());
                return e.endPosition() == position ? Optional.of(e) : Optional.empty();
            }
        });
    }

    // ------------------------------------------------------------------ retention

    /**
     * Purges whole files older than {@code file}, oldest first, in one atomic write: their events, GTID index
     * entries and file records go, and the {@link #purgedRange()} is updated (the first available file, the
     * GTID state at its start). {@code file} itself stays, and so does the newest file.
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
        return underReadLock(() -> purger.purgeBefore(file));
    }

    /** What has been purged so far; empty if nothing has. */
    public Optional<PurgedRange> purgedRange() {
        checkOpen();
        return Optional.ofNullable(purged);
    }

    /**
     * The error for a reader asking for a file the store does not hold: "was purged", with the oldest available
     * position, if the file lies in the purged range; otherwise "not among the files the relay holds".
     */
    public PositionException fileNotHeld(String file) {
        checkOpen();
        FileTable t = table;
        PurgedRange p = purged;
        BinlogFileInfo oldest = t.oldest();
        String prefix = "Could not find first log file name in binary log index file: ";
        if (p != null && oldest != null && p.covers(file)) {
            return new PositionException(prefix + file + " was purged from the relay; the oldest available position is "
                    + oldest.name() + ":" + oldest.firstPosition());
        }
        return new PositionException(prefix + "'" + file + "' is not among the binlog files the relay holds"
                + (oldest == null ? "" : " (" + oldest.name() + " to " + t.newest().name() + ")"));
    }

    /**
     * A cursor whose first event starts at {@code position} of {@code file}. Valid positions are the start of a
     * stored event of that file, or exactly the file's committed end (the cursor then continues with the next
     * file, or waits at the tail). Positions below 4 are not adjusted here; callers map them.
     *
     * @throws PositionException (for the peer, as error 1236) if the file is unknown, or the position is not an
     *                           event boundary, or lies beyond the file's committed end
     */
    public BinlogCursor openCursor(String file, long position) throws PositionException {
        Objects.requireNonNull(file, "file");
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            checkOpen();
            synchronized (cursorLock) {
                return openCursorLocked(file, position);
            }
        } finally {
            lock.unlock();
        }
    }

    private StoreCursor openCursorLocked(String file, long position) throws PositionException {
        FileTable t = table;
        BinlogFileInfo f = t.byName(file);
        if (f == null) {
            throw fileNotHeld(file);
        }
        if (position > f.size()) {
            throw new PositionException("Client requested master to start replication from position > file size: position "
                    + position + " of " + file + " is beyond its end " + f.size());
        }
        if (position < f.firstPosition() && position >= 4) {
            throw new PositionException("Client requested master to start replication from position " + position + " of "
                    + file + ", which the relay does not hold: its copy of " + file + " starts at " + f.firstPosition());
        }
        if (position < f.firstPosition() || (position < f.size() && !eventStartsAt(f.sequence(), position))) {
            throw new PositionException("Client requested master to start replication from position " + position + " of "
                    + file + ", which is not an event boundary");
        }
        StoreCursor c = new StoreCursor(this, f.sequence(), position);
        cursors.add(c);
        return c;
    }

    private boolean eventStartsAt(long seq, long position) {
        if (cache.contains(seq, position)) {
            return true;
        }
        byte[] key = Keys.event(seq, position);
        try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
            it.seek(key);
            return it.isValid() && Arrays.equals(it.key(), key);
        }
    }

    // ------------------------------------------------------------------ MariaDB GTID index

    /** Where the GTID event of {@code domainId}-*-{@code sequence} starts, if the store holds it. */
    public Optional<BinlogPosition> findMariaGtid(long domainId, long sequence) {
        return underReadLock(() -> gtids.find(table, domainId, sequence));
    }

    /** The GTID with the lowest sequence number the store holds in that domain. */
    public Optional<MariaGtidRef> firstMariaGtid(long domainId) {
        return underReadLock(() -> gtids.first(table, domainId));
    }

    /** The GTID with the highest sequence number the store holds in that domain. */
    public Optional<MariaGtidRef> lastMariaGtid(long domainId) {
        return underReadLock(() -> gtids.last(table, domainId));
    }

    /** The GTID domains the store holds at least one GTID of, in ascending order. */
    public Set<Long> mariaGtidDomains() {
        return underReadLock(() -> gtids.domains(table));
    }

    // ------------------------------------------------------------------ MySQL GTID index (see MysqlGtidIndex)

    /** The set of a held file's PREVIOUS_GTIDS event; empty if the file is not held or was stored without it. */
    public Optional<dev.binlogrelay.core.gtid.MysqlGtidSet> mysqlPreviousGtids(String file) {
        Objects.requireNonNull(file, "file");
        return underReadLock(() -> {
            BinlogFileInfo f = table.byName(file);
            return f == null ? Optional.empty() : mysqlGtids.previousGtids(f);
        });
    }

    /**
     * Where a MySQL reader with the executed GTID set {@code executed} starts, as MySQL's dump thread decides: the
     * newest held file whose previous-GTIDs set it contains. Empty if none does (or no file has an entry).
     */
    public Optional<BinlogFileInfo> mysqlGtidStartFile(dev.binlogrelay.core.gtid.MysqlGtidSet executed) {
        Objects.requireNonNull(executed, "executed");
        return underReadLock(() -> mysqlGtids.startFile(table.all(), executed));
    }

    MysqlGtidIndex mysqlGtidIndex() {
        return mysqlGtids;
    }

    // ------------------------------------------------------------------ waiting for commits

    /**
     * Runs {@code listener} on the writer thread right after every commit. It must be cheap and must not block:
     * schedule the reading on the reader's own thread (an event loop) and return. Exceptions are logged.
     */
    public void addCommitListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        signal.addListener(listener);
    }

    /** Removes a listener; harmless after close. */
    public void removeCommitListener(Runnable listener) {
        signal.removeListener(listener);
    }

    /**
     * Blocks until the committed end lies beyond {@code pos} (a later file, or further in the same file), for
     * at most {@code timeout}. A file the store has not seen yet counts as coming later: the call waits until it
     * appears and passes {@code pos}.
     *
     * @return true if the committed end is beyond {@code pos}; false on timeout or if the store closed
     */
    public boolean awaitCommitBeyond(BinlogPosition pos, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(pos, "pos");
        checkOpen();
        return signal.await(() -> closed || isBeyond(table, pos), timeout, unit) && !closed;
    }

    private static boolean isBeyond(FileTable t, BinlogPosition pos) {
        BinlogFileInfo f = t.byName(pos.file());
        return f != null && t.endIsAfter(f.sequence(), pos.position());
    }

    // ------------------------------------------------------------------ hot cache statistics

    /** Hit and miss counts of the hot-tail cache (Caffeine's statistics); readable after close. */
    public CacheStats cacheStats() {
        return cache.stats();
    }

    /** Bytes held by the hot-tail cache, weighed as event bytes plus a small per-entry overhead. */
    public long cachedBytes() {
        return cache.bytes();
    }

    public long cachedEvents() {
        return cache.entries();
    }

    /** Segments of older binlog read from RocksDB so far (each shared by every reader of that stretch). */
    public long segmentLoads() {
        return segments.loads();
    }

    /** Bytes held by the segment cache. */
    public long segmentCacheBytes() {
        return segments.weightedSize();
    }

    /** Commit listeners registered now. */
    public int commitListeners() {
        return signal.listenerCount();
    }

    /** Cursors opened and not yet closed. */
    public int openCursors() {
        return cursors.size();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Waits for calls in progress, then closes RocksDB. Idempotent. */
    @Override
    public void close() {
        if (writer.syncer() != null) {
            writer.syncer().close(); // before the lock: a sync in progress holds the read lock
        }
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cursors.clear();
            segments.shutdown();
            rocks.close();
            cache.clear();
            segments.clear();
        } finally {
            lock.unlock();
        }
        signal.fire(false); // blocked waiters return false
        log.info("store {} closed", dir);
    }

    @Override
    public String toString() {
        return "BinlogStore[" + dir + (closed ? ", closed" : ", end " + table.end().map(Object::toString).orElse("(empty)")) + "]";
    }

    // ------------------------------------------------------------------ for the writer and cursors

    <T> T underReadLock(Supplier<T> action) {
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            checkOpen();
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    FileTable table() {
        return table;
    }

    /**
     * Makes a commit or a purge visible to readers: one volatile write of the new table, computed from the
     * table published now (the writer and a purge publish from different threads).
     */
    FileTable updateTable(UnaryOperator<FileTable> change) {
        synchronized (tableLock) {
            FileTable next = change.apply(table);
            table = next;
            return next;
        }
    }

    /** Publishes a durable purge: first what was purged, then the table without the files before {@code keepFromSeq}. */
    void publishPurge(PurgedRange range, long keepFromSeq) {
        purged = range;
        updateTable(t -> t.withoutFilesBefore(keepFromSeq));
        segments.dropFilesBefore(keepFromSeq);
    }

    /** Runs {@code action} while no cursor can open. */
    <T> T withCursorsFrozen(Supplier<T> action) {
        synchronized (cursorLock) {
            return action.get();
        }
    }

    /** Sequence number of the oldest file an open cursor is in; Long.MAX_VALUE if none. Call with cursors frozen. */
    long lowestCursorFile() {
        long lowest = Long.MAX_VALUE;
        for (StoreCursor c : cursors) {
            lowest = Math.min(lowest, c.fileSequence());
        }
        return lowest;
    }

    Path dir() {
        return dir;
    }

    RocksHandles rocks() {
        return rocks;
    }

    TailCache cache() {
        return cache;
    }

    SegmentCache segments() {
        return segments;
    }

    CommitSignal commitSignal() {
        return signal;
    }

    GroupAppender appender() {
        return writer;
    }

    /** A new iterator on the events; the caller holds the read lock and closes it. */
    RocksIterator newEventIterator() {
        return rocks.db.newIterator(rocks.events, rocks.tuning.scan);
    }

    /** A cursor closed by its owner. */
    void release(StoreCursor c) {
        cursors.remove(c);
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("store " + dir + " is closed");
        }
    }
}
