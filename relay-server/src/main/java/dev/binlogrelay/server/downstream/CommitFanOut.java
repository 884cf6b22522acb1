package dev.binlogrelay.server.downstream;

import dev.binlogrelay.storage.BinlogReadView;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Wakes the dump sessions of one event loop when the store commits, with one task per loop instead of one
 * per reader.
 *
 * <p>The writer calls the store's commit listeners on its own thread for every transaction. With a listener
 * per reader, a thousand tail readers at 2,000 transactions/s would cost the writer two million task
 * submissions a second. Here each event loop has one listener: a commit submits at most one task to the loop
 * (none while the previous one has not run), and that task pumps every session of the loop in turn.
 *
 * <p>Threading: {@link #add}, {@link #remove} and the pumping run on the event loop; the listener runs on the
 * writer's thread and only flips a flag and submits.
 */
final class CommitFanOut {
    private final BinlogReadView store;
    private final EventLoop loop;
    /** Sessions of this loop; event loop only. */
    private final List<DumpSession> sessions = new ArrayList<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable listener = this::onCommit;
    private DumpSession[] snapshot = new DumpSession[0];

    CommitFanOut(BinlogReadView store, EventLoop loop) {
        this.store = store;
        this.loop = loop;
    }

    /** Starts waking {@code session} on commits. Event loop only. */
    void add(DumpSession session) {
        assert loop.inEventLoop();
        if (sessions.isEmpty()) {
            store.addCommitListener(listener);
        }
        sessions.add(session);
        snapshot = sessions.toArray(DumpSession[]::new);
    }

    /** Stops waking {@code session}; from any thread. */
    void remove(DumpSession session) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> remove(session));
            return;
        }
        if (sessions.remove(session)) {
            snapshot = sessions.toArray(DumpSession[]::new);
            if (sessions.isEmpty()) {
                store.removeCommitListener(listener);
            }
        }
    }

    private void onCommit() {
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this::pumpAll);
        }
    }

    private void pumpAll() {
        scheduled.set(false);
        for (DumpSession s : snapshot) {
            try {
                s.onCommitInLoop();
            } catch (Throwable t) {
                s.fail(t); // one reader's failure ends that reader; the others of the loop are still pumped
            }
        }
    }

}
