package dev.binlogrelay.storage.gtid;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoreState;

import java.util.List;

/**
 * The GTID state of what a writer stores, used by the upstream ingester and the importer alike: loaded from the
 * {@link StoreState}, advanced group by group ({@link #apply}, which says what each group's batch records), and
 * rolled back to the last written group if a write fails. Each flavor's bookkeeping is its own
 * {@link GtidTracker}; a stream moves only its flavor's tracker.
 *
 * <p>Threading: the store's writer thread only.
 */
public final class GtidState {
    private final MariaGtidTracker maria;
    private final MysqlGtidTracker mysql;
    private final List<GtidTracker<?>> trackers;

    private GtidState(MariaGtidTracker maria, MysqlGtidTracker mysql) {
        this.maria = maria;
        this.mysql = mysql;
        this.trackers = List.of(maria, mysql);
    }

    /** The state after the last group the store holds. */
    public static GtidState load(StoreState state) {
        var executed = state.mysqlExecutedRecorded();
        return new GtidState(new MariaGtidTracker(state.mariaGtidPosition(), state.mariaStartPosition().isPresent()),
                new MysqlGtidTracker(executed.orElse(MysqlGtidSet.EMPTY), executed.isPresent()));
    }

    /** Advances over one complete group and adds the state after it to the group's {@code update}. */
    public void apply(List<EventToStore> group, ChecksumAlgorithm checksum, StateUpdate.Builder update) {
        for (GtidTracker<?> t : trackers) {
            t.apply(group, checksum, update);
        }
    }

    /** The groups applied so far were written. */
    public void written() {
        trackers.forEach(GtidTracker::written);
    }

    /** Writing the groups applied since the last {@link #written} failed: forget them. */
    public void rollback() {
        trackers.forEach(GtidTracker::rollback);
    }

    /** A MariaDB GTID dump into an empty store starts at {@code start}. */
    public void startMariaAt(MariaGtidPosition start) {
        maria.startAt(start);
    }

    /** A MySQL GTID dump into an empty store starts at {@code start}. */
    public void startMysqlAt(MysqlGtidSet start) {
        mysql.startAt(start);
    }

    /** The MariaDB GTID position after the last applied group. */
    public MariaGtidPosition mariaPosition() {
        return maria.position();
    }

    /** The MySQL executed GTID set after the last applied group. */
    public MysqlGtidSet mysqlExecuted() {
        return mysql.executed();
    }
}
