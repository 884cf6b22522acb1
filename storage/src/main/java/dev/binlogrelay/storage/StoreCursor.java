package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * A reader's cursor. Every {@link #next()} is bounded by the committed end published at that moment, so a
 * reader never sees part of a group.
 *
 * <p>An event comes from the hot cache when it is there, otherwise from a RocksDB iterator the cursor keeps
 * between calls: reading in order, the iterator already stands on the next key and no seek is needed. A
 * RocksDB iterator sees the database as of its creation (or last refresh); the cursor remembers the committed
 * end at that moment and refreshes the iterator only when it must read beyond it. At the committed end the
 * iterator is released, so an idle reader pins no memtables or SST files. Events read from RocksDB are not
 * put into the cache.
 *
 * <p>Not thread-safe (see {@link BinlogCursor}); the store's close may release the iterator from another
 * thread, which the store's lock makes safe.
 */
final class StoreCursor implements BinlogCursor {
    private final BinlogStore store;
    /** The file the cursor is in; volatile because a purge reads it from another thread (it only grows). */
    private volatile long seq;
    private long pos;
    private RocksIterator iterator;
    /** The committed end when the iterator was created or refreshed: it sees every event before it. */
    private long iteratorSeesSeq;
    private long iteratorSeesPos;
    private final byte[] keyBuffer = new byte[Keys.EVENT_KEY_LENGTH];
    private boolean closed;
    /** How the cursor used RocksDB, for tests and diagnostics. */
    private int iteratorsOpened;
    private int refreshes;
    private int seeks;

    StoreCursor(BinlogStore store, long seq, long pos) {
        this.store = store;
        this.seq = seq;
        this.pos = pos;
    }

    @Override
    public StoredEvent next() {
        if (closed) {
            throw new StoreException("store " + store.dir() + ": cursor at " + position() + " is closed");
        }
        return store.underReadLock(this::advance);
    }

    private StoredEvent advance() {
        while (true) {
            FileTable table = store.table();
            if (!table.endIsAfter(seq, pos)) {
                releaseIterator();
                return null;
            }
            BinlogFileInfo file = table.bySequence(seq);
            if (file == null) {
                throw new StoreException("store " + store.dir() + ": file #" + seq + " under a cursor disappeared");
            }
            if (pos >= file.size()) {
                // this file is complete and committed data follows: continue in the next file
                BinlogFileInfo following = table.bySequence(seq + 1);
                if (following == null) {
                    throw new StoreException("store " + store.dir() + ": no file after " + file.name() + " (#" + seq + ")");
                }
                seq = following.sequence();
                pos = following.firstPosition();
                continue;
            }
            StoredEvent e = store.cache().get(seq, pos);
            if (e == null) {
                e = fromRocks(file.name(), table);
            }
            pos = e.endPosition();
            return e;
        }
    }

    private StoredEvent fromRocks(String fileName, FileTable table) {
        if (!iteratorOnCurrentKey()) {
            if (iterator == null) {
                iterator = store.newEventIterator();
                iteratorsOpened++;
                iteratorSeesSeq = table.endSeq();
                iteratorSeesPos = table.endPos();
            } else if (!(iteratorSeesSeq > seq || (iteratorSeesSeq == seq && iteratorSeesPos > pos))) {
                try {
                    iterator.refresh(); // committed after the iterator's view was taken
                } catch (RocksDBException e) {
                    throw store.rocks().failure("refresh an iterator for " + fileName + ":" + pos, e);
                }
                refreshes++;
                iteratorSeesSeq = table.endSeq();
                iteratorSeesPos = table.endPos();
            }
            iterator.seek(Keys.event(seq, pos));
            seeks++;
            if (!iteratorOnCurrentKey()) {
                try {
                    iterator.status();
                } catch (RocksDBException e) {
                    throw store.rocks().failure("read event " + fileName + ":" + pos, e);
                }
                throw new StoreException("store " + store.dir() + ": committed event " + fileName + ":" + pos + " is missing");
            }
        }
        StoredEvent e = Values.event(fileName, pos, iterator.value());
        iterator.next();
        return e;
    }

    private boolean iteratorOnCurrentKey() {
        if (iterator == null || !iterator.isValid()) {
            return false;
        }
        int n = iterator.key(keyBuffer);
        return n == Keys.EVENT_KEY_LENGTH && Keys.eventFile(keyBuffer) == seq && Keys.eventPosition(keyBuffer) == pos;
    }

    @Override
    public BinlogPosition position() {
        BinlogFileInfo f = store.table().bySequence(seq);
        return new BinlogPosition(f == null ? "#" + seq : f.name(), pos);
    }

    /** Sequence number of the file the cursor is in; any thread (a purge never removes it). */
    long fileSequence() {
        return seq;
    }

    /** Closes the RocksDB iterator, if any. Called by the owner, or by the store's close under its write lock. */
    void releaseIterator() {
        if (iterator != null) {
            iterator.close();
            iterator = null;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.release(this);
    }

    /** {iterators opened, refreshes, seeks} so far. */
    int[] rocksUsage() {
        return new int[] {iteratorsOpened, refreshes, seeks};
    }

    @Override
    public String toString() {
        return "cursor at " + position() + " on " + store.dir();
    }
}
