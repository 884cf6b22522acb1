package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.server.upstream.BinlogIngester;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.PositionException;

import java.util.List;
import java.util.Optional;

/** Turns what a reader asks for (file and position, or a GTID position) into a cursor on the store. */
public final class StartPositions {
    private final BinlogStore store;
    private final FileFormats formats;

    public StartPositions(BinlogStore store, FileFormats formats) {
        this.store = store;
        this.formats = formats;
    }

    /** An empty file name means the first file; positions below 4 mean 4 (as the server does). */
    public BinlogCursor openForFile(String file, long position) throws PositionException {
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            throw new PositionException("Binary log is not open: the relay has not stored any binlog yet");
        }
        String name = file == null || file.isEmpty() ? files.get(0).name() : file;
        if (store.file(name).isEmpty()) {
            throw new PositionException("Could not find first log file name in binary log index file: '" + name
                    + "' is not held by the relay (it holds " + files.get(0).name() + " to " + files.get(files.size() - 1).name() + ")");
        }
        formats.check(name);
        return store.openCursor(name, Math.max(4, position));
    }

    /**
     * A MariaDB GTID start, as the server does it: the beginning of the file that holds the earliest of the
     * reader's GTIDs (the dump then skips the groups the reader already has), or the first file when the
     * reader has never seen a domain the relay holds.
     */
    public BinlogCursor openForGtid(MariaGtidPosition state) throws PositionException {
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            throw new PositionException("Binary log is not open: the relay has not stored any binlog yet");
        }
        BinlogPosition start = null;
        for (long domain : store.mariaGtidDomains()) {
            MariaGtid mine = state.get(domain);
            if (mine == null) {
                start = earlier(files, start, new BinlogPosition(files.get(0).name(), 4));
                continue;
            }
            Optional<BinlogPosition> at = store.findMariaGtid(domain, mine.sequence());
            if (at.isPresent()) {
                start = earlier(files, start, at.get());
                continue;
            }
            MariaGtidRef first = store.firstMariaGtid(domain).orElseThrow();
            MariaGtidRef last = store.lastMariaGtid(domain).orElseThrow();
            MariaGtid startState = startState().get(domain);
            if (startState != null && startState.sequence() == mine.sequence()) {
                // the reader stands exactly where the relay's copy begins
                BinlogFileInfo head = files.get(0);
                start = earlier(files, start, new BinlogPosition(head.name(), head.firstPosition()));
                continue;
            }
            if (Long.compareUnsigned(mine.sequence(), last.sequence()) > 0) {
                throw new PositionException("Error: connecting slave requested to start from GTID " + mine
                        + ", which is not in the master's binlog (the relay's last GTID in domain " + domain + " is " + last + ")");
            }
            if (Long.compareUnsigned(mine.sequence(), first.sequence()) < 0) {
                throw new PositionException("Could not find GTID state requested by slave in any binlog files: GTID "
                        + mine + " is older than the oldest the relay holds (" + first + ")");
            }
            throw new PositionException("Could not find GTID " + mine + " in the relay's binlog");
        }
        if (start == null) {
            BinlogFileInfo last = files.get(files.size() - 1);
            start = new BinlogPosition(last.name(), last.size());
        }
        formats.check(start.file());
        BinlogFileInfo file = store.file(start.file()).orElseThrow();
        return store.openCursor(file.name(), file.firstPosition());
    }

    private MariaGtidPosition startState() {
        return MariaGtidPosition.parse(store.meta(BinlogIngester.META_START_GTID_POS).orElse(""));
    }

    private static BinlogPosition earlier(List<BinlogFileInfo> files, BinlogPosition a, BinlogPosition b) {
        if (a == null) {
            return b;
        }
        int fa = indexOf(files, a.file());
        int fb = indexOf(files, b.file());
        if (fa != fb) {
            return fa < fb ? a : b;
        }
        return a.position() <= b.position() ? a : b;
    }

    private static int indexOf(List<BinlogFileInfo> files, String name) {
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).name().equals(name)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
