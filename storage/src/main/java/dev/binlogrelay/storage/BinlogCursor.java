package dev.binlogrelay.storage;

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

    /** Where the next event starts (file and offset). At the end of a file with a successor, that file's end. */
    BinlogPosition position();

    @Override
    void close();
}
