package dev.binlogrelay.storage;

import dev.binlogrelay.core.gtid.MysqlGtidSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What readers of a {@link BinlogStore} (the downstream side) see: the files and positions, cursors, GTID look-ups,
 * waiting for commits, and the {@link StoreState} (format descriptions, GTID state). Nothing here writes binlog.
 *
 * <p><b>Threading.</b> Any thread; a cursor is used by one thread at a time. Every read is bounded by the
 * published committed end, so readers never see uncommitted data or part of a group. A reader at the end waits
 * for a commit: {@link #addCommitListener} for event-loop readers (the listener runs on the writer thread right
 * after each commit and must only schedule work), or {@link #awaitCommitBeyond} to block with a timeout.
 */
public interface BinlogReadView {
    Path directory();

    /** Everything the store remembers besides the binlog (format descriptions, GTID state, upstream identity), read-only. */
    StoreStateView state();

    // ------------------------------------------------------------------ files and positions

    /** File and offset after the last committed group; empty for an empty store. */
    Optional<BinlogPosition> committedEnd();

    /** The files the store holds, oldest first, with their committed sizes. */
    List<BinlogFileInfo> files();

    Optional<BinlogFileInfo> file(String name);

    /** Stored bytes of all held files ({@link BinlogFileInfo#storedBytes()}), the quantity retention bounds. */
    long storedBytes();

    /**
     * The last committed event of a held file (its header timestamp is when the file was last written to);
     * empty if the file is not held or holds no event.
     */
    Optional<StoredEvent> lastEvent(String file);

    /**
     * The committed event of {@code file} that ends exactly at {@code position} (the one a reader asking to start
     * there received last); empty if the file is not held, the position is not the end of a stored event, or the
     * event before it was purged or never stored (a file whose copy starts later).
     */
    Optional<StoredEvent> eventEndingAt(String file, long position);

    /** What has been purged so far; empty if nothing has. */
    Optional<PurgedRange> purgedRange();

    /**
     * The error for a reader asking for a file the store does not hold: "was purged", with the oldest available
     * position, if the file lies in the purged range; otherwise "not among the files the relay holds".
     */
    PositionException fileNotHeld(String file);

    /**
     * A cursor whose first event starts at {@code position} of {@code file}. Valid positions are the start of a
     * stored event of that file, or exactly the file's committed end (the cursor then continues with the next
     * file, or waits at the tail). Positions below 4 are not adjusted here; callers map them. A file a cursor is
     * in is never purged.
     *
     * @throws PositionException (for the peer, as error 1236) if the file is unknown, or the position is not an
     *                           event boundary, or lies beyond the file's committed end
     */
    BinlogCursor openCursor(String file, long position) throws PositionException;

    // ------------------------------------------------------------------ MariaDB GTID index

    /** Where the GTID event of {@code domainId}-*-{@code sequence} starts, if the store holds it. */
    Optional<BinlogPosition> findMariaGtid(long domainId, long sequence);

    /** The GTID with the lowest sequence number the store holds in that domain. */
    Optional<MariaGtidRef> firstMariaGtid(long domainId);

    /** The GTID with the highest sequence number the store holds in that domain. */
    Optional<MariaGtidRef> lastMariaGtid(long domainId);

    /** The GTID domains the store holds at least one GTID of, in ascending order. */
    Set<Long> mariaGtidDomains();

    // ------------------------------------------------------------------ MySQL GTID index (see MysqlGtidIndex)

    /** The set of a held file's PREVIOUS_GTIDS event; empty if the file is not held or was stored without it. */
    Optional<MysqlGtidSet> mysqlPreviousGtids(String file);

    /**
     * Where a MySQL reader with the executed GTID set {@code executed} starts, as MySQL's dump thread decides: the
     * newest held file whose previous-GTIDs set it contains. Empty if none does (or no file has an entry).
     */
    Optional<BinlogFileInfo> mysqlGtidStartFile(MysqlGtidSet executed);

    // ------------------------------------------------------------------ waiting for commits

    /**
     * Runs {@code listener} on the writer thread right after every commit. It must be cheap and must not block:
     * schedule the reading on the reader's own thread (an event loop) and return. Exceptions are logged.
     */
    void addCommitListener(Runnable listener);

    /** Removes a listener; harmless after close. */
    void removeCommitListener(Runnable listener);

    /**
     * Blocks until the committed end lies beyond {@code pos} (a later file, or further in the same file), for
     * at most {@code timeout}. A file the store has not seen yet counts as coming later: the call waits until it
     * appears and passes {@code pos}.
     *
     * @return true if the committed end is beyond {@code pos}; false on timeout or if the store closed
     */
    boolean awaitCommitBeyond(BinlogPosition pos, long timeout, TimeUnit unit) throws InterruptedException;
}
