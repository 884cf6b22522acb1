package dev.binlogrelay.storage.gtid;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.MysqlGtidEvent;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;

import java.util.List;

/**
 * MySQL: the GTID set executed up to the last stored group (the first file's PREVIOUS_GTIDS, or the set the
 * relay started from, plus every stored GTID). Written with a group when it changes, and with the first group
 * after a start from a GTID set that is not recorded yet.
 */
public final class MysqlGtidTracker implements GtidTracker {
    private MysqlGtidSet executed;
    /** True if the store has the set recorded (as of the groups applied). */
    private boolean recorded;
    private MysqlGtidSet writtenExecuted;
    private boolean writtenRecorded;

    MysqlGtidTracker(MysqlGtidSet executed, boolean recorded) {
        this.executed = executed;
        this.recorded = recorded;
        written();
    }

    @Override
    public void apply(List<EventToStore> group, ChecksumAlgorithm checksum, StateUpdate.Builder update) {
        MysqlGtidSet after = executed;
        for (EventToStore e : group) {
            after = MysqlGtidEvent.executedAfter(after, e.bytes(), checksum);
        }
        if (!after.equals(executed) || (!after.isEmpty() && !recorded)) {
            update.mysqlExecuted(after);
            recorded = true;
        }
        executed = after;
    }

    /** Starting a MySQL GTID dump into an empty store: the set asked for. */
    void startAt(MysqlGtidSet start) {
        executed = start;
    }

    MysqlGtidSet executed() {
        return executed;
    }

    @Override
    public void written() {
        writtenExecuted = executed;
        writtenRecorded = recorded;
    }

    @Override
    public void rollback() {
        executed = writtenExecuted;
        recorded = writtenRecorded;
    }
}
