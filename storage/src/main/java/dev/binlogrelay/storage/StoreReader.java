package dev.binlogrelay.storage;

import dev.binlogrelay.core.gtid.MysqlGtidSet;
import org.rocksdb.RocksIterator;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The store's {@link BinlogReadView}: positions, cursors, GTID look-ups and commit waits over the published table.
 * {@link BinlogStore} extends it with the writer's side, so the facade is a read view without forwarding each call.
 */
abstract sealed class StoreReader implements BinlogReadView permits BinlogStore {
    final StoreContext ctx;
    private final StoreState state;

    StoreReader(StoreContext ctx, StoreState state) {
        this.ctx = ctx;
        this.state = state;
    }

    @Override
    public Path directory() {
        return ctx.dir();
    }

    @Override
    public StoreState state() {
        ctx.checkOpen();
        return state;
    }

    // ------------------------------------------------------------------ files and positions

    @Override
    public Optional<BinlogPosition> committedEnd() {
        ctx.checkOpen();
        return ctx.table().end();
    }

    @Override
    public List<BinlogFileInfo> files() {
        ctx.checkOpen();
        return ctx.table().all();
    }

    @Override
    public Optional<BinlogFileInfo> file(String name) {
        ctx.checkOpen();
        return Optional.ofNullable(ctx.table().byName(name));
    }

    @Override
    public long storedBytes() {
        ctx.checkOpen();
        return ctx.table().all().stream().mapToLong(BinlogFileInfo::storedBytes).sum();
    }

    @Override
    public Optional<StoredEvent> lastEvent(String file) {
        Objects.requireNonNull(file, "file");
        return ctx.underReadLock(() -> {
            BinlogFileInfo f = ctx.table().byName(file);
            if (f == null || f.size() <= f.firstPosition()) {
                return Optional.empty();
            }
            return eventBefore(f, f.size()); // the last event starting before the committed end
        });
    }

    @Override
    public Optional<StoredEvent> eventEndingAt(String file, long position) {
        Objects.requireNonNull(file, "file");
        return ctx.underReadLock(() -> {
            BinlogFileInfo f = ctx.table().byName(file);
            if (f == null || position <= f.firstPosition() || position > f.size()) {
                return Optional.empty();
            }
            return eventBefore(f, position).filter(e -> e.endPosition() == position);
        });
    }

    /** The last stored event of {@code f} starting before {@code position}. Under the read lock. */
    private Optional<StoredEvent> eventBefore(BinlogFileInfo f, long position) {
        RocksHandles rocks = ctx.rocks();
        try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
            it.seekForPrev(Keys.event(f.sequence(), position - 1));
            if (!it.isValid() || Keys.eventFile(it.key()) != f.sequence()) {
                return Optional.empty();
            }
            // the chunk holding position - 1: its last event starting before position
            long chunk = Keys.eventPosition(it.key());
            byte[] value = it.value();
            StoredEvent[] events = Chunk.isIndex(value)
                    ? ChunkReader.read(ctx, f.sequence(), f.name(), chunk, position).toArray(StoredEvent[]::new)
                    : Chunk.events(f.name(), chunk, value);
            for (int i = events.length - 1; i >= 0; i--) {
                if (events[i].position() < position) {
                    return Optional.of(events[i]);
                }
            }
            return Optional.empty();
        }
    }

    @Override
    public Optional<PurgedRange> purgedRange() {
        ctx.checkOpen();
        return Optional.ofNullable(ctx.purged());
    }

    @Override
    public PositionException fileNotHeld(String file) {
        ctx.checkOpen();
        FileTable t = ctx.table();
        PurgedRange p = ctx.purged();
        BinlogFileInfo oldest = t.oldest();
        String prefix = "Could not find first log file name in binary log index file: ";
        if (p != null && oldest != null && p.covers(file)) {
            return new PositionException(prefix + file + " was purged from the relay; the oldest available position is "
                    + oldest.name() + ":" + oldest.firstPosition());
        }
        return new PositionException(prefix + "'" + file + "' is not among the binlog files the relay holds"
                + (oldest == null ? "" : " (" + oldest.name() + " to " + t.newest().name() + ")"));
    }

    @Override
    public BinlogCursor openCursor(String file, long position) throws PositionException {
        Objects.requireNonNull(file, "file");
        PositionException[] refused = new PositionException[1];
        BinlogCursor c = ctx.underReadLock(() -> ctx.withCursorsFrozen(() -> {
            try {
                return openLocked(file, position);
            } catch (PositionException e) {
                refused[0] = e;
                return null;
            }
        }));
        if (refused[0] != null) {
            throw refused[0];
        }
        return c;
    }

    private StoreCursor openLocked(String file, long position) throws PositionException {
        FileTable t = ctx.table();
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
        if (position < f.firstPosition() || (position < f.size() && !eventStartsAt(f, position))) {
            throw new PositionException("Client requested master to start replication from position " + position + " of "
                    + file + ", which is not an event boundary");
        }
        StoreCursor c = new StoreCursor(ctx, f.sequence(), position);
        ctx.register(c);
        return c;
    }

    /** True if a stored event starts at {@code position}: the first of a chunk, or one inside it. */
    private boolean eventStartsAt(BinlogFileInfo f, long position) {
        if (ctx.cache().contains(f.sequence(), position)) {
            return true;
        }
        RocksHandles rocks = ctx.rocks();
        try (RocksIterator it = rocks.db.newIterator(rocks.events, rocks.tuning.point)) {
            it.seekForPrev(Keys.event(f.sequence(), position));
            return it.isValid() && Keys.eventFile(it.key()) == f.sequence()
                    && Chunk.startsEventAt(f.name(), Keys.eventPosition(it.key()), it.value(), position);
        }
    }

    // ------------------------------------------------------------------ GTID look-ups

    @Override
    public Optional<BinlogPosition> findMariaGtid(long domainId, long sequence) {
        return ctx.underReadLock(() -> ctx.gtidIndex().find(ctx.table(), domainId, sequence));
    }

    @Override
    public Optional<MariaGtidRef> firstMariaGtid(long domainId) {
        return ctx.underReadLock(() -> ctx.gtidIndex().first(ctx.table(), domainId));
    }

    @Override
    public Optional<MariaGtidRef> lastMariaGtid(long domainId) {
        return ctx.underReadLock(() -> ctx.gtidIndex().last(ctx.table(), domainId));
    }

    @Override
    public Set<Long> mariaGtidDomains() {
        return ctx.underReadLock(() -> ctx.gtidIndex().domains(ctx.table()));
    }

    @Override
    public Optional<MysqlGtidSet> mysqlPreviousGtids(String file) {
        Objects.requireNonNull(file, "file");
        return ctx.underReadLock(() -> {
            BinlogFileInfo f = ctx.table().byName(file);
            return f == null ? Optional.empty() : ctx.mysqlGtidIndex().previousGtids(f);
        });
    }

    @Override
    public Optional<BinlogFileInfo> mysqlGtidStartFile(MysqlGtidSet executed) {
        Objects.requireNonNull(executed, "executed");
        return ctx.underReadLock(() -> ctx.mysqlGtidIndex().startFile(ctx.table().all(), executed));
    }

    // ------------------------------------------------------------------ waiting for commits

    @Override
    public void addCommitListener(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        ctx.checkOpen();
        ctx.commitSignal().addListener(listener);
    }

    @Override
    public void removeCommitListener(Runnable listener) {
        ctx.commitSignal().removeListener(listener);
    }

    @Override
    public boolean awaitCommitBeyond(BinlogPosition pos, long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(pos, "pos");
        ctx.checkOpen();
        return ctx.commitSignal().await(() -> ctx.isClosed() || isBeyond(ctx.table(), pos), timeout, unit) && !ctx.isClosed();
    }

    private static boolean isBeyond(FileTable t, BinlogPosition pos) {
        BinlogFileInfo f = t.byName(pos.file());
        return f != null && t.endIsAfter(f.sequence(), pos.position());
    }
}
