package dev.binlogrelay.storage.gtid;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;

import java.util.List;

/**
 * MariaDB: the GTID position after the last stored group (one GTID per domain), written with every group, and
 * the position just before the first stored GTID group, written once with that group (a reader at exactly that
 * state starts at the beginning of what the relay holds). Until the first GTID group, a GTID_LIST event sets the
 * position (the state the binlog file starts from).
 */
public final class MariaGtidTracker extends GtidTracker<MariaGtidTracker.Mark> {
    /**
     * @param position the GTID position after the last group
     * @param started  true once the start position is recorded (a GTID group is stored)
     */
    record Mark(MariaGtidPosition position, boolean started) {
    }

    MariaGtidTracker(MariaGtidPosition position, boolean started) {
        super(new Mark(position, started));
    }

    @Override
    public void apply(List<EventToStore> group, ChecksumAlgorithm checksum, StateUpdate.Builder update) {
        MariaGtidPosition position = current().position();
        boolean started = current().started();
        for (EventToStore e : group) {
            if (e.gtid() != null) {
                if (!started) {
                    update.mariaStartPosition(position);
                    started = true;
                }
                position = position.with(new MariaGtid(e.gtid().domainId(), e.gtid().serverId(), e.gtid().sequence()));
            } else if (!started && Events.type(e.bytes()) == EventType.MARIA_GTID_LIST) {
                position = MariaGtidPosition.of(MariaGtidEvent.gtidList(e.bytes(), checksum));
            }
        }
        update.mariaGtidPosition(position);
        moveTo(new Mark(position, started));
    }

    /** Starting a GTID dump into an empty store: the position asked for. */
    void startAt(MariaGtidPosition start) {
        moveTo(new Mark(start, current().started()));
    }

    MariaGtidPosition position() {
        return current().position();
    }
}
