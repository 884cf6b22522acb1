package dev.binlogrelay.server.canal.entry;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The entries of one stored event, made now or later by whichever thread wants them first: a worker it was handed
 * to ({@link #run}) or the reader that needs them ({@link #join}, which runs the work itself when nobody has started
 * it, so a reader never waits for a queued task, and workers blocked in gets cannot starve the queue). The work runs
 * once; its value or its exception is every caller's.
 *
 * <p>Used to decode one client's rows events on several workers: the part that depends on the stream's order
 * (TABLE_MAPs, schema history, the rows' values) runs in order on the stream's thread; what is left (Canal's value
 * formatting and the protobuf encoding, most of the work) is a pure function of the decoded rows.
 */
public final class Deferred {
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CompletableFuture<List<EncodedEntry>> result = new CompletableFuture<>();
    private volatile Supplier<List<EncodedEntry>> work;

    public Deferred(Supplier<List<EncodedEntry>> work) {
        this.work = work;
    }

    /** Entries already made. */
    public static Deferred done(List<EncodedEntry> entries) {
        Deferred d = new Deferred(null);
        d.claimed.set(true);
        d.result.complete(entries);
        return d;
    }

    /** Does the work unless someone has started it (any thread). */
    public void run() {
        if (!claimed.compareAndSet(false, true)) {
            return;
        }
        try {
            result.complete(work.get());
        } catch (Throwable e) { // every failure completes it: joiners and EntryCache waiters wait without a bound
            result.completeExceptionally(e);
        } finally {
            work = null;
        }
    }

    /** The entries: does the work now if nobody has started it, else waits for it; rethrows its exception. */
    public List<EncodedEntry> join() {
        run();
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw e;
        }
    }

    public boolean isDone() {
        return result.isDone();
    }

    /**
     * Calls {@code then} once the work is done (on the thread that did it, or now): with the entries, or with null
     * when it failed.
     */
    public void whenDone(Consumer<List<EncodedEntry>> then) {
        result.whenComplete((v, e) -> then.accept(e == null ? v : null));
    }
}
