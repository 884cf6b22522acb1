package dev.binlogrelay.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The relay's durable copy of the primary's binlog, in RocksDB, under the primary's file names and positions.
 *
 * <p><b>Threading.</b> One writer thread calls {@link #writer()}; any number of reader threads open cursors.
 * A group becomes visible only after its atomic write batch (events, GTID index entries, file size and the
 * committed end) is durable; readers bound every read by the committed end, so they never see a partial group
 * even though RocksDB itself has no transactions across our reads. Readers that reach the end wait for a
 * commit: {@link #addCommitListener} (non-blocking) or {@link #awaitCommitBeyond} (blocking, with a timeout).
 *
 * <p><b>Memory.</b> The newest events are kept in a Caffeine cache weighed by bytes; readers at the tail hit
 * it, readers far behind use RocksDB iterators and do not insert into the cache, so they cannot evict the tail.
 */
public final class BinlogStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BinlogStore.class);
    private static final String META_COMMITTED = "store.committed";

    private final Path dir;
    private final StoreOptions options;
    private final RocksHandles rocks;
    private final WriteOptions writeOptions;
    private final Cache<Long, StoredEvent> cache;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Set<StoreCursor> cursors = ConcurrentHashMap.newKeySet();
    private final ReentrantLock commitLock = new ReentrantLock();
    private final Condition committedCondition = commitLock.newCondition();
    private final BinlogWriter writer = this::appendGroup;
    private volatile FileTable files;
    /** Committed end: file sequence and offset after the last committed group (seq 0 = empty store). */
    private volatile Committed committed = new Committed(0, 0);
    private volatile boolean closed;

    private BinlogStore(Path dir, StoreOptions options) {
        this.dir = dir;
        this.options = options;
        this.rocks = RocksHandles.open(dir, options);
        this.writeOptions = new WriteOptions().setSync(options.syncEachGroup());
        this.cache = Caffeine.newBuilder().maximumWeight(Math.max(1, options.cacheBytes()))
                .weigher((Long k, StoredEvent e) -> e.bytes().length + 64).recordStats().build();
        recover();
    }

    public static BinlogStore open(Path dir, StoreOptions options) {
        return new BinlogStore(dir, options);
    }

    private void recover() {
        List<BinlogFileInfo> list = new ArrayList<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.files)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                ByteBuffer v = ByteBuffer.wrap(it.value());
                long size = v.getLong();
                long first = v.getLong();
                String name = StandardCharsets.UTF_8.decode(v).toString();
                list.add(new BinlogFileInfo(name, ByteBuffer.wrap(it.key()).getInt() & 0xFFFFFFFFL, size, first));
            }
        }
        files = new FileTable(list);
        Optional<String> committedMeta = meta(META_COMMITTED);
        if (committedMeta.isPresent()) {
            String[] parts = committedMeta.get().split(":");
            this.committed = new Committed(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        }
        // defensive: nothing past the committed end may survive (a group is one atomic batch, so this should
        // never find anything; if it does, the data was not acknowledged and must not be served)
        int stray = 0;
        try (RocksIterator it = rocks.db.newIterator(rocks.events); WriteBatch batch = new WriteBatch()) {
            it.seek(Keys.event(committed.seq(), committed.pos()));
            for (; it.isValid(); it.next()) {
                batch.delete(rocks.events, it.key());
                stray++;
            }
            if (stray > 0) {
                rocks.db.write(writeOptions, batch);
                log.warn("store {}: removed {} events past the committed end {}", dir, stray, committed);
            }
        } catch (RocksDBException e) {
            throw new StoreException("store " + dir + ": cannot clean up past the committed end", e);
        }
        log.info("store {} opened: {} files, committed end {}", dir, list.size(), committedEnd().map(Object::toString).orElse("(empty)"));
    }

    // ---------------------------------------------------------------- writer

    public BinlogWriter writer() {
        return writer;
    }

    private void appendGroup(String file, List<EventToStore> events, Map<String, String> metaUpdates) {
        checkOpen();
        if (events.isEmpty()) {
            throw new StoreException("store " + dir + ": empty group for " + file);
        }
        if (file == null || file.isEmpty()) {
            throw new StoreException("store " + dir + ": group without a file name");
        }
        FileTable table = files;
        Optional<BinlogFileInfo> existing = table.byName(file);
        BinlogFileInfo info;
        if (existing.isPresent()) {
            info = existing.get();
            if (info.sequence() != table.newest().orElseThrow().sequence()) {
                throw new StoreException("store " + dir + ": cannot append to " + file + ", which is not the newest file");
            }
            if (events.get(0).position() != info.size()) {
                throw new StoreException("store " + dir + ": group at " + file + ":" + events.get(0).position()
                        + " does not follow the committed end " + info.size());
            }
        } else {
            long seq = table.newest().map(f -> f.sequence() + 1).orElse(1L);
            long first = events.get(0).position();
            if (first < 4) {
                throw new StoreException("store " + dir + ": new file " + file + " cannot start at " + first);
            }
            info = new BinlogFileInfo(file, seq, first, first);
        }
        long pos = info.size();
        List<StoredEvent> stored = new ArrayList<>(events.size());
        try (WriteBatch batch = new WriteBatch()) {
            for (EventToStore e : events) {
                if (e.position() != pos) {
                    throw new StoreException("store " + dir + ": event at " + file + ":" + e.position() + " does not follow " + pos);
                }
                byte[] value = new byte[e.bytes().length + 1];
                value[0] = (byte) e.flags();
                System.arraycopy(e.bytes(), 0, value, 1, e.bytes().length);
                batch.put(rocks.events, Keys.event(info.sequence(), pos), value);
                if (e.gtid() != null) {
                    batch.put(rocks.gtid, Keys.gtid(e.gtid().domainId(), e.gtid().sequence()),
                            ByteBuffer.allocate(16).putInt((int) info.sequence()).putLong(pos).putInt((int) e.gtid().serverId()).array());
                }
                stored.add(new StoredEvent(file, pos, e.bytes(), e.flags()));
                pos += e.bytes().length;
            }
            BinlogFileInfo updated = new BinlogFileInfo(file, info.sequence(), pos, info.firstPosition());
            batch.put(rocks.files, Keys.file(info.sequence()), fileValue(updated));
            for (Map.Entry<String, String> m : metaUpdates.entrySet()) {
                batch.put(rocks.meta, utf8(m.getKey()), utf8(m.getValue()));
            }
            batch.put(rocks.meta, utf8(META_COMMITTED), utf8(info.sequence() + ":" + pos));
            rocks.db.write(writeOptions, batch);
            for (StoredEvent s : stored) {
                cache.put(Keys.cacheKey(info.sequence(), s.position()), s);
            }
            files = table.with(updated);
            publish(info.sequence(), pos);
        } catch (RocksDBException e) {
            throw new StoreException("store " + dir + ": cannot write group at " + file + ":" + events.get(0).position()
                    + ": " + e.getMessage(), e);
        }
    }

    private static byte[] fileValue(BinlogFileInfo f) {
        byte[] name = utf8(f.name());
        return ByteBuffer.allocate(16 + name.length).putLong(f.size()).putLong(f.firstPosition()).put(name).array();
    }

    private void publish(long seq, long pos) {
        commitLock.lock();
        try {
            committed = new Committed(seq, pos);
            committedCondition.signalAll();
        } finally {
            commitLock.unlock();
        }
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("store {}: commit listener failed", dir, e);
            }
        }
    }

    /** Metadata written outside a group, atomically and durably. */
    public void putMeta(Map<String, String> entries) {
        checkOpen();
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, String> m : entries.entrySet()) {
                batch.put(rocks.meta, utf8(m.getKey()), utf8(m.getValue()));
            }
            rocks.db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("store " + dir + ": cannot write metadata " + entries.keySet() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- readers

    public Optional<String> meta(String key) {
        checkOpen();
        try {
            byte[] v = rocks.db.get(rocks.meta, utf8(key));
            return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
        } catch (RocksDBException e) {
            throw new StoreException("store " + dir + ": cannot read metadata " + key + ": " + e.getMessage(), e);
        }
    }

    public Optional<BinlogPosition> committedEnd() {
        Committed c = committed;
        if (c.seq() == 0) {
            return Optional.empty();
        }
        return files.bySequence(c.seq()).map(f -> new BinlogPosition(f.name(), c.pos()));
    }

    public List<BinlogFileInfo> files() {
        return files.all();
    }

    public Optional<BinlogFileInfo> file(String name) {
        return files.byName(name);
    }

    public BinlogCursor openCursor(String file, long position) throws PositionException {
        checkOpen();
        FileTable table = files;
        BinlogFileInfo info = table.byName(file).orElseThrow(() -> new PositionException(
                "Could not find first log file name in binary log index file: " + file + " is not held by the relay"));
        if (position < info.firstPosition()) {
            throw new PositionException("position " + position + " of " + file + " is not held by the relay: its copy of "
                    + file + " starts at " + info.firstPosition());
        }
        if (position > info.size()) {
            throw new PositionException("Client requested master to start replication from position " + position
                    + " of " + file + ", which is beyond the end of the file (" + info.size() + ")");
        }
        if (position < info.size() && !eventStartsAt(info.sequence(), position)) {
            throw new PositionException("Client requested master to start replication from position " + position
                    + " of " + file + ", which is not the start of an event");
        }
        StoreCursor c = new StoreCursor(this, info.sequence(), position);
        cursors.add(c);
        return c;
    }

    private boolean eventStartsAt(long seq, long position) {
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = rocks.db.newIterator(rocks.events, ro)) {
            byte[] key = Keys.event(seq, position);
            it.seek(key);
            return it.isValid() && java.util.Arrays.equals(it.key(), key);
        }
    }

    public Optional<BinlogPosition> findMariaGtid(long domainId, long sequence) {
        checkOpen();
        try {
            byte[] v = rocks.db.get(rocks.gtid, Keys.gtid(domainId, sequence));
            if (v == null) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(v);
            long seq = b.getInt() & 0xFFFFFFFFL;
            long pos = b.getLong();
            return files.bySequence(seq).map(f -> new BinlogPosition(f.name(), pos));
        } catch (RocksDBException e) {
            throw new StoreException("store " + dir + ": cannot read GTID index: " + e.getMessage(), e);
        }
    }

    public Optional<MariaGtidRef> firstMariaGtid(long domainId) {
        return gtidEdge(domainId, true);
    }

    public Optional<MariaGtidRef> lastMariaGtid(long domainId) {
        return gtidEdge(domainId, false);
    }

    private Optional<MariaGtidRef> gtidEdge(long domainId, boolean first) {
        checkOpen();
        try (RocksIterator it = rocks.db.newIterator(rocks.gtid)) {
            if (first) {
                it.seek(Keys.gtid(domainId, 0));
            } else {
                it.seekForPrev(Keys.gtid(domainId, -1L));
            }
            if (!it.isValid()) {
                return Optional.empty();
            }
            ByteBuffer k = ByteBuffer.wrap(it.key());
            long d = k.getInt() & 0xFFFFFFFFL;
            if (d != domainId) {
                return Optional.empty();
            }
            long seqNo = k.getLong();
            long serverId = ByteBuffer.wrap(it.value()).getInt(12) & 0xFFFFFFFFL;
            return Optional.of(new MariaGtidRef(domainId, serverId, seqNo));
        }
    }

    public Set<Long> mariaGtidDomains() {
        checkOpen();
        Set<Long> domains = new TreeSet<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.gtid)) {
            it.seekToFirst();
            while (it.isValid()) {
                long d = ByteBuffer.wrap(it.key()).getInt() & 0xFFFFFFFFL;
                domains.add(d);
                it.seek(Keys.gtid(d + 1, 0));
                if (d == 0xFFFFFFFFL) {
                    break;
                }
            }
        }
        return domains;
    }

    public void addCommitListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeCommitListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Waits until the committed end is past {@code pos}; false on timeout. */
    public boolean awaitCommitBeyond(BinlogPosition pos, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        commitLock.lock();
        try {
            while (!beyond(pos)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                committedCondition.awaitNanos(left);
            }
            return true;
        } finally {
            commitLock.unlock();
        }
    }

    private boolean beyond(BinlogPosition pos) {
        Optional<BinlogFileInfo> f = files.byName(pos.file());
        Committed c = committed;
        if (c.seq() == 0) {
            return false;
        }
        if (f.isEmpty()) {
            return true;
        }
        return c.seq() > f.get().sequence() || (c.seq() == f.get().sequence() && c.pos() > pos.position());
    }

    public CacheStats cacheStats() {
        return cache.stats();
    }

    public long cachedBytes() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    // ---------------------------------------------------------------- for cursors

    Committed committed() {
        return committed;
    }

    /** The committed end as one value, so readers never see a file from one commit and an offset from another. */
    record Committed(long seq, long pos) {
        boolean isAfter(long s, long p) {
            return seq > s || (seq == s && pos > p);
        }

        @Override
        public String toString() {
            return seq + ":" + pos;
        }
    }

    FileTable fileTable() {
        return files;
    }

    StoredEvent cached(long seq, long pos) {
        return cache.getIfPresent(Keys.cacheKey(seq, pos));
    }

    RocksIterator newEventIterator() {
        checkOpen();
        return rocks.db.newIterator(rocks.events);
    }

    void forget(StoreCursor c) {
        cursors.remove(c);
    }

    Path dir() {
        return dir;
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("store " + dir + " is closed");
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        commitLock.lock();
        try {
            committedCondition.signalAll();
        } finally {
            commitLock.unlock();
        }
        for (StoreCursor c : cursors) {
            c.closeIterator();
        }
        cursors.clear();
        writeOptions.close();
        rocks.close();
        log.info("store {} closed", dir);
    }

    /** RocksDB handles of one store; see the option choices in {@link #open}. */
    static final class RocksHandles implements AutoCloseable {
        final RocksDB db;
        final ColumnFamilyHandle events;
        final ColumnFamilyHandle files;
        final ColumnFamilyHandle gtid;
        final ColumnFamilyHandle meta;
        private final List<ColumnFamilyHandle> handles;
        private final RocksTuning tuning;

        private RocksHandles(RocksDB db, List<ColumnFamilyHandle> handles, RocksTuning tuning) {
            this.db = db;
            this.handles = handles;
            this.events = handles.get(1);
            this.files = handles.get(2);
            this.gtid = handles.get(3);
            this.meta = handles.get(4);
            this.tuning = tuning;
        }

        static RocksHandles open(Path dir, StoreOptions options) {
            RocksDB.loadLibrary();
            RocksTuning tuning = new RocksTuning(options);
            List<ColumnFamilyDescriptor> cfs = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, tuning.small),
                    new ColumnFamilyDescriptor(utf8("events"), tuning.events),
                    new ColumnFamilyDescriptor(utf8("files"), tuning.small),
                    new ColumnFamilyDescriptor(utf8("gtid"), tuning.small),
                    new ColumnFamilyDescriptor(utf8("meta"), tuning.small));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try {
                RocksDB db = RocksDB.open(tuning.db, dir.toString(), cfs, handles);
                return new RocksHandles(db, handles, tuning);
            } catch (RocksDBException e) {
                tuning.close();
                throw new StoreException("store " + dir + ": cannot open RocksDB: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            db.close();
            tuning.close();
        }
    }
}
