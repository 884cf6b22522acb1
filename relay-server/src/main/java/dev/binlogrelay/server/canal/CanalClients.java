package dev.binlogrelay.server.canal;

import dev.binlogrelay.server.canal.entry.EntryCache;
import dev.binlogrelay.server.canal.entry.EntryStream;
import dev.binlogrelay.server.memory.PendingWriteBudget;
import dev.binlogrelay.storage.BinlogReadView;
import dev.binlogrelay.storage.CanalCursors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Canal clients attached now, one {@link ClientStream} per destination and client id, and the threads they read
 * the store on: a small pool of workers (the event loops never read the store) and one timer thread for gets with
 * a timeout. A client attached by a second connection is taken from the first, whose connection closes.
 *
 * <p>Memory: one {@link PendingWriteBudget} ({@code canal.max_pending_bytes}) counts every batch from its first entry
 * until it is written (or dropped), and the {@link EntryCache} the streams share, which may hold a quarter of it
 * and is emptied when the last client detaches.
 *
 * <p>Batch ids count per client id for the life of the process, as Canal's do, so an id from an earlier connection
 * is never mistaken for a new one.
 */
final class CanalClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CanalClients.class);

    private final BinlogReadView store;
    private final CanalCursors cursors;
    private final CanalSettings settings;
    private final Clock clock;
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final Map<String, ClientStream> attached = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> batchIds = new ConcurrentHashMap<>();
    private final AtomicLong batchesDelivered = new AtomicLong();
    private final AtomicLong entriesDelivered = new AtomicLong();
    private final AtomicLong roomWaits = new AtomicLong();
    private final AtomicLong writeTimeouts = new AtomicLong();
    private final PendingWriteBudget budget;
    private final EntryCache cache;
    private java.util.function.BiFunction<String, Long, EntrySource> entrySources;

    CanalClients(BinlogReadView store, CanalCursors cursors, CanalSettings settings, Clock clock, int workerThreads) {
        this(store, cursors, settings, clock, pool(workerThreads),
                Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "canal-timer")));
    }

    /** With the given workers and timer (tests run the workers on the calling thread). */
    CanalClients(BinlogReadView store, CanalCursors cursors, CanalSettings settings, Clock clock, ExecutorService workers,
                 ScheduledExecutorService timers) {
        this.store = store;
        this.cursors = cursors;
        this.settings = settings;
        this.clock = clock;
        this.workers = workers;
        this.timers = timers;
        this.budget = new PendingWriteBudget(settings.maxPendingBytes());
        this.cache = new EntryCache(settings.maxPendingBytes() / 4, delta -> {
            if (delta >= 0) {
                budget.reserve(delta);
            } else {
                budget.release(-delta);
            }
        });
        this.entrySources = (file, position) ->
                EntrySource.of(new EntryStream(dev.binlogrelay.core.rows.SchemaTracker.NONE).withCache(cache));
    }

    private static ExecutorService pool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> daemon(r, "canal-reader-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    BinlogReadView store() {
        return store;
    }

    CanalCursors cursors() {
        return cursors;
    }

    Clock clock() {
        return clock;
    }

    /** A new entry stream for a client stream that (re)opens its store cursor at {@code file}:{@code position}. */
    EntrySource newEntrySource(String file, long position) {
        return entrySources.apply(file, position);
    }

    /** Entries made by {@code sources}, given where a stream starts (tests: their own; the relay: with schemas). */
    CanalClients entrySources(java.util.function.BiFunction<String, Long, EntrySource> sources) {
        this.entrySources = sources;
        return this;
    }

    /** Tests: entries made by {@code sources} instead of the relay's {@code EntryStream}. */
    CanalClients entrySources(java.util.function.Supplier<EntrySource> sources) {
        return entrySources((file, position) -> sources.get());
    }

    /** The Canal memory budget: batches from their first entry until written, and the entry cache. */
    PendingWriteBudget budget() {
        return budget;
    }

    /** The decoded entries the streams share. */
    EntryCache cache() {
        return cache;
    }

    long maxBatchBytes() {
        return settings.maxBatchBytes();
    }

    CanalSettings settings() {
        return settings;
    }

    void execute(Runnable task) {
        try {
            workers.execute(task);
        } catch (RejectedExecutionException closing) {
            // the server is stopping: connections close with it
        }
    }

    /** Runs {@code task} on a worker after {@code delayNanos}; returns its timer (null while stopping). */
    java.util.concurrent.Future<?> schedule(Runnable task, long delayNanos) {
        try {
            return timers.schedule(() -> execute(task), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            return null; // stopping
        }
    }

    long nextBatchId(String destination, String clientId) {
        return batchIds.computeIfAbsent(key(destination, clientId), k -> new AtomicLong(1)).getAndIncrement();
    }

    /** The destination of that name; Canal's error for one it does not serve. */
    CanalSettings.Destination destination(String name) {
        CanalSettings.Destination d = settings.destinations().get(name);
        if (d == null) {
            throw new CanalError(400, "destination:" + name + " should start first (this relay serves "
                    + String.join(", ", new java.util.TreeSet<>(settings.destinations().keySet())) + ")");
        }
        return d;
    }

    /**
     * Attaches a client to {@code owner}: at its stored cursor (with the stored filter unless {@code filter} is
     * given), or, for a client never seen, where its destination starts new clients. Worker thread.
     *
     * @param filter the subscription's filter, or null to keep the stored one (an implicit attach)
     */
    ClientStream attach(CanalSession owner, String destination, String clientId, String filter) {
        CanalSettings.Destination d = destination(destination);
        String key = key(destination, clientId);
        ClientStream before = attached.get(key);
        if (before != null && before.owner != owner) {
            log.info("canal: destination {} client {} moves from {} to {}; the first connection closes",
                    destination, clientId, before.owner, owner);
            before.owner.takenOver(before);
            detach(before);
        }
        var stored = cursors.get(destination, clientId);
        Point start = stored.map(c -> new Point(c.file(), c.position(), c.skip()))
                .orElseGet(() -> newClientStart(d));
        String f = filter != null ? filter : stored.map(CanalCursors.Cursor::filter).orElse("");
        ClientStream s = new ClientStream(this, owner, d, clientId, f, start);
        attached.put(key, s);
        s.persist();
        s.startReadingAhead();
        log.info("canal: destination {} client {} subscribed from {} at {} (filter {})", destination, clientId, owner,
                start == null ? "the first stored event" : start, f.isEmpty() ? "of the destination: " + d.filter() : f);
        return s;
    }

    /** True if the client has a stored cursor (it subscribed once and never unsubscribed). */
    boolean known(String destination, String clientId) {
        return cursors.get(destination, clientId).isPresent();
    }

    private Point newClientStart(CanalSettings.Destination d) {
        if (d.startEarliest()) {
            var files = store.files();
            return files.isEmpty() ? null : new Point(files.get(0).name(), files.get(0).firstPosition(), 0);
        }
        return store.committedEnd().map(p -> new Point(p.file(), p.position(), 0)).orElse(null);
    }

    void detach(ClientStream s) {
        attached.remove(key(s.destination, s.clientId), s);
        s.close();
        if (attached.isEmpty()) {
            cache.clear(); // no client reads: give the memory back (a client attaching now starts cold)
        }
    }

    /** Unsubscribes: detaches and forgets the stored cursor (retention no longer holds for the client). */
    void unsubscribe(ClientStream s) {
        detach(s);
        cursors.remove(s.destination, s.clientId);
        log.info("canal: destination {} client {} unsubscribed; its cursor is removed", s.destination, s.clientId);
    }

    int attachedCount() {
        return attached.size();
    }

    /** A batch of {@code entries} entries handed to a client (for the metrics). */
    void delivered(int entries) {
        batchesDelivered.incrementAndGet();
        entriesDelivered.addAndGet(entries);
    }

    /**
     * A get waits for room in the memory budget (counted for the metrics): the parked gets of every client answer
     * with the entries they hold, giving their bytes back once written.
     */
    void waitedForRoom() {
        roomWaits.incrementAndGet();
        attached.values().forEach(ClientStream::resumeParked);
    }

    long roomWaits() {
        return roomWaits.get();
    }

    /** A connection closed because its batch's write made no progress ({@link WriteDeadline}; for the metrics). */
    void writeTimedOut() {
        writeTimeouts.incrementAndGet();
    }

    long writeTimeouts() {
        return writeTimeouts.get();
    }

    long batchesDelivered() {
        return batchesDelivered.get();
    }

    long entriesDelivered() {
        return entriesDelivered.get();
    }

    static String key(String destination, String clientId) {
        return destination + '\0' + clientId;
    }

    @Override
    public void close() {
        attached.values().forEach(ClientStream::close);
        attached.clear();
        cache.clear();
        timers.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
