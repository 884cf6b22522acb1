package dev.binlogrelay.server.canal;

import dev.binlogrelay.server.canal.entry.Deferred;
import dev.binlogrelay.server.canal.entry.EncodedEntry;
import dev.binlogrelay.server.memory.PendingWriteBudget;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client stream's entries read but not yet batched, in the stream's order, each with the point after it. An entry
 * may still be being made on another worker (a rows event's formatting and encoding, {@link Deferred}): taking it
 * waits for it, or makes it on the taking thread when no worker has started it. An entry's bytes count in the Canal
 * budget from when it is made until it is taken or dropped, whichever thread makes it and in whatever order those
 * happen (each entry's count is settled once, by compare-and-set).
 *
 * <p>Threading: {@link #add}, {@link #take}, {@link #clear}, {@link #size}, {@link #isEmpty} and
 * {@link #helpOldest} under the stream's monitor; {@link #bytes} and {@link #inFlight} from any thread.
 */
final class Carry {
    /** An entry taken: the entry and the point after it. */
    record Taken(EncodedEntry entry, Point after) {
    }

    /** Rows events a stream has being made on other workers at most, ahead of the entry it takes. */
    static final int MAKING_AHEAD = 16;
    /**
     * What an entry waiting here holds beyond its bytes (its Pending, AtomicLong, queue slot, the Deferred's share),
     * counted in the budget from {@link #add} until it is taken or dropped.
     */
    static final int OVERHEAD = 96;

    private static final class Pending {
        final Deferred entries;
        final int index;
        /** Entries the event was expected to make when they were not made yet (then 1: a rows event's one). */
        final int expected;
        final Point after;
        /** Bytes counted in the budget; -1 once taken or dropped (then nothing more is counted). */
        final AtomicLong held = new AtomicLong();

        Pending(Deferred entries, int index, int expected, Point after) {
            this.entries = entries;
            this.index = index;
            this.expected = expected;
            this.after = after;
        }
    }

    private final PendingWriteBudget budget;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /**
     * The entries of {@link #queue} added while not made, oldest first (some made since, or taken): where
     * {@link #helpOldest} looks, instead of walking past the made entries read ahead of them (up to thousands).
     */
    private final ArrayDeque<Pending> making = new ArrayDeque<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();

    Carry(PendingWriteBudget budget) {
        this.budget = budget;
    }

    /**
     * Adds entry {@code index} of {@code entries}; {@code expected} is how many entries the event makes (known when
     * they are made; 1 for a rows event still being made).
     */
    void add(Deferred entries, int index, int expected, Point after) {
        Pending p = new Pending(entries, index, expected, after);
        queue.add(p);
        budget.reserve(OVERHEAD);
        if (!entries.isDone()) {
            dropMade();
            making.add(p);
            inFlight.incrementAndGet();
            entries.whenDone(made -> inFlight.decrementAndGet());
        }
        entries.whenDone(made -> {
            if (made != null && index < made.size()) {
                long size = made.get(index).bytes().size();
                if (p.held.compareAndSet(0, size)) {
                    budget.reserve(size);
                    bytes.addAndGet(size);
                }
            }
        });
    }

    /** The oldest entry, made (here if no worker started it); null when there is none. Rethrows a failed make. */
    Taken take() {
        Pending p = queue.poll();
        if (p == null) {
            return null;
        }
        try {
            var made = p.entries.join();
            if (made.size() != p.expected) {
                throw new IllegalStateException("an event expected to give " + p.expected + " entries gave " + made.size());
            }
            return new Taken(made.get(p.index), p.after);
        } finally {
            release(p);
        }
    }

    /** Makes (or waits for) the oldest entry not made yet, if any: bounds what is being made ahead. */
    void helpOldest() {
        dropMade();
        Pending p = making.peek();
        if (p != null) {
            try {
                p.entries.join();
            } catch (RuntimeException failed) {
                // met again by the get that takes it
            }
        }
    }

    /** Drops the made (or failed) entries from the head of {@link #making}: a taken entry has been made. */
    private void dropMade() {
        while (!making.isEmpty() && making.peek().entries.isDone()) {
            making.poll();
        }
    }

    /** Drops every entry, giving back their bytes. */
    void clear() {
        making.clear();
        for (Pending p; (p = queue.poll()) != null; ) {
            release(p);
        }
    }

    /** Once per entry (it has left the queue). */
    private void release(Pending p) {
        budget.release(OVERHEAD);
        long h = p.held.getAndSet(-1);
        if (h > 0) {
            budget.release(h);
            bytes.addAndGet(-h);
        }
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Bytes of the entries made and not yet taken (counted in the budget). Any thread. */
    long bytes() {
        return bytes.get();
    }

    /** Events added while not made yet whose making has not ended. Any thread. */
    int inFlight() {
        return inFlight.get();
    }
}
