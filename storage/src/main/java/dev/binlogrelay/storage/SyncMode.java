package dev.binlogrelay.storage;

/**
 * When the store fsyncs its write-ahead log, which is when a group becomes visible to readers
 * ({@code storage.sync} in the configuration).
 * <ul>
 * <li>{@link EveryGroup}: every append is fsynced before it returns and is visible.</li>
 * <li>{@link GroupCommit} ({@code every_transaction} in the relay's configuration): the same contract, with the
 *     fsync on the {@link WalSyncer} thread. An append writes the events' bytes and returns; the syncer fsyncs as
 *     soon as the previous fsync has ended, covering every append written meanwhile, and only then makes them
 *     visible. The writer keeps receiving while the disk syncs, as a server's group commit does.</li>
 * <li>{@link Interval} ({@code 10ms}): group commit on a timer. Appends are written to the WAL without fsync; the
 *     {@link WalSyncer} thread fsyncs at most once per interval and only then makes the groups it covers visible.
 *     Same contract as every group (a reader never receives a group a crash could take back), fewer fsyncs.</li>
 * <li>{@link None} ({@code none}): the WAL is written before a group is visible, never fsynced by the store (a
 *     killed relay loses nothing the OS had; a power loss can take back what readers saw). Tests, benchmarks, and
 *     operators who chose the primary's {@code sync_binlog=0} trade-off.</li>
 * </ul>
 */
public sealed interface SyncMode {
    SyncMode EVERY_GROUP = new EveryGroup();
    SyncMode NONE = new None();
    SyncMode GROUP_COMMIT = new GroupCommit();
    /** Longest accepted interval: readers wait up to this long for every new transaction. */
    long MAX_INTERVAL_MILLIS = 10_000;

    /** An fsync per append. */
    record EveryGroup() implements SyncMode {
    }

    /** An fsync per append too, done by the syncer thread back to back: the appends written during one share the next. */
    record GroupCommit() implements SyncMode {
    }

    /** An fsync at most once per {@code millis}, before the groups it covers become visible. */
    record Interval(long millis) implements SyncMode {
        public Interval {
            if (millis < 1 || millis > MAX_INTERVAL_MILLIS) {
                throw new IllegalArgumentException("a sync interval must be between 1 and " + MAX_INTERVAL_MILLIS
                        + " ms, got " + millis);
            }
        }
    }

    /** No fsync by the store. */
    record None() implements SyncMode {
    }

    /** True if no append waits for an fsync of its own (the syncer's or none at all). */
    default boolean unsyncedAppends() {
        return !(this instanceof EveryGroup);
    }

    /** How long the {@link WalSyncer} lets a written batch wait for its fsync, in ms: 0 at once; -1: there is no syncer. */
    default long syncerDelayMillis() {
        return this instanceof Interval i ? i.millis() : this instanceof GroupCommit ? 0 : -1;
    }
}
