package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.BinlogFileNames;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogReadView;

import java.util.List;
import java.util.Optional;

/**
 * Where a MySQL GTID resume stands against the store. With auto-positioning the primary starts at the beginning
 * of the newest file whose previous GTIDs the relay has and leaves out the relay's transactions, so the first
 * events it sends may be ones the relay holds already. Each event up to the relay's end is {@link Verdict#HELD}
 * (dropped); the first one after it must continue the newest stored file exactly at its committed end, or start
 * the file after it at 4 ({@link Verdict#NEW}). Anything else means the primary's files do not line up with the
 * store's: the resume is refused, and the relay resumes by file and position from then on.
 *
 * <p>Threading: the upstream thread (the store's writer) only; {@link #refusal()} may be read from any thread.
 */
final class GtidResync {
    enum Verdict { HELD, NEW }

    private final BinlogReadView store;
    private volatile String refusal;

    GtidResync(BinlogReadView store) {
        this.store = store;
    }

    /** Why a GTID resume was refused, if one was. */
    Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /**
     * @param file   the file the event is in (as the stream's rotates named it)
     * @param logPos the event's end position
     * @param size   the event's size
     * @throws BinlogFormatException if the event neither lies in what the relay holds nor continues it
     */
    Verdict check(String file, int type, long logPos, long size, String gtidSet) {
        long start = logPos - size;
        Optional<BinlogFileInfo> held = store.file(file);
        List<BinlogFileInfo> files = store.files();
        String newest = files.get(files.size() - 1).name();
        if (held.isPresent()) {
            long end = held.get().size();
            if (logPos <= end) {
                return Verdict.HELD;
            }
            if (!file.equals(newest) || start != end) {
                throw refuse(gtidSet, String.format("%s event at %s:%d crosses the relay's end of %s at %d",
                        EventType.name(type), file, start, file, end));
            }
        } else if (start != 4 || !BinlogFileNames.laterInSeries(file, newest)) {
            throw refuse(gtidSet, String.format("%s event at %s:%d is in a file the relay does not hold, and not the start"
                    + " of the file after its newest, %s", EventType.name(type), file, start, newest));
        }
        return Verdict.NEW;
    }

    private BinlogFormatException refuse(String gtidSet, String why) {
        refusal = why;
        return new BinlogFormatException("resuming by GTID set " + gtidSet + ": " + why
                + "; the relay resumes by file and position instead");
    }

}
