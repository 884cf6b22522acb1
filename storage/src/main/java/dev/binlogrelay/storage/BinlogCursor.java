package dev.binlogrelay.storage;

import java.util.concurrent.CompletableFuture;

/**
 * A reader's position in the store. Not thread-safe: one reader uses it at a time (it may hand it from one
 * thread to another between calls). Crosses file boundaries by itself, in file order.
 */
public interface BinlogCursor extends AutoCloseable {
    /**
     * The next committed event, or null when the cursor is at the committed end (call again after a commit
     * listener fired). Never returns an event of a group that is not wholly committed.
     */
    StoredEvent next();

    /**
     * As {@link #next()}, but never waits for a read from RocksDB: when the next event has to be read from
     * storage first, starts that read in the background and returns null with {@link #pendingRead()} set; call
     * again once it completes. For callers on an event loop, which other readers share.
     */
    default StoredEvent nextWithoutWaiting() {
        return next();
    }

    /**
     * The background read the last {@link #nextWithoutWaiting()} started (completes normally even if the read
     * failed: the next call then reports the failure), or null if that call returned an event or the end.
     */
    default CompletableFuture<?> pendingRead() {
        return null;
    }

    /** Where the next event starts (file and offset). At the end of a file with a successor, that file's end. */
    BinlogPosition position();

    @Override
    void close();
}
