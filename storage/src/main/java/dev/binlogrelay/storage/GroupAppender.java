package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The store's {@link BinlogWriter}: validates groups, writes them as one RocksDB batch (events gathered into
 * {@link Chunk}s of a window each, GTID index
 * entries, the files' records, the groups' {@link StateUpdate}s and the committed end), then fills the hot cache and
 * publishes the new {@link FileTable}. Nothing is visible to readers before the batch is durable, and a
 * failed validation or write leaves the store unchanged.
 *
 * <p>Two ways to make a batch durable ({@link SyncMode#syncerDelayMillis()}):
 * <ul>
 * <li>per append ({@link SyncMode.EveryGroup}): the event files are fsynced, the batch is written with
 *     {@code sync=true} and published before the call returns;</li>
 * <li>by the {@link WalSyncer} ({@link SyncMode.GroupCommit}, {@link SyncMode.Interval}): the append writes the
 *     events' bytes to their files and hands the batch, not yet written to RocksDB, to the syncer. The syncer
 *     fsyncs the event files, then writes the batches it covers to RocksDB and fsyncs the WAL, then publishes
 *     them, oldest first. So RocksDB never indexes bytes a power loss could take back: the index is written
 *     only once they are durable. The writer validates against {@link #written}, its own view that includes
 *     batches not yet published.</li>
 * </ul>
 * With {@link SyncMode.None} the batch is written at once, nothing fsynced.
 */
final class GroupAppender implements BinlogWriter {
    private final StoreContext ctx;
    /** Detects a second writer thread; the store has exactly one writer. */
    private final AtomicReference<Thread> writing = new AtomicReference<>();
    /** Test seam: runs after the batch is durable (or, on an interval, written) and before it is published. */
    private volatile Runnable afterWriteBeforePublish = () -> { };
    /** The interval's syncer; null when every append syncs. */
    private final WalSyncer syncer;
    /** With a syncer: the table as written, published or not. Only the writer thread uses it. */
    private FileTable written;
    /** Gathers the batch's events into chunks (see {@link ChunkBuilder}); writer thread only. */
    private final ChunkBuilder chunks;

    GroupAppender(StoreContext ctx) {
        this.ctx = ctx;
        this.chunks = new ChunkBuilder(ctx.rocks().eventFiles);
        long delay = ctx.options().sync().syncerDelayMillis();
        this.syncer = delay >= 0 ? new WalSyncer(ctx, this, delay) : null;
        ctx.syncer(syncer);
        this.written = ctx.table();
    }

    void afterWriteBeforePublish(Runnable hook) {
        this.afterWriteBeforePublish = hook;
    }

    /** The syncer of the interval mode; null when every append syncs. */
    WalSyncer syncer() {
        return syncer;
    }

    /** Events of a written batch with the sequence number of their file, for the hot cache. */
    record CachedEvent(long fileSeq, StoredEvent event) {
    }

    /**
     * A batch to publish once durable: the grown files in order, its events, its metadata, the events' bytes, and,
     * for the syncer, its RocksDB batch (the index, the files' records, the metadata), which the syncer writes after
     * the event files' fsync and then closes; null once written by the append itself.
     */
    record Batch(List<BinlogFileInfo> grown, List<CachedEvent> events, Map<String, String> meta, long bytes,
                 WriteBatch index) {
    }

    @Override
    public void appendGroup(String file, List<EventToStore> events, StateUpdate state) {
        appendGroups(List.of(new Group(file, events, state)));
    }

    @Override
    public void appendGroups(List<Group> groups) {
        if (groups == null || groups.isEmpty()) {
            throw new StoreException("store " + ctx.dir() + ": no group to append");
        }
        Thread me = Thread.currentThread();
        if (!writing.compareAndSet(null, me)) {
            throw new StoreException("store " + ctx.dir() + ": appendGroup called by " + me.getName() + " while "
                    + writing.get().getName() + " is writing; the store has a single writer");
        }
        Batch batch;
        try {
            if (syncer != null) {
                syncer.awaitRoom(); // before anything is written: a refusal leaves the store as it was
            }
            batch = ctx.underReadLock(() -> write(groups));
        } finally {
            writing.set(null);
        }
        if (syncer != null) {
            syncer.enqueue(batch);
            return;
        }
        // outside the store's lock: a listener may even close the store
        ctx.commitSignal().fire(true);
    }

    /**
     * With a sync interval: fsyncs the WAL now and publishes every batch written so far (the upstream resume
     * position is then the written end). Otherwise nothing to do. Any thread.
     */
    void syncNow() {
        if (syncer != null) {
            syncer.syncNow();
        }
    }

    /** Runs under the store's read lock (the database cannot close under it). */
    private Batch write(List<Group> groups) {
        // with the syncer, the table as written (the published one once nothing waits: it has dropped purged files)
        FileTable table = syncer == null || syncer.queued() == 0 ? ctx.table() : written;
        List<BinlogFileInfo> grown = new ArrayList<>(groups.size());
        int eventCount = 0;
        long incoming = 0;
        for (Group g : groups) {
            if (g.events() != null) {
                eventCount += g.events().size();
                for (EventToStore e : g.events()) {
                    incoming += e == null || e.bytes() == null ? 0 : e.bytes().length;
                }
            }
        }
        // before any byte is written: the event files are written while the batch is built
        ctx.health().checkFreeSpace(incoming);
        List<CachedEvent> stored = new ArrayList<>(eventCount);
        Map<String, String> meta = new HashMap<>();
        boolean inWrite = false;
        RocksHandles rocks = ctx.rocks();
        chunks.reset();
        WriteBatch batch = new WriteBatch();
        try {
            for (int gi = 0; gi < groups.size(); gi++) {
                Group g = groups.get(gi);
                String file = g.file();
                BinlogFileInfo target = targetFile(table, file, g.events());
                checkMeta(g.state().meta());
                long pos = target.size();
                for (EventToStore e : g.events()) {
                    checkEvent(file, e, pos);
                    chunks.add(batch, rocks.events, target.sequence(), pos, e.bytes(), e.flags());
                    if (e.gtid() != null) {
                        batch.put(rocks.gtid, Keys.gtid(e.gtid().domainId(), e.gtid().sequence()),
                                Values.gtid(target.sequence(), pos, e.gtid().serverId()));
                    }
                    ctx.mysqlGtidIndex().record(batch, target, pos, e.bytes());
                    stored.add(new CachedEvent(target.sequence(), new StoredEvent(file, pos, e.bytes(), e.flags())));
                    pos += e.bytes().length;
                }
                BinlogFileInfo next = new BinlogFileInfo(file, target.sequence(), pos, target.firstPosition());
                if (gi == groups.size() - 1 || !file.equals(groups.get(gi + 1).file())) {
                    // the batch is atomic: a file's record as its last group in the batch leaves it is enough
                    batch.put(rocks.files, Keys.file(next.sequence()), Values.file(next));
                }
                if (g.state().formatDescription() != null) {
                    batch.put(rocks.files, Keys.format(next.sequence()), g.state().formatDescription());
                }
                meta.putAll(g.state().meta()); // put once below: a later group's value of a key wins, as in order
                grown.add(next);
                table = apply(table, next);
            }
            chunks.flush(batch, rocks.events);
            for (Map.Entry<String, String> m : meta.entrySet()) {
                batch.put(rocks.meta, Values.utf8(m.getKey()), Values.utf8(m.getValue()));
            }
            BinlogFileInfo last = grown.get(grown.size() - 1);
            batch.put(rocks.meta, Values.utf8(Values.META_COMMITTED), Values.utf8(Values.committed(last.sequence(), last.size())));
            inWrite = true;
            if (syncer == null) {
                if (!rocks.tuning.unsyncedAppends) {
                    rocks.eventFiles.force(); // the bytes durable before the WAL that makes them visible
                }
                rocks.db.write(rocks.tuning.groupWrite, batch);
            }
        } catch (IOException e) {
            // the event bytes could not be written or synced (disk full, I/O error): nothing was indexed
            StoreException failure = new StoreException("store " + ctx.dir() + ": cannot write the events of " + groups.size()
                    + " group(s) at " + groups.get(0).file() + ":" + groups.get(0).events().get(0).position() + " to "
                    + EventFiles.dirOf(ctx.dir()) + ": " + ioMessage(e), e);
            ctx.health().failed(failure.getMessage());
            throw failure;
        } catch (RocksDBException e) {
            StoreException failure = rocks.failure("write " + groups.size() + " group(s) of " + stored.size()
                    + " events at " + groups.get(0).file() + ":" + groups.get(0).events().get(0).position(), e);
            if (inWrite) {
                ctx.health().failed(failure.getMessage());
            }
            throw failure;
        } finally {
            if (syncer == null || !inWrite) {
                batch.close(); // with the syncer, a batch built in full is the syncer's to write and close
            }
        }
        if (syncer == null) {
            ctx.health().succeeded(); // with the syncer: once its sync succeeds
        }
        Batch done = new Batch(List.copyOf(grown), stored, meta, incoming, syncer != null ? batch : null);
        afterWriteBeforePublish.run();
        if (syncer != null) {
            written = table;
        } else {
            publish(done);
        }
        return done;
    }

    /** Makes a durable batch visible: the hot cache first, then the table (readers bounded by it). */
    void publish(Batch batch) {
        for (CachedEvent c : batch.events()) {
            ctx.cache().put(c.fileSeq(), c.event());
        }
        // from the table published now, not the one written against: a purge may have dropped older files since
        ctx.updateTable(now -> {
            FileTable t = now;
            for (BinlogFileInfo g : batch.grown()) {
                t = apply(t, g);
            }
            return t;
        });
    }

    private static FileTable apply(FileTable t, BinlogFileInfo grown) {
        return t.byName(grown.name()) != null ? t.withNewestGrown(grown) : t.withNewFile(grown);
    }

    /** The file the group goes to: the newest file, or a new one (which then becomes the newest). */
    private BinlogFileInfo targetFile(FileTable table, String file, List<EventToStore> events) {
        if (file == null || file.isEmpty()) {
            throw new StoreException("store " + ctx.dir() + ": a group needs a file name");
        }
        if (events == null || events.isEmpty()) {
            throw new StoreException("store " + ctx.dir() + ": empty group for " + file);
        }
        long first = events.get(0) == null ? -1 : events.get(0).position();
        BinlogFileInfo existing = table.byName(file);
        if (existing != null) {
            if (existing != table.newest()) {
                throw new StoreException("store " + ctx.dir() + ": cannot append to " + file + ", which is not the newest file ("
                        + table.newest().name() + " is)");
            }
            if (first != existing.size()) {
                throw new StoreException("store " + ctx.dir() + ": group at " + file + ":" + first
                        + " does not start at the file's committed end " + existing.size());
            }
            return existing;
        }
        // the relay may start replicating inside the first file it sees; every later file starts at 4
        if (first < 4 || (!table.isEmpty() && first != 4)) {
            throw new StoreException("store " + ctx.dir() + ": new file " + file + " starts at " + first + ", expected 4"
                    + (table.isEmpty() ? " or later" : ""));
        }
        long seq = table.endSeq() + 1;
        if (seq > Keys.MAX_FILE_SEQ) {
            throw new StoreException("store " + ctx.dir() + ": no file sequence number left for " + file);
        }
        return new BinlogFileInfo(file, seq, first, first);
    }

    private void checkEvent(String file, EventToStore e, long expectedPosition) {
        if (e == null || e.bytes() == null || e.bytes().length == 0) {
            throw new StoreException("store " + ctx.dir() + ": empty event at " + file + ":" + expectedPosition);
        }
        if (e.position() != expectedPosition) {
            throw new StoreException("store " + ctx.dir() + ": event at " + file + ":" + e.position()
                    + " does not follow the previous one, which ends at " + expectedPosition);
        }
        if (e.flags() < 0 || e.flags() > Chunk.MAX_FLAGS) {
            throw new StoreException("store " + ctx.dir() + ": flags " + e.flags() + " of event " + file + ":" + e.position()
                    + " beyond " + Chunk.MAX_FLAGS + " (a higher value would read as a chunk's marker)");
        }
        MariaGtidRef g = e.gtid();
        if (g != null && (g.domainId() < 0 || g.domainId() > Keys.MAX_DOMAIN || g.serverId() < 0 || g.serverId() > 0xFFFF_FFFFL)) {
            throw new StoreException("store " + ctx.dir() + ": GTID " + g + " of event " + file + ":" + e.position()
                    + " has a domain or server id beyond 32 bits");
        }
    }

    /** An I/O error's message, with "No space left on device" spelled out as the disk being full. */
    private static String ioMessage(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") ? "disk full (" + m + ")" : m;
    }

    private void checkMeta(Map<String, String> meta) {
        for (Map.Entry<String, String> m : meta.entrySet()) {
            StoreState.checkMetaEntry(ctx.dir(), m.getKey(), m.getValue());
        }
    }
}
