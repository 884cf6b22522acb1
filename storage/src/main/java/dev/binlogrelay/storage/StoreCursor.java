package dev.binlogrelay.storage;

import java.util.concurrent.CompletableFuture;

/**
 * A reader's cursor. Every event it returns lies before the committed end published when it was fetched, so
 * a reader never sees part of a group.
 *
 * <p>Where an event comes from:
 * <ol>
 * <li>the current segment, if the next event is in it: an array walk, without lock, map lookup or native
 *     call (a reader far behind spends almost all its reads here); or the successor of the hot-tail node
 *     it read last, if that is the next event and committed (a reader at the tail reads here);</li>
 * <li>otherwise, under the store's read lock, the hot tail ({@link TailCache}) when the position is at or
 *     after its oldest entry: readers at the tail are served from memory;</li>
 * <li>otherwise the segment holding the position from the {@link SegmentCache}, shared with every other
 *     reader of that stretch and loaded from RocksDB once.</li>
 * </ol>
 * Events read from RocksDB are never put into the hot tail, so a reader far behind cannot evict it. The cursor
 * holds no RocksDB iterator between calls: an idle reader pins no memtables or SST files.
 *
 * <p>Not thread-safe (see {@link BinlogCursor}).
 */
final class StoreCursor implements BinlogCursor {
    /** Hit and miss counts are kept here and added to the store's statistics in batches of at most this. */
    private static final int COUNT_BATCH = 4096;

    private final StoreContext ctx;
    /** The file the cursor is in; volatile because a purge reads it from another thread (it only grows). */
    private volatile long seq;
    private long pos;
    /** The segment the last cold read came from, and the index of the event after it. */
    private SegmentCache.Segment segment;
    private int nextInSegment;
    /** The hot-tail node of the last event served from memory; its successor is the next candidate. */
    private TailCache.Node tailNode;
    private int pendingHits;
    private int pendingMisses;
    private boolean closed;
    /** Events served without the store's lock (from the segment or the tail chain), for tests and diagnostics. */
    private long lockFreeReads;
    private CompletableFuture<?> pendingRead;
    /** The window last loaded in the background: not asked for twice (one too large to cache is read here). */
    private long backgroundSeq = -1;
    private long backgroundWindow = -1;

    StoreCursor(StoreContext ctx, long seq, long pos) {
        this.ctx = ctx;
        this.seq = seq;
        this.pos = pos;
    }

    @Override
    public StoredEvent nextWithoutWaiting() {
        if (pendingRead != null && !pendingRead.isDone()) {
            return null; // still loading (a commit woke the caller early)
        }
        pendingRead = null;
        return next(false);
    }

    @Override
    public CompletableFuture<?> pendingRead() {
        return pendingRead;
    }

    @Override
    public StoredEvent next() {
        return next(true);
    }

    /** The next event; without {@code mayWait}, a cold window is loaded in the background instead (see above). */
    private StoredEvent next(boolean mayWait) {
        if (closed) {
            throw new StoreException("store " + ctx.dir() + ": cursor at " + position() + " is closed");
        }
        if (!ctx.isClosed()) {
            SegmentCache.Segment s = segment;
            if (s != null && nextInSegment < s.events.length) {
                StoredEvent e = s.events[nextInSegment];
                if (e.position() == pos) {
                    nextInSegment++;
                    pos = e.endPosition();
                    lockFreeReads++;
                    if (++pendingMisses >= COUNT_BATCH) {
                        flushCounts();
                    }
                    return e;
                }
            }
            TailCache.Node t = tailNode;
            if (t != null) {
                TailCache.Node n = t.next;
                // the writer links an event before it commits it: follow the link only up to the committed end
                if (n != null && n.fileSeq == seq && n.event.position() == pos && ctx.table().endIsAfter(seq, pos)) {
                    tailNode = n;
                    pos = n.event.endPosition();
                    lockFreeReads++;
                    if (++pendingHits >= COUNT_BATCH) {
                        flushCounts();
                    }
                    return n.event;
                }
            }
        }
        flushCounts();
        return ctx.underReadLock(() -> advance(mayWait));
    }

    private StoredEvent advance(boolean mayWait) {
        while (true) {
            FileTable table = ctx.table();
            if (!table.endIsAfter(seq, pos)) {
                segment = null;
                return null; // the tail node stays: the next committed event is most likely linked to it
            }
            BinlogFileInfo file = table.bySequence(seq);
            if (file == null) {
                throw new StoreException("store " + ctx.dir() + ": file #" + seq + " under a cursor disappeared");
            }
            if (pos >= file.size()) {
                // this file is complete and committed data follows: continue in the next file
                BinlogFileInfo following = table.bySequence(seq + 1);
                if (following == null) {
                    throw new StoreException("store " + ctx.dir() + ": no file after " + file.name() + " (#" + seq + ")");
                }
                seq = following.sequence();
                pos = following.firstPosition();
                segment = null;
                continue;
            }
            TailCache.Node n = ctx.cache().node(seq, pos);
            if (n != null) {
                segment = null;
                tailNode = n;
                pos = n.event.endPosition();
                pendingHits++;
                return n.event;
            }
            tailNode = null;
            // a finished file is committed to its end; the newest one up to the committed end, and a private
            // (growing) window is read only up to where the hot tail takes over
            long committedTo = table.endSeq() > seq ? Long.MAX_VALUE : table.endPos();
            Long tailStart = ctx.cache().oldestPosition(seq);
            long window = SegmentCache.window(pos);
            if (tailStart != null && tailStart > pos && committedTo < SegmentCache.windowEnd(window)) {
                committedTo = tailStart;
            }
            if (!mayWait && committedTo >= SegmentCache.windowEnd(window)
                    && !(backgroundSeq == seq && backgroundWindow == window) && !ctx.segments().isCached(seq, window)) {
                // a complete window not in memory: load it off the caller's thread (an event loop)
                backgroundSeq = seq;
                backgroundWindow = window;
                pendingRead = ctx.segments().loadInBackground(ctx, seq, file.name(), window);
                if (pendingRead != null) {
                    segment = null;
                    return null;
                }
            }
            SegmentCache.Segment s = ctx.segments().segmentAt(ctx, seq, file.name(), pos, committedTo);
            int i = s.indexOf(pos);
            if (i < 0) {
                throw new StoreException("store " + ctx.dir() + ": committed event " + file.name() + ":" + pos + " is missing");
            }
            segment = s;
            nextInSegment = i + 1;
            if (s.complete) {
                readAheadAfter(table, file, SegmentCache.window(pos));
            }
            StoredEvent e = s.events[i];
            pos = e.endPosition();
            pendingMisses++;
            return e;
        }
    }

    /** Asks for the window after {@code index} of {@code file} in the background, if it is complete. */
    private void readAheadAfter(FileTable table, BinlogFileInfo file, long index) {
        long nextIndex = index + 1;
        BinlogFileInfo nextFile = file;
        if (SegmentCache.windowEnd(index) >= file.size()) {
            nextFile = table.bySequence(file.sequence() + 1);
            if (nextFile == null || nextFile.size() <= nextFile.firstPosition()) {
                return;
            }
            nextIndex = SegmentCache.window(nextFile.firstPosition());
        }
        boolean complete = table.endSeq() > nextFile.sequence() || table.endPos() >= SegmentCache.windowEnd(nextIndex);
        if (complete) {
            ctx.segments().readAhead(ctx, nextFile.sequence(), nextFile.name(), nextIndex);
        }
    }

    private void flushCounts() {
        ctx.cache().recordHits(pendingHits);
        ctx.cache().recordMisses(pendingMisses);
        pendingHits = 0;
        pendingMisses = 0;
    }

    @Override
    public BinlogPosition position() {
        BinlogFileInfo f = ctx.table().bySequence(seq);
        return new BinlogPosition(f == null ? "#" + seq : f.name(), pos);
    }

    /** Sequence number of the file the cursor is in; any thread (a purge never removes it). */
    long fileSequence() {
        return seq;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flushCounts();
        segment = null;
        tailNode = null;
        ctx.release(this);
    }

    /** Events served without the store's lock: from the segment in hand or along the hot tail's links. */
    long lockFreeReads() {
        return lockFreeReads;
    }

    @Override
    public String toString() {
        return "cursor at " + position() + " on " + ctx.dir();
    }
}
