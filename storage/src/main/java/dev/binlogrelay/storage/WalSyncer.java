package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit ({@code storage.sync: every_transaction}, {@link SyncMode.GroupCommit}) or group commit on a timer
 * ({@code storage.sync: <interval>}): the writer writes the events' bytes to their files and queues each batch here
 * with its RocksDB write batch, unwritten. This thread waits until the oldest queued batch is one interval old (no
 * wait for group commit: a sync starts as soon as the previous one ends), then, once for all the batches queued:
 * fsyncs the event files, writes the batches to RocksDB, fsyncs the WAL, and publishes them, oldest first. So a
 * reader (or the upstream resume position) never gets a batch that a power loss could take back, and RocksDB never
 * holds an index entry whose bytes a power loss could take back (the store would then refuse to open).
 *
 * <p><b>Memory.</b> Queued batches hold their events for the hot cache: once they hold {@link #MAX_QUEUED_BYTES} the
 * sync starts at once, whatever the interval, and the writer waits in {@link #enqueue} until it ends.
 *
 * <p><b>Metadata.</b> A batch's metadata (e.g. the GTID position) is in RocksDB as soon as it is written. Until the
 * batch is published, {@link #visibleMeta} answers the value as of the published batches, so what readers see of
 * the metadata never runs ahead of the events they can read.
 *
 * <p>Threading: {@link #beforeWrite}, {@link #enqueue} and {@link #writeFailed} from the writer thread;
 * {@link #syncNow} from any thread (the syncer's own, the writer before it resumes upstream); one sync at a time.
 */
final class WalSyncer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalSyncer.class);
    /** Marks a metadata key that was absent before the unpublished batches. */
    private static final String ABSENT = new String("(absent)");
    /** Event bytes the queued batches may hold before the writer waits for a sync. */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    private final StoreContext ctx;
    private final GroupAppender appender;
    private final long intervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Written, not yet published, oldest first; under {@link #lock}. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    /** The event bytes of {@link #queue}; under {@link #lock}. */
    private long queuedBytes;
    /** Published values of the metadata keys the queued batches change; under {@link #lock}. */
    private final Map<String, String> shadow = new HashMap<>();
    /** One sync-and-publish at a time. */
    private final Object syncing = new Object();
    private final Thread thread;
    private volatile boolean closed;
    /** Why the last WAL sync failed; null once one succeeds. The writer takes no new batch meanwhile. */
    private volatile String failure;

    private record Queued(GroupAppender.Batch batch, long writtenAt) {
    }

    WalSyncer(StoreContext ctx, GroupAppender appender, long intervalMillis) {
        this.ctx = ctx;
        this.appender = appender;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.thread = new Thread(this::run, "wal-sync " + ctx.dir().getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /** Before a batch changing {@code keys} is written: remember their published values. */
    void beforeWrite(Collection<String> keys) {
        lock.lock();
        try {
            for (String k : keys) {
                if (!shadow.containsKey(k)) {
                    String v = StoreState.readMeta(ctx.rocks(), k);
                    shadow.put(k, v == null ? ABSENT : v);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The write after {@link #beforeWrite} failed: nothing of it is in RocksDB. */
    void writeFailed() {
        lock.lock();
        try {
            if (queue.isEmpty()) {
                shadow.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a batch for the next sync; waits while the queue holds {@link #MAX_QUEUED_BYTES} or more (the writer
     * cannot run further ahead of the disk). Throws if a sync fails or the store closes meanwhile.
     */
    void enqueue(GroupAppender.Batch batch) {
        lock.lock();
        try {
            queue.add(new Queued(batch, System.nanoTime()));
            queuedBytes += batch.bytes();
            changed.signalAll();
            while (queuedBytes >= MAX_QUEUED_BYTES && !closed) {
                if (failure != null) {
                    throw new StoreException(failure + "; no new writes until a WAL sync succeeds");
                }
                changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("store " + ctx.dir() + ": interrupted while waiting for a sync", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The published value of {@code key} while a queued batch changes it: {@code Optional.empty()} if it was
     * absent; null if no queued batch changes it (then RocksDB holds the published value).
     */
    Optional<String> visibleMeta(String key) {
        lock.lock();
        try {
            String v = shadow.get(key);
            return v == null ? null : v == ABSENT ? Optional.empty() : Optional.of(v);
        } finally {
            lock.unlock();
        }
    }

    /** Metadata written outside groups (synced at once): RocksDB's value is the visible one now. */
    void metaWritten(Collection<String> keys) {
        lock.lock();
        try {
            keys.forEach(shadow::remove);
        } finally {
            lock.unlock();
        }
    }

    /** Why the last WAL sync failed, or null: while it fails, the writer refuses new batches. */
    String failure() {
        return failure;
    }

    /** Batches written and not yet published. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fsyncs the WAL and publishes every batch queued before the call. Throws a {@link StoreException} if the
     * fsync fails; the batches then stay queued (and invisible).
     */
    void syncNow() {
        synchronized (syncing) {
            List<GroupAppender.Batch> covered = new ArrayList<>();
            lock.lock();
            try {
                queue.forEach(q -> covered.add(q.batch()));
            } finally {
                lock.unlock();
            }
            if (covered.isEmpty()) {
                return;
            }
            ctx.underReadLock(() -> {
                RocksHandles rocks = ctx.rocks();
                try {
                    rocks.eventFiles.force(); // the bytes durable, then the index that makes them readable
                    for (GroupAppender.Batch b : covered) {
                        // a retry after a failed sync writes a batch again: the same keys and values
                        rocks.db.write(rocks.tuning.groupWrite, b.index());
                    }
                    rocks.db.syncWal();
                } catch (java.io.IOException e) {
                    StoreException f = new StoreException("store " + ctx.dir() + ": cannot sync the event files: " + e.getMessage(), e);
                    failure = f.getMessage();
                    ctx.health().failed(f.getMessage());
                    throw f;
                } catch (RocksDBException e) {
                    StoreException f = ctx.rocks().failure("sync the WAL", e);
                    failure = f.getMessage();
                    ctx.health().failed(f.getMessage());
                    throw f;
                }
                failure = null;
                for (GroupAppender.Batch b : covered) {
                    b.index().close();
                    appender.publish(b);
                }
                return null;
            });
            lock.lock();
            try {
                for (GroupAppender.Batch b : covered) {
                    queue.poll();
                    queuedBytes -= b.bytes();
                    for (Map.Entry<String, String> m : b.meta().entrySet()) {
                        shadow.put(m.getKey(), m.getValue());
                    }
                }
                changed.signalAll(); // a writer waiting for room
                if (queue.isEmpty()) {
                    shadow.clear();
                } else {
                    // keep only keys a batch still queued changes
                    shadow.keySet().removeIf(k -> queue.stream().noneMatch(q -> q.batch().meta().containsKey(k)));
                }
            } finally {
                lock.unlock();
            }
        }
        ctx.commitSignal().fire(true);
    }

    private void run() {
        while (!closed) {
            try {
                long due;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        changed.await();
                    }
                    if (closed) {
                        return;
                    }
                    due = queue.peek().writtenAt() + intervalNanos;
                    long left;
                    while (!closed && queuedBytes < MAX_QUEUED_BYTES && (left = due - System.nanoTime()) > 0) {
                        changed.awaitNanos(left);
                    }
                } finally {
                    lock.unlock();
                }
                if (closed) {
                    return;
                }
                syncNow();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed || ctx.isClosed()) {
                    return;
                }
                log.error("store {}: cannot sync the WAL; {} written transaction batch(es) stay invisible until a sync "
                        + "succeeds: {}", ctx.dir(), queued(), e.getMessage());
                try {
                    Thread.sleep(Math.max(100, TimeUnit.NANOSECONDS.toMillis(intervalNanos)));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * Stops the thread, then syncs and publishes the batches still queued (unless syncs fail: they are then lost, as
     * in a crash, and the next open cuts the event files back to what RocksDB indexes).
     */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure == null && !ctx.isClosed()) {
            try {
                syncNow();
            } catch (RuntimeException e) {
                log.warn("store {}: cannot sync the last {} transaction batch(es) at close; they are not kept: {}",
                        ctx.dir(), queued(), e.getMessage());
            }
        }
        lock.lock();
        try {
            queue.forEach(q -> q.batch().index().close());
        } finally {
            lock.unlock();
        }
    }
}
