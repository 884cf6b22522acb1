package dev.binlogrelay.storage;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What the store's parts share, handed to each of them instead of the {@link BinlogStore} facade: the database,
 * the caches, the published {@link FileTable} and purged range, the open cursors, the commit signal, and the
 * lifecycle lock that keeps RocksDB open while a call uses it.
 *
 * <p><b>Locks.</b> {@link #underReadLock} is held by every call that touches RocksDB; {@link #closeUnderWriteLock}
 * takes it exclusively, so nothing native is used after it is freed. {@link #withCursorsFrozen} holds the cursor
 * lock (no cursor opens meanwhile: a purge checks the cursors and publishes under it); publishing a table
 * ({@link #updateTable}) takes the table lock, after the cursor lock when both are held.
 */
final class StoreContext {
    private final Path dir;
    private final StoreOptions options;
    private final RocksHandles rocks;
    private final TailCache cache;
    private final SegmentCache segments;
    private final CommitSignal signal;
    private final StoreHealth health;
    private final GtidIndex gtids;
    private final MysqlGtidIndex mysqlGtids;
    private final Set<StoreCursor> cursors = ConcurrentHashMap.newKeySet();
    private final Object cursorLock = new Object();
    private final Object tableLock = new Object();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile FileTable table;
    /** What was purged; null if nothing ever was. Published before the table that no longer holds the files. */
    private volatile PurgedRange purged;
    private volatile boolean closed;
    /** The interval mode's syncer, set once by the appender; null when every append syncs. */
    private volatile WalSyncer syncer;

    StoreContext(Path dir, StoreOptions options, RocksHandles rocks, FileTable table) {
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
        try {
            this.purged = PurgedRange.fromMeta(k -> StoreState.readMeta(rocks, k));
        } catch (StoreException e) {
            throw new StoreException("store " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    StoreOptions options() {
        return options;
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

    StoreHealth health() {
        return health;
    }

    GtidIndex gtidIndex() {
        return gtids;
    }

    MysqlGtidIndex mysqlGtidIndex() {
        return mysqlGtids;
    }

    WalSyncer syncer() {
        return syncer;
    }

    void syncer(WalSyncer s) {
        this.syncer = s;
    }

    // ------------------------------------------------------------------ the published state

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

    PurgedRange purged() {
        return purged;
    }

    /** Publishes a durable purge: first what was purged, then the table without the files before {@code keepFromSeq}. */
    void publishPurge(PurgedRange range, long keepFromSeq) {
        purged = range;
        updateTable(t -> t.withoutFilesBefore(keepFromSeq));
        segments.dropFilesBefore(keepFromSeq);
    }

    // ------------------------------------------------------------------ cursors

    /** Runs {@code action} while no cursor can open. */
    <T> T withCursorsFrozen(Supplier<T> action) {
        synchronized (cursorLock) {
            return action.get();
        }
    }

    void register(StoreCursor c) {
        cursors.add(c);
    }

    /** A cursor closed by its owner. */
    void release(StoreCursor c) {
        cursors.remove(c);
    }

    int openCursors() {
        return cursors.size();
    }

    /** Sequence number of the oldest file an open cursor is in; Long.MAX_VALUE if none. Call with cursors frozen. */
    long lowestCursorFile() {
        long lowest = Long.MAX_VALUE;
        for (StoreCursor c : cursors) {
            lowest = Math.min(lowest, c.fileSequence());
        }
        return lowest;
    }

    /**
     * A new iterator on the events; the caller holds the read lock and closes it. {@code scan} is
     * {@link RocksTuning#scan} or a copy of it with an upper bound.
     */
    RocksIterator newEventIterator(ReadOptions scan) {
        return rocks.db.newIterator(rocks.events, scan);
    }

    /** The scan options of segment loads, to copy. */
    ReadOptions scanOptions() {
        return rocks.tuning.scan;
    }

    // ------------------------------------------------------------------ lifecycle

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

    void checkOpen() {
        if (closed) {
            throw new StoreException("store " + dir + " is closed");
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Waits for calls in progress, then frees the caches and RocksDB; false if already closed. */
    boolean closeUnderWriteLock() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            cursors.clear();
            segments.shutdown();
            rocks.close();
            cache.clear();
            segments.clear();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
