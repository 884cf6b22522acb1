package dev.binlogrelay.server.downstream;

import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogReadView;
import dev.binlogrelay.storage.PositionException;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A dump request whose start the relay has not stored yet ({@link NotYetStored}) waits for it, up to
 * {@code downstream.start_wait}: after every commit of the store the start is tried again, and at the deadline a
 * last time before the reader gets the ERR 1236 it would have got at once. This is what lines a snapshot taken
 * through {@code downstream.sql_backend} up with the stream: the snapshot reads the backend's coordinates, which
 * can be ahead of the relay by the replication lag.
 *
 * <p>Threading: everything but the commit listener runs on the reader's event loop; the listener runs on the
 * store's writer thread and only schedules a try (at most one queued at a time). Nothing is held for the reader
 * meanwhile but this object, its listener and one timer; the reader's connection sends nothing (its dump command
 * is unanswered), and closing it ends the wait.
 */
final class DumpStartWait {
    private static final Logger log = LoggerFactory.getLogger(DumpStartWait.class);

    /** Opens the reader's start; throws {@link NotYetStored} while it is ahead of the store. */
    interface Opener {
        BinlogCursor open() throws PositionException;
    }

    private final Channel channel;
    private final String reader;
    private final long startedNanos = System.nanoTime();
    private final BinlogReadView store;
    private final Opener opener;
    private final Consumer<BinlogCursor> onOpened;
    private final Consumer<PositionException> onRefused;
    private final AtomicBoolean tryQueued = new AtomicBoolean();
    private final Runnable listener = this::onCommit;
    private ScheduledFuture<?> deadline;
    private boolean done;

    private DumpStartWait(Channel channel, String reader, BinlogReadView store, Opener opener, Consumer<BinlogCursor> onOpened,
                          Consumer<PositionException> onRefused) {
        this.channel = channel;
        this.reader = reader;
        this.store = store;
        this.opener = opener;
        this.onOpened = onOpened;
        this.onRefused = onRefused;
    }

    /**
     * Opens the start now, or waits up to {@code waitNanos} (0: refuse at once) for the store to reach it. Exactly one
     * of the callbacks runs, on the channel's event loop, unless the channel closes first. Event loop only.
     */
    static void open(Channel channel, String reader, BinlogReadView store, long waitNanos, Opener opener,
                     Consumer<BinlogCursor> onOpened, Consumer<PositionException> onRefused) {
        assert channel.eventLoop().inEventLoop();
        try {
            onOpened.accept(opener.open());
            return;
        } catch (NotYetStored ahead) {
            if (waitNanos <= 0) {
                onRefused.accept(ahead);
                return;
            }
        } catch (PositionException e) {
            onRefused.accept(e);
            return;
        }
        DumpStartWait w = new DumpStartWait(channel, reader, store, opener, onOpened, onRefused);
        w.start(waitNanos);
    }

    private void start(long waitNanos) {
        log.info("reader {} asks to start where the relay has not got to yet; waiting up to {} ms for it (downstream.start_wait)",
                reader, TimeUnit.NANOSECONDS.toMillis(waitNanos));
        store.addCommitListener(listener);
        deadline = channel.eventLoop().schedule(() -> attempt(true), waitNanos, TimeUnit.NANOSECONDS);
        channel.closeFuture().addListener(f -> channel.eventLoop().execute(this::finish));
        attempt(false); // a commit may have come between the first try and the listener
    }

    /** The writer's thread: the store committed. */
    private void onCommit() {
        if (tryQueued.compareAndSet(false, true)) {
            channel.eventLoop().execute(() -> {
                tryQueued.set(false);
                attempt(false);
            });
        }
    }

    private void attempt(boolean last) {
        if (done) {
            return;
        }
        if (!channel.isActive()) {
            finish();
            return;
        }
        BinlogCursor cursor;
        try {
            cursor = opener.open();
        } catch (NotYetStored ahead) {
            if (last) {
                finish();
                onRefused.accept(ahead);
            }
            return;
        } catch (PositionException e) {
            finish();
            onRefused.accept(e);
            return;
        } catch (RuntimeException e) { // the store failed: as for any command, the connection's error handling
            finish();
            channel.pipeline().fireExceptionCaught(e);
            return;
        }
        finish();
        log.info("reader {}: its start was stored after {} ms", reader, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        onOpened.accept(cursor);
    }

    private void finish() {
        if (!done) {
            done = true;
            store.removeCommitListener(listener);
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
    }
}
