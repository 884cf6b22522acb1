package dev.binlogrelay.server.memory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A global budget of memory that pending writes may hold: {@code downstream.max_pending_bytes} for the dump and
 * SQL-backend sessions, {@code canal.max_pending_bytes} for the Canal clients (their batches and the decoded-entry
 * cache). Every buffer a session hands to its channel is counted by its capacity (the memory behind it, not its
 * payload) from the write until Netty reports it written or failed.
 *
 * <p>A session starts a write only while the total is under the budget; otherwise it is paused (it is behind
 * and catches up from the store later) and asks to be woken once writes of other readers complete. A write
 * started under the budget may take the total past it by at most what one pump writes (128 KiB plus one
 * event), once per event loop, so the total stays below the budget plus that.
 *
 * <p>Threading: any thread. {@link #reserve}/{@link #release} are one atomic add each; waiters are woken on
 * the thread of the release that made room, and each wake-up only schedules work on its own loop.
 */
public final class PendingWriteBudget {
    private final long max;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    public PendingWriteBudget(long max) {
        if (max <= 0) {
            throw new IllegalArgumentException("a pending-write budget must be more than 0 bytes, not " + max);
        }
        this.max = max;
    }

    public long max() {
        return max;
    }

    /** Bytes held by pending writes now. */
    public long used() {
        return used.get();
    }

    /** The most bytes pending writes held at once since start-up. */
    public long peak() {
        return peak.get();
    }

    /** True while a new write may start. */
    public boolean hasRoom() {
        return used.get() < max;
    }

    /** The budget is spent and sessions wait for room. */
    public boolean underPressure() {
        return !hasRoom() && !waiting.isEmpty();
    }

    /** Counts {@code bytes} handed to a channel. */
    public void reserve(long bytes) {
        long now = used.addAndGet(bytes);
        long p;
        while (now > (p = peak.get()) && !peak.compareAndSet(p, now)) {
            // another writer raised the peak: compare again
        }
    }

    /** Counts {@code bytes} as written (or failed) and wakes the paused sessions once there is room. */
    public void release(long bytes) {
        long now = used.addAndGet(-bytes);
        if (now < max && !waiting.isEmpty()) {
            wakeAll();
        }
    }

    /**
     * Runs {@code wake} once there is room: at once if there is room now, else after a release makes some.
     * A session registers each time it is paused; a wake-up is used once. A session that stops waiting (its wait
     * timed out, its connection closed) takes its wake-up back with {@link #forget}, else the queue would keep it
     * until the next room.
     */
    public void whenRoom(Runnable wake) {
        waiting.add(wake);
        if (hasRoom()) {
            wakeAll(); // the release that made room may have looked at the queue before this wake-up was in it
        }
    }

    /** Takes back a wake-up given to {@link #whenRoom} that has not run (its session no longer waits). */
    public void forget(Runnable wake) {
        waiting.remove(wake);
    }

    /** Wake-ups waiting for room now. */
    public int waiters() {
        return waiting.size();
    }

    private void wakeAll() {
        for (Runnable r; (r = waiting.poll()) != null; ) {
            r.run();
        }
    }
}
