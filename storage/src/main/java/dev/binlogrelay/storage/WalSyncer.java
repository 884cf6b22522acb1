package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
 * <p><b>Memory.</b> Queued batches hold their events (for the hot cache, and to write them again, below): once they
 * hold {@link #MAX_QUEUED_BYTES} the sync starts at once, whatever the interval, and the writer waits in
 * {@link #awaitRoom} until it ends.
 *
 * <p><b>Failures.</b> A failed sync leaves its batches queued and invisible, and the writer refused, until a sync
 * succeeds (this thread retries). After a failed fsync of the event files, the pages it did not write may be marked
 * clean (Linux): the retry first writes the queued batches' bytes again, so it fsyncs them rather than nothing.
 * Writing a batch to RocksDB again after a failed WAL sync puts the same keys and values.
 *
 * <p><b>Metadata.</b> A batch's metadata (e.g. the GTID position) reaches RocksDB at its sync, a moment before the
 * batch is published. For that moment (and after a failed WAL sync), {@link #visibleMeta} answers the value as of the
 * published batches, so what readers see of the metadata never runs ahead of the events they can read; publishing
 * and forgetting those values happen together under {@link #lock}.
 *
 * <p>Threading: {@link #awaitRoom} and {@link #enqueue} from the writer thread; {@link #syncNow} from any thread
 * (this one, the writer before it resumes upstream, a metadata write); one sync at a time.
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
    /** Written to the event files, not yet published, oldest first; under {@link #lock}. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    /** The event bytes of {@link #queue}; under {@link #lock}. */
    private long queuedBytes;
    /** Published values of the metadata keys of batches in RocksDB but not yet published; under {@link #lock}. */
    private final Map<String, String> shadow = new HashMap<>();
    /** One sync-and-publish at a time. */
    private final Object syncing = new Object();
    /** The last fsync of the event files failed: the next sync writes the queued bytes again first. Under {@link #syncing}. */
    private boolean rewriteBeforeForce;
    private final Thread thread;
    private volatile boolean closed;
    /** Why the last sync failed; null once one succeeds. The writer takes no new batch meanwhile. */
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

    /**
     * Writer thread, before it writes a batch: waits while the queue holds {@link #MAX_QUEUED_BYTES} or more (the
     * writer cannot run further ahead of the disk). Throws, with nothing written, while syncs fail or once closing.
     */
    void awaitRoom() {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new StoreException("store " + ctx.dir() + ": closing");
                }
                if (failure != null) {
                    throw new StoreException(failure + "; no new writes until a sync succeeds");
                }
                if (queuedBytes < MAX_QUEUED_BYTES) {
                    return;
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

    /** Writer thread: queues a written batch for the next sync. Never waits; throws (and frees it) only once closing. */
    void enqueue(GroupAppender.Batch batch) {
        lock.lock();
        try {
            if (closed) {
                batch.index().close();
                throw new StoreException("store " + ctx.dir() + ": closing; the last batch written is not kept");
            }
            queue.add(new Queued(batch, System.nanoTime()));
            queuedBytes += batch.bytes();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The published value of {@code key} while a batch in RocksDB but not yet published changes it:
     * {@code Optional.empty()} if it was absent; null if none does (then RocksDB holds the published value).
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

    /** Metadata written outside groups (synced at once, after the queue): RocksDB's value is the visible one now. */
    void metaWritten(Collection<String> keys) {
        lock.lock();
        try {
            keys.forEach(shadow::remove);
        } finally {
            lock.unlock();
        }
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
     * Fsyncs the event files, writes the batches queued before the call to RocksDB, fsyncs the WAL and publishes
     * them. Throws a {@link StoreException} if a step fails; the batches then stay queued (and invisible).
     */
    void syncNow() {
        synchronized (syncing) {
            List<GroupAppender.Batch> covered = new ArrayList<>();
            lock.lock();
            try {
                queue.forEach(q -> covered.add(q.batch()));
                // their values reach RocksDB before they are published: readers get these meanwhile (RocksDB holds
                // nothing unpublished now, so what it has is the published value)
                for (GroupAppender.Batch b : covered) {
                    for (String k : b.meta().keySet()) {
                        if (!shadow.containsKey(k)) {
                            String v = StoreState.readMeta(ctx.rocks(), k);
                            shadow.put(k, v == null ? ABSENT : v);
                        }
                    }
                }
            } finally {
                lock.unlock();
            }
            if (covered.isEmpty()) {
                return;
            }
            ctx.underReadLock(() -> {
                writeDurably(covered);
                lock.lock();
                try {
                    for (GroupAppender.Batch b : covered) {
                        queue.poll();
                        queuedBytes -= b.bytes();
                        b.index().close();
                        appender.publish(b);
                    }
                    // RocksDB holds the published values now; keep only keys of batches written by a failed sync
                    if (queue.isEmpty()) {
                        shadow.clear();
                    } else {
                        for (GroupAppender.Batch b : covered) {
                            b.meta().keySet().forEach(shadow::remove);
                        }
                    }
                    changed.signalAll(); // a writer waiting for room
                } finally {
                    lock.unlock();
                }
                return null;
            });
        }
        ctx.commitSignal().fire(true);
    }

    /** The batches' bytes fsynced, then their RocksDB batches written and the WAL fsynced; a failure recorded. */
    private void writeDurably(List<GroupAppender.Batch> covered) {
        RocksHandles rocks = ctx.rocks();
        try {
            if (rewriteBeforeForce) {
                for (GroupAppender.Batch b : covered) {
                    for (GroupAppender.CachedEvent c : b.events()) {
                        rocks.eventFiles.write(c.fileSeq(), c.event().position(), c.event().bytes());
                    }
                }
            }
            rewriteBeforeForce = true; // until the fsync below returns
            rocks.eventFiles.force();
            rewriteBeforeForce = false;
            for (GroupAppender.Batch b : covered) {
                rocks.db.write(rocks.tuning.groupWrite, b.index());
            }
            rocks.db.syncWal();
        } catch (IOException e) {
            throw failed(new StoreException("store " + ctx.dir() + ": cannot sync the event files: " + e.getMessage(), e));
        } catch (RocksDBException e) {
            throw failed(rocks.failure("sync the WAL", e));
        } catch (RuntimeException e) {
            throw failed(e instanceof StoreException s ? s : new StoreException("store " + ctx.dir() + ": sync failed: " + e, e));
        }
        failure = null;
        ctx.health().succeeded();
    }

    private StoreException failed(StoreException f) {
        failure = f.getMessage();
        ctx.health().failed(f.getMessage());
        return f;
    }

    private void run() {
        while (!closed) {
            try {
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        changed.await();
                    }
                    if (closed) {
                        return;
                    }
                    long due = queue.peek().writtenAt() + intervalNanos;
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
            } catch (Throwable e) {
                if (closed || ctx.isClosed()) {
                    return;
                }
                if (failure == null) {
                    failed(new StoreException("store " + ctx.dir() + ": sync failed: " + e, e));
                }
                log.error("store {}: cannot sync; {} written transaction batch(es) stay invisible until a sync "
                        + "succeeds: {}", ctx.dir(), queued(), e.getMessage());
                lock.lock();
                try {
                    changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(100, TimeUnit.NANOSECONDS.toMillis(intervalNanos))));
                } catch (InterruptedException ie) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Stops the thread (after the sync it is in, if any), then syncs and publishes the batches still queued. If that
     * fails they are lost, as in a crash, and the next open cuts the event files back to what RocksDB indexes.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true; // from now on the writer's batches are refused
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (syncing) {
            if (!ctx.isClosed()) {
                try {
                    syncNow();
                } catch (RuntimeException e) {
                    log.warn("store {}: cannot sync the last {} transaction batch(es) at close; they are not kept: {}",
                            ctx.dir(), queued(), e.getMessage());
                }
            }
            lock.lock();
            try {
                Queued q;
                while ((q = queue.poll()) != null) {
                    q.batch().index().close();
                }
                queuedBytes = 0;
            } finally {
                lock.unlock();
            }
        }
    }
}
