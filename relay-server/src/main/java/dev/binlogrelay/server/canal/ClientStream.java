package dev.binlogrelay.server.canal;

import com.google.protobuf.ByteString;
import dev.binlogrelay.server.canal.entry.Deferred;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogReadView;
import dev.binlogrelay.storage.CanalCursors;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoredEvent;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One attached Canal client (a destination and a client id): its acknowledged point, its read position in the store,
 * the entries read but not yet batched, and its outstanding batches.
 *
 * <p><b>Points.</b> A client resumes at a {@link Point}: a transaction boundary (the end of a whole stored group) plus
 * how many entries of the next group it already has. The acknowledged one is persisted in {@link CanalCursors}; a
 * batch may end inside a transaction, and resuming there re-reads the transaction and drops the entries already
 * acknowledged. Entries are counted before filtering, so a changed filter does not move the point.
 *
 * <p><b>Memory.</b> Entries read ahead and a get's entries count in the Canal memory budget until written; while it
 * is spent a get takes no more than its first entry and answers with what it has.
 *
 * <p><b>Threading.</b> {@link CanalClients}' workers (store reads may wait for RocksDB) or the store's writer ({@link
 * #wake}, which only schedules); guarded by this object's monitor. A get waiting for entries parks until a commit or its timer.
 */
final class ClientStream {
    final String destination;
    final String clientId;
    final CanalSession owner;
    private final CanalClients clients;
    private final BinlogReadView store;
    private final CanalSettings.Destination settings;
    private final Runnable onCommit = this::wake;
    private String filterText;
    private FilterMemo filter;
    private Point acked;
    private long seenWritten;
    private BinlogCursor cursor;
    private EntrySource entryStream;
    private String boundaryFile;
    private long boundaryPosition;
    private int produced;
    private int skipLeft;
    private final Carry carry;
    private final ReadAhead ahead;
    private RuntimeException aheadError; // met by a get once the entries read before it are taken
    private final Batches outstanding = new Batches();
    private PendingGet waiting;
    private volatile boolean parked;
    /** The connection closed ({@link #connectionClosed}): a get that would park from now on ends instead. */
    private volatile boolean connectionGone;
    /** Commits seen by {@link #wake}: a get parks only if none landed since it started reading. */
    private final AtomicLong commits = new AtomicLong();
    private boolean closed;

    ClientStream(CanalClients clients, CanalSession owner, CanalSettings.Destination settings, String clientId,
                 String filterText, Point acked) {
        this.clients = clients;
        this.owner = owner;
        this.store = clients.store();
        this.settings = settings;
        this.destination = settings.name();
        this.clientId = clientId;
        this.acked = acked;
        this.carry = new Carry(clients.budget());
        this.ahead = new ReadAhead(clients, this::readAhead);
        filter(filterText);
        store.addCommitListener(onCommit);
    }

    /** Sets the subscription filter ("" or null: the destination's). */
    synchronized void filter(String text) {
        this.filterText = text == null ? "" : text;
        this.filter = new FilterMemo(filterText.isEmpty() ? settings.filter() : CanalFilter.parse(filterText));
    }

    synchronized Point acked() {
        return acked;
    }

    /** Writes the acknowledged point (and the time the client was seen) to the store; nothing before a first point. */
    synchronized void persist() {
        if (acked == null) {
            return;
        }
        long now = clients.clock().millis();
        clients.cursors().put(new CanalCursors.Cursor(destination, clientId, acked.file(), acked.position(), acked.skip(),
                now, filterText));
        seenWritten = now;
    }

    /** Refreshes the stored "seen" time at most once a minute, for retention's hold on silent clients. */
    synchronized void touch() {
        if (clients.clock().millis() - seenWritten > 60_000) {
            persist();
        }
    }

    /** Starts a get; the future completes on a worker thread (or at once). */
    synchronized CompletableFuture<PendingGet.Batched> get(PendingGet g) {
        if (g.timeoutNanos > 0) {
            g.timer = clients.schedule(() -> expire(g), g.timeoutNanos);
        }
        pump(g);
        return g.result;
    }

    private synchronized void expire(PendingGet g) {
        g.expired = true;
        if (waiting == g) {
            waiting = null;
            parked = false;
            finish(g);
        }
    }

    /** Store writer thread, after every commit: resumes a parked get on a worker. Never blocks. */
    private void wake() {
        commits.incrementAndGet();
        ahead.committed();
        resumeParked();
    }

    /** Any thread: resumes a parked get (a commit; or gets wait for room: it answers with the entries it holds). */
    void resumeParked() {
        if (parked) {
            parked = false;
            clients.execute(this::resume);
        }
    }

    /** Any thread: the connection closed: a parked get ends, its bytes given back, so the connection can detach. */
    void connectionClosed() {
        connectionGone = true; // before the drop: a get parking after the drop ran sees it
        clients.execute(this::dropWaiting);
    }

    private synchronized void dropWaiting() {
        if (waiting != null) {
            waiting.fail(clients.budget(), new CanalError(400, "client " + clientId + ": the connection closed"));
            waiting = null;
            parked = false;
        }
    }

    private synchronized void resume() {
        PendingGet g = waiting;
        if (g != null) {
            waiting = null;
            pump(g);
        }
    }

    private void pump(PendingGet g) {
        if (closed) {
            g.fail(clients.budget(), new CanalError(400, "the client " + clientId + " was detached"));
            return;
        }
        boolean atEnd = false;
        boolean cursorAtEnd = false;
        long commitsBefore = commits.get();
        try {
            if (!open()) {
                atEnd = true;
            }
            while (!atEnd && g.entries.size() < g.batchSize && g.payload < clients.maxBatchBytes()
                    && (g.entries.isEmpty() || clients.budget().hasRoom())) {
                if (aheadError != null && carry.isEmpty()) { // the entries read before it go first
                    if (g.entries.isEmpty()) {
                        throw aheadError; // its event was taken from the cursor: this get meets it
                    }
                    break;
                }
                // keep up to MAKING_AHEAD rows events being made on other workers while this one takes them in order
                while (!cursorAtEnd && aheadError == null && (carry.isEmpty() || (carry.inFlight() < Carry.MAKING_AHEAD
                        && carry.size() < 4 * Carry.MAKING_AHEAD && clients.budget().hasRoom()))) {
                    StoredEvent e = cursor.next();
                    cursorAtEnd = e == null;
                    aheadError = e == null ? null : produceOrError(e);
                }
                Carry.Taken p = carry.take();
                if (p == null) {
                    atEnd = true;
                    continue;
                }
                g.end = p.after();
                if (filter.matches(p.entry())) {
                    ByteString bytes = p.entry().bytes();
                    g.entries.add(bytes);
                    g.payload += bytes.size();
                    g.bytes += bytes.size() + PendingGet.ENTRY_OVERHEAD;
                    clients.budget().reserve(bytes.size() + PendingGet.ENTRY_OVERHEAD);
                }
            }
        } catch (PositionException | RuntimeException e) {
            reposition();
            g.fail(clients.budget(), new CanalError(400, "destination " + destination + ", client " + clientId
                    + ": cannot read from " + acked + ": " + e.getMessage()));
            return;
        }
        if (atEnd) {
            ahead.reachedEnd(false); // a commit from now on reads ahead again
        }
        boolean full = g.entries.size() >= g.batchSize || g.payload >= clients.maxBatchBytes()
                || (!g.entries.isEmpty() && !clients.budget().hasRoom()); // the memory budget is spent: send what it has
        if (full || g.timeoutNanos < 0 || g.expired || !atEnd) {
            finish(g);
        } else if (connectionGone) { // a get carried out after its connection closed: none would wake it
            g.fail(clients.budget(), new CanalError(400, "client " + clientId + ": the connection closed"));
        } else {
            waiting = g;
            parked = true;
            if (commits.get() != commitsBefore && parked) {
                parked = false; // a commit landed while reading: read again rather than wait for the next
                clients.execute(this::resume);
            }
        }
    }

    private void finish(PendingGet g) {
        if (g.entries.isEmpty()) {
            g.ended();
            g.result.complete(new PendingGet.Batched(-1, List.of(), 0));
            return;
        }
        long id = clients.nextBatchId(destination, clientId);
        outstanding.add(id, g.end);
        clients.delivered(g.entries.size());
        g.result.complete(new PendingGet.Batched(id, List.copyOf(g.entries), g.bytes));
        g.ended();
        ahead.handedOut(g.batchSize);
    }

    /** Any thread: starts reading ahead (on attach): the first get finds its entries made, as Canal's parser has them. */
    void startReadingAhead() {
        ahead.later();
    }

    /** A worker reads entries into {@link #carry} ahead of the gets ({@link ReadAhead}); a parked get reads for itself. */
    private synchronized void readAhead() {
        ahead.started();
        if (closed || waiting != null || aheadError != null) {
            return;
        }
        long commitsBefore = commits.get();
        try {
            if (!open()) {
                ahead.reachedEnd(commits.get() != commitsBefore);
                return;
            }
            for (int events = 0; events < ReadAhead.EVENTS_PER_TASK; events++) {
                if (ahead.enough(carry)) {
                    return;
                }
                if (carry.inFlight() >= Carry.MAKING_AHEAD) {
                    carry.helpOldest(); // make one here rather than read further ahead
                    continue;
                }
                StoredEvent e = cursor.next();
                if (e == null) {
                    ahead.reachedEnd(commits.get() != commitsBefore);
                    return;
                }
                if ((aheadError = produceOrError(e)) != null) {
                    return; // met by a get after the entries read before it
                }
            }
        } catch (PositionException | RuntimeException e) {
            aheadError = cursor != null && e instanceof RuntimeException r ? r : null; // else a get opens and answers
            return;
        }
        ahead.later();
    }

    /** Opens the store cursor after the outstanding batches (or at the acknowledged point) if needed; false while the store holds nothing. */
    private boolean open() throws PositionException {
        if (cursor != null) {
            return true;
        }
        if (acked == null) {
            var files = store.files();
            if (files.isEmpty()) {
                return false;
            }
            acked = new Point(files.get(0).name(), files.get(0).firstPosition(), 0);
            persist();
        }
        Point from = outstanding.lastEnd(acked); // after the batches handed out: never again under new ids
        cursor = store.openCursor(from.file(), from.position());
        entryStream = clients.newEntrySource(from.file(), from.position());
        boundaryFile = from.file();
        boundaryPosition = from.position();
        produced = 0;
        skipLeft = from.skip();
        if (from.position() > 4) {
            byte[] fde = store.state().formatDescription(from.file()).orElse(null);
            if (fde != null) {
                entryStream.accept(from.file(), 4, fde);
            }
        }
        return true;
    }

    /** {@link #produce}; its error returned, to be met once the entries read before it are taken. */
    private RuntimeException produceOrError(StoredEvent e) {
        try {
            produce(e);
            return null;
        } catch (RuntimeException x) {
            return x;
        }
    }

    /** Reads one event's entries into the carry; a rows event's one entry is made by a worker or the get taking it. */
    private void produce(StoredEvent e) {
        Deferred made = entryStream.later(e.file(), e.position(), e.bytes());
        boolean ready = made.isDone();
        int count = ready ? made.join().size() : 1;
        if (!ready) {
            clients.execute(made::run);
        }
        boolean ends = e.endsGroup();
        for (int i = 0; i < count; i++) {
            produced++;
            Point after = ends && i == count - 1 ? new Point(e.file(), e.endPosition(), 0)
                    : new Point(boundaryFile, boundaryPosition, produced);
            if (skipLeft > 0) {
                skipLeft--;
                continue;
            }
            carry.add(made, i, count, after);
        }
        if (ends) {
            boundaryFile = e.file();
            boundaryPosition = e.endPosition();
            produced = 0;
        }
    }

    /** Acknowledges the oldest outstanding batch; Canal's errors for any other id. */
    synchronized void ack(long batchId) {
        acked = outstanding.ack(batchId, clientId);
        persist();
    }

    /** Rolls back every outstanding batch (batchId 0) or, Canal's way, the oldest and every later one. */
    synchronized void rollback(long batchId) {
        boolean moves = outstanding.size() > 0 || waiting != null || aheadError != null; // else the read-ahead stays
        outstanding.rollback(batchId, clientId);
        if (moves) {
            reposition();
            ahead.later(); // read ahead from the new position (after an error, not: the next get tries again)
        }
    }

    /** Back to after the outstanding batches (the acknowledged point once rolled back): the next get reads from there. */
    private void reposition() {
        if (cursor != null) {
            cursor.close();
            cursor = null;
        }
        carry.clear();
        aheadError = null;
        entryStream = null;
        if (waiting != null) {
            waiting.fail(clients.budget(), new CanalError(400, "rolled back while a get was waiting"));
            waiting = null;
            parked = false;
        }
    }

    /** True while entries read ahead wait here (a get then frees memory, so it need not wait for room). Any thread. */
    boolean hasReadAhead() {
        return carry.bytes() > 0;
    }

    synchronized int outstandingBatches() {
        return outstanding.size();
    }

    /** Detaches: drops the outstanding batches (they come again to the next connection) and frees the cursor. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.removeCommitListener(onCommit);
        outstanding.clear();
        reposition();
    }
}
