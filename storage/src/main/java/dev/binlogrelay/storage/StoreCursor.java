package dev.binlogrelay.storage;

import org.rocksdb.RocksIterator;

import java.util.Arrays;

/**
 * A reader's cursor: serves from the hot cache when the event is there, otherwise from a RocksDB iterator
 * that it keeps between calls for sequential reads (an iterator sees the data as of its creation, so it is
 * re-created when the committed end has moved past what it can see). Events read from RocksDB are not put in
 * the cache: a reader far behind cannot evict the tail.
 */
final class StoreCursor implements BinlogCursor {
    private final BinlogStore store;
    private long seq;
    private long pos;
    private RocksIterator iterator;
    private byte[] iteratorKey;
    private boolean closed;

    StoreCursor(BinlogStore store, long seq, long pos) {
        this.store = store;
        this.seq = seq;
        this.pos = pos;
    }

    @Override
    public StoredEvent next() {
        if (closed) {
            throw new StoreException("cursor on store " + store.dir() + " is closed");
        }
        while (true) {
            BinlogStore.Committed committed = store.committed();
            if (!committed.isAfter(seq, pos)) {
                return null;
            }
            FileTable files = store.fileTable();
            BinlogFileInfo file = files.bySequence(seq).orElseThrow(() -> new StoreException(
                    "store " + store.dir() + ": file #" + seq + " under a cursor disappeared"));
            if (pos >= file.size()) {
                // this file is complete and a later one has committed data: move on
                BinlogFileInfo next = files.after(seq).orElseThrow(() -> new StoreException(
                        "store " + store.dir() + ": no file after " + file.name()));
                seq = next.sequence();
                pos = next.firstPosition();
                continue;
            }
            StoredEvent e = store.cached(seq, pos);
            if (e == null) {
                e = fromRocks(file.name());
            }
            pos += e.bytes().length;
            return e;
        }
    }

    private StoredEvent fromRocks(String fileName) {
        byte[] key = Keys.event(seq, pos);
        if (iterator == null || iteratorKey == null || !Arrays.equals(iteratorKey, key)) {
            seek(key, false);
            if (!iterator.isValid() || !Arrays.equals(iterator.key(), key)) {
                seek(key, true); // written after the iterator was made
            }
        }
        if (!iterator.isValid() || !Arrays.equals(iterator.key(), key)) {
            throw new StoreException("store " + store.dir() + ": committed event " + fileName + ":" + pos + " is missing");
        }
        byte[] value = iterator.value();
        StoredEvent e = new StoredEvent(fileName, pos, Arrays.copyOfRange(value, 1, value.length), value[0]);
        iterator.next();
        iteratorKey = iterator.isValid() ? iterator.key() : null;
        return e;
    }

    private void seek(byte[] key, boolean fresh) {
        if (iterator == null || fresh) {
            closeIterator();
            iterator = store.newEventIterator();
        }
        iterator.seek(key);
        iteratorKey = iterator.isValid() ? iterator.key() : null;
    }

    @Override
    public BinlogPosition position() {
        String name = store.fileTable().bySequence(seq).map(BinlogFileInfo::name).orElse("?");
        return new BinlogPosition(name, pos);
    }

    void closeIterator() {
        if (iterator != null) {
            iterator.close();
            iterator = null;
            iteratorKey = null;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeIterator();
            store.forget(this);
        }
    }
}
