package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;

import java.util.HashMap;
import java.util.Map;

/**
 * A MariaDB GTID start ({@code @slave_connect_state}), as the server's dump thread does it: the groups a reader
 * already has are skipped, per domain, until it passes its position; the GTIDs seen so far are kept, and once the
 * last domain's position is passed the reader gets a fake GTID_LIST of them.
 */
final class MariaDbReaderFilter implements ReaderGtidFilter {
    private final Map<Long, MariaGtid> pending = new HashMap<>();
    private MariaGtidPosition seen;
    private boolean reported;

    MariaDbReaderFilter(MariaGtidPosition start) {
        for (MariaGtid g : start.gtids()) {
            pending.put(g.domainId(), g);
        }
        seen = start;
    }

    @Override
    public boolean skipsGroup(byte[] firstEvent, int type, ChecksumAlgorithm storedChecksum) {
        return type == EventType.MARIA_GTID && skip(MariaGtidEvent.gtid(firstEvent));
    }

    @Override
    public byte[] afterSkippedGroup(long serverId, long endPosition, ChecksumAlgorithm checksum) {
        // the reader's position is passed: tell it where it stands, as the server does
        return reachedNow() ? ArtificialEvents.fakeGtidList(serverId, seen.gtids(), endPosition, checksum) : null;
    }

    boolean skip(MariaGtid gtid) {
        MariaGtid until = pending.get(gtid.domainId());
        if (until == null) {
            seen = seen.with(gtid);
            return false;
        }
        int c = Long.compareUnsigned(gtid.sequence(), until.sequence());
        if (c >= 0) {
            pending.remove(gtid.domainId());
        }
        if (c <= 0) {
            seen = seen.with(gtid);
            return true;
        }
        return false;
    }

    /** True once, right after the last domain's start position was passed. */
    boolean reachedNow() {
        if (!reported && pending.isEmpty()) {
            reported = true;
            return true;
        }
        return false;
    }

    MariaGtidPosition seen() {
        return seen;
    }
}
