package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The store's {@link BinlogWriter}: validates a group, writes it as one RocksDB batch (events, GTID index
 * entries, the file's record, the caller's metadata and the committed end), then fills the hot cache and
 * publishes the new {@link FileTable}. Nothing is visible to readers before the batch is durable, and a
 * failed validation or write leaves the store unchanged.
 */
final class GroupAppender implements BinlogWriter {
    private final BinlogStore store;
    /** Detects a second writer thread; the store has exactly one writer. */
    private final AtomicReference<Thread> writing = new AtomicReference<>();
    /** Test seam: runs after the batch is durable and before it is published. */
    private volatile Runnable afterWriteBeforePublish = () -> { };

    GroupAppender(BinlogStore store) {
        this.store = store;
    }

    void afterWriteBeforePublish(Runnable hook) {
        this.afterWriteBeforePublish = hook;
    }

    @Override
    public void appendGroup(String file, List<EventToStore> events, Map<String, String> metaUpdates) {
        Thread me = Thread.currentThread();
        if (!writing.compareAndSet(null, me)) {
            throw new StoreException("store " + store.dir() + ": appendGroup called by " + me.getName() + " while "
                    + writing.get().getName() + " is writing; the store has a single writer");
        }
        try {
            store.underReadLock(() -> writeGroup(file, events, metaUpdates == null ? Map.of() : metaUpdates));
        } finally {
            writing.set(null);
        }
        // outside the store's lock: a listener may even close the store
        store.commitSignal().fire(true);
    }

    /** Runs under the store's read lock (the database cannot close under it). Returns the published table. */
    private FileTable writeGroup(String file, List<EventToStore> events, Map<String, String> meta) {
        FileTable table = store.table();
        BinlogFileInfo target = targetFile(table, file, events);
        checkMeta(meta);
        List<StoredEvent> stored = new ArrayList<>(events.size());
        long pos = target.size();
        try (WriteBatch batch = new WriteBatch()) {
            RocksHandles rocks = store.rocks();
            for (EventToStore e : events) {
                checkEvent(file, e, pos);
                batch.put(rocks.events, Keys.event(target.sequence(), pos), Values.event(e.flags(), e.bytes()));
                if (e.gtid() != null) {
                    batch.put(rocks.gtid, Keys.gtid(e.gtid().domainId(), e.gtid().sequence()),
                            Values.gtid(target.sequence(), pos, e.gtid().serverId()));
                }
                store.mysqlGtidIndex().record(batch, target, pos, e.bytes());
                stored.add(new StoredEvent(file, pos, e.bytes(), e.flags()));
                pos += e.bytes().length;
            }
            BinlogFileInfo grown = new BinlogFileInfo(file, target.sequence(), pos, target.firstPosition());
            batch.put(rocks.files, Keys.file(grown.sequence()), Values.file(grown));
            for (Map.Entry<String, String> m : meta.entrySet()) {
                batch.put(rocks.meta, Values.utf8(m.getKey()), Values.utf8(m.getValue()));
            }
            batch.put(rocks.meta, Values.utf8(Values.META_COMMITTED), Values.utf8(Values.committed(grown.sequence(), pos)));
            rocks.db.write(rocks.tuning.groupWrite, batch);

            afterWriteBeforePublish.run();
            for (StoredEvent s : stored) {
                store.cache().put(grown.sequence(), s);
            }
            // from the table published now, not the one read above: a purge may have dropped older files since
            return store.updateTable(now -> now.byName(file) != null ? now.withNewestGrown(grown) : now.withNewFile(grown));
        } catch (RocksDBException e) {
            throw store.rocks().failure("write a group of " + events.size() + " events at " + file + ":" + target.size(), e);
        }
    }

    /** The file the group goes to: the newest file, or a new one (which then becomes the newest). */
    private BinlogFileInfo targetFile(FileTable table, String file, List<EventToStore> events) {
        if (file == null || file.isEmpty()) {
            throw new StoreException("store " + store.dir() + ": a group needs a file name");
        }
        if (events == null || events.isEmpty()) {
            throw new StoreException("store " + store.dir() + ": empty group for " + file);
        }
        long first = events.get(0) == null ? -1 : events.get(0).position();
        BinlogFileInfo existing = table.byName(file);
        if (existing != null) {
            if (existing != table.newest()) {
                throw new StoreException("store " + store.dir() + ": cannot append to " + file + ", which is not the newest file ("
                        + table.newest().name() + " is)");
            }
            if (first != existing.size()) {
                throw new StoreException("store " + store.dir() + ": group at " + file + ":" + first
                        + " does not start at the file's committed end " + existing.size());
            }
            return existing;
        }
        // the relay may start replicating inside the first file it sees; every later file starts at 4
        if (first < 4 || (!table.isEmpty() && first != 4)) {
            throw new StoreException("store " + store.dir() + ": new file " + file + " starts at " + first + ", expected 4"
                    + (table.isEmpty() ? " or later" : ""));
        }
        long seq = table.endSeq() + 1;
        if (seq > Keys.MAX_FILE_SEQ) {
            throw new StoreException("store " + store.dir() + ": no file sequence number left for " + file);
        }
        return new BinlogFileInfo(file, seq, first, first);
    }

    private void checkEvent(String file, EventToStore e, long expectedPosition) {
        if (e == null || e.bytes() == null || e.bytes().length == 0) {
            throw new StoreException("store " + store.dir() + ": empty event at " + file + ":" + expectedPosition);
        }
        if (e.position() != expectedPosition) {
            throw new StoreException("store " + store.dir() + ": event at " + file + ":" + e.position()
                    + " does not follow the previous one, which ends at " + expectedPosition);
        }
        if (e.flags() < 0 || e.flags() > 0xFF) {
            throw new StoreException("store " + store.dir() + ": flags " + e.flags() + " of event " + file + ":" + e.position()
                    + " do not fit in a byte");
        }
        MariaGtidRef g = e.gtid();
        if (g != null && (g.domainId() < 0 || g.domainId() > Keys.MAX_DOMAIN || g.serverId() < 0 || g.serverId() > 0xFFFF_FFFFL)) {
            throw new StoreException("store " + store.dir() + ": GTID " + g + " of event " + file + ":" + e.position()
                    + " has a domain or server id beyond 32 bits");
        }
    }

    private void checkMeta(Map<String, String> meta) {
        for (Map.Entry<String, String> m : meta.entrySet()) {
            BinlogStore.checkMetaEntry(store.dir(), m.getKey(), m.getValue());
        }
    }
}
