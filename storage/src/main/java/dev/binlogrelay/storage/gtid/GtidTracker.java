package dev.binlogrelay.storage.gtid;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;

import java.util.List;

/**
 * One flavor's GTID bookkeeping over the groups the store takes: it follows the groups' GTID events and says
 * what of its state each group's batch must record. Only the flavor's own events move it; the other flavor's
 * events pass through, so both trackers can follow any stream.
 *
 * <p>The state is one immutable value {@code S}; the tracker keeps the value after the last written group, so a
 * failed write goes back to it.
 *
 * <p>Threading: the store's writer thread only.
 */
public abstract sealed class GtidTracker<S> permits MariaGtidTracker, MysqlGtidTracker {
    private S current;
    private S written;

    GtidTracker(S initial) {
        current = initial;
        written = initial;
    }

    /** Advances over one complete group, in order, and puts the state after it into the group's {@code update}. */
    public abstract void apply(List<EventToStore> group, ChecksumAlgorithm checksum, StateUpdate.Builder update);

    /** The groups applied so far were written: they become what {@link #rollback} returns to. */
    public final void written() {
        written = current;
    }

    /** Writing the groups applied since {@link #written} failed: back to the state after the last written group. */
    public final void rollback() {
        current = written;
    }

    final S current() {
        return current;
    }

    final void moveTo(S next) {
        current = next;
    }
}
