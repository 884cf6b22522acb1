package dev.binlogrelay.server.canal;

import dev.binlogrelay.server.memory.PendingWriteBudget;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How far one {@link ClientStream} decodes ahead of its gets, and when: a Canal instance parses on its own threads from
 * its start, so a get of the relay should find its entries made, not wait for them. The stream reads ahead from when
 * the client subscribes (and after a rollback), and again whenever a get takes entries or a commit lands after the
 * reading reached the store's end.
 *
 * <p><b>Bounds.</b> A stream stops reading ahead once its carry holds {@link #BATCHES} of the last get's batch size
 * (of {@link #FIRST_BATCH} entries before the first get), or twice {@code canal.max_batch_bytes} of made entries, or
 * once the Canal budget is half spent (the other half is left for gets). Entries read ahead are counted in the budget
 * ({@link Carry}), so the peak over the budget is at most one event per stream.
 *
 * <p><b>Threading.</b> {@link #later} and {@link #committed} from any thread (the store's writer calls the latter: it
 * only queues); {@link #enough}, {@link #handedOut}, {@link #started} and {@link #reachedEnd} under the stream's monitor.
 * At most one reading task of a stream is queued; each reads at most {@link #EVENTS_PER_TASK} events and queues the
 * next, so a get waits for the stream's monitor no longer than that.
 */
final class ReadAhead {
    /** Batches of the last get's size a stream keeps made ahead. */
    static final int BATCHES = 4;
    /** The batch size assumed before a get says it (Canal's example clients ask for 1000). */
    static final int FIRST_BATCH = 1000;
    /** Events one reading task reads before it queues the next (and lets a get in). */
    static final int EVENTS_PER_TASK = 64;

    private final CanalClients clients;
    private final Runnable task;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** The reading stopped at the store's end: a commit queues it again. */
    private volatile boolean atEnd;
    private int batchSize = FIRST_BATCH;

    /** {@code task} reads ahead under the stream's monitor, calling {@link #started} first. */
    ReadAhead(CanalClients clients, Runnable task) {
        this.clients = clients;
        this.task = task;
    }

    /** Queues the reading on a worker unless it is queued already. Any thread. */
    void later() {
        if (queued.compareAndSet(false, true)) {
            clients.execute(task);
        }
    }

    /** The reading task began: another may be queued from now on. */
    void started() {
        queued.set(false);
        atEnd = false;
    }

    /** A get handed out a batch asked as {@code size} entries: read ahead up to {@link #BATCHES} of that size. */
    void handedOut(int size) {
        batchSize = Math.max(1, size);
        later();
    }

    /** The reading met the store's end; a commit after this queues it again, as does one since it began. */
    void reachedEnd(boolean committedSince) {
        atEnd = true;
        if (committedSince) {
            later(); // its events may be past what the cursor saw
        }
    }

    /** The store's writer committed (never blocks): reading that stopped at the end goes on. */
    void committed() {
        if (atEnd) {
            atEnd = false;
            later();
        }
    }

    /** True when {@code carry} holds enough made ahead, or the budget is half spent. */
    boolean enough(Carry carry) {
        PendingWriteBudget budget = clients.budget();
        return carry.size() >= (long) BATCHES * batchSize || carry.bytes() >= 2 * clients.maxBatchBytes()
                || budget.used() >= budget.max() / 2;
    }
}
