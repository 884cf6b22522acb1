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
public final class MysqlGtidTracker extends GtidTracker<MysqlGtidTracker.Mark> {
    /**
     * @param executed the executed set after the last group
     * @param recorded true if the store has the set recorded (as of the groups applied)
     */
    record Mark(MysqlGtidSet executed, boolean recorded) {
    }

    MysqlGtidTracker(MysqlGtidSet executed, boolean recorded) {
        super(new Mark(executed, recorded));
    }

    @Override
    public void apply(List<EventToStore> group, ChecksumAlgorithm checksum, StateUpdate.Builder update) {
        MysqlGtidSet executed = current().executed();
        MysqlGtidSet after = executed;
        for (EventToStore e : group) {
            after = MysqlGtidEvent.executedAfter(after, e.bytes(), checksum);
        }
        boolean recorded = current().recorded();
        if (!after.equals(executed) || (!after.isEmpty() && !recorded)) {
            update.mysqlExecuted(after);
            recorded = true;
        }
        moveTo(new Mark(after, recorded));
    }

    /** Starting a MySQL GTID dump into an empty store: the set asked for. */
    void startAt(MysqlGtidSet start) {
        moveTo(new Mark(start, current().recorded()));
    }

    MysqlGtidSet executed() {
        return current().executed();
    }
}
