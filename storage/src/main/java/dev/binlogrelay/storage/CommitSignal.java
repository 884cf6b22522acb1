package dev.binlogrelay.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Tells readers that the committed end moved: listeners (called on the writer thread) for non-blocking
 * readers, and a condition for blocking ones. The writer takes the lock only when someone is waiting.
 */
final class CommitSignal {
    private static final Logger log = LoggerFactory.getLogger(CommitSignal.class);

    private final Path dir;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private final AtomicInteger waiters = new AtomicInteger();

    CommitSignal(Path dir) {
        this.dir = dir;
    }

    void addListener(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Threads blocked in {@link #await} right now. */
    int waiting() {
        return waiters.get();
    }

    int listenerCount() {
        return listeners.size();
    }

    /**
     * Called by the writer after publishing a commit (and by close): wakes blocked waiters, then runs the
     * listeners. A failing listener is logged and does not stop the others or fail the commit.
     */
    void fire(boolean runListeners) {
        // a waiter increments 'waiters' before it reads the state, the writer publishes the state before it
        // reads 'waiters': one of the two sees the other, so no wake-up is lost
        if (waiters.get() > 0) {
            lock.lock();
            try {
                moved.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (!runListeners) {
            return;
        }
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("store {}: commit listener {} failed", dir, r, e);
            }
        }
    }

    /** Waits until {@code done} is true (checked after every commit); false on timeout. */
    boolean await(BooleanSupplier done, long timeout, TimeUnit unit) throws InterruptedException {
        long left = unit.toNanos(timeout);
        waiters.incrementAndGet();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                if (left <= 0) {
                    return false;
                }
                left = moved.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
            waiters.decrementAndGet();
        }
    }
}
