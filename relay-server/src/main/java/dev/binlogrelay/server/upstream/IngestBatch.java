package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.BinlogWriter;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.gtid.GtidState;

import java.util.ArrayList;
import java.util.List;

/**
 * The ingester's transactions on their way into the store: the events of the one being received, the complete
 * ones kept for the next write (group commit: a burst from one network read is one atomic batch), and what each
 * group's batch records besides its events ({@link StateUpdate}: the {@link GtidState} after it, and the
 * format description and checksum of its file).
 *
 * <p>Threading: the store's writer thread (the upstream connection) only.
 */
final class IngestBatch {
    /** A burst is written once it holds this many bytes, without waiting for the end of the network read. */
    static final long MAX_BURST_BYTES = 8L << 20;

    private final BinlogStore store;
    /** The GTID state after the last group kept for writing. */
    private final GtidState gtids;
    /** The transaction being received. */
    private final List<EventToStore> pending = new ArrayList<>();
    private long pendingBytes;
    /** Complete groups not yet written, oldest first; {@link #flush} writes them in one batch. */
    private final List<BinlogWriter.Group> ready = new ArrayList<>();
    private long readyBytes;
    /** The checksum algorithm a format description named, to record with the next group. */
    private ChecksumAlgorithm pendingChecksum;
    /** A format description to record with the next group of its file (which the store does not hold yet). */
    private PendingFormat pendingFormat;

    /** The end of the last group written (durable or on its way: the store's syncer may still hold it). */
    private java.util.Optional<BinlogPosition> writtenEnd;

    private record PendingFormat(String file, byte[] event) {
    }

    IngestBatch(BinlogStore store) {
        this.store = store;
        this.gtids = GtidState.load(store.state());
        this.writtenEnd = store.committedEnd();
    }

    /** Where the last group written to the store ends; the committed end until this batch writes one. */
    java.util.Optional<BinlogPosition> writtenEnd() {
        return writtenEnd;
    }

    GtidState gtids() {
        return gtids;
    }

    /** True while a transaction is half received. */
    boolean inTransaction() {
        return !pending.isEmpty();
    }

    /** A new stream: forgets the half-received transaction and what was to be recorded with it; returns its event count. */
    int discardTransaction() {
        int n = pending.size();
        pending.clear();
        pendingBytes = 0;
        pendingChecksum = null;
        pendingFormat = null;
        return n;
    }

    /**
     * A format description of {@code file} arrived: it and its checksum go with the next group of the file.
     * With {@code recordNow} (the event itself is not stored) they are recorded at once instead, with the file's
     * record if the store holds the file; otherwise the checksum now and the format description with the file's
     * first group.
     */
    void formatDescription(String file, byte[] event, ChecksumAlgorithm checksum, boolean recordNow) {
        pendingFormat = new PendingFormat(file, event);
        pendingChecksum = checksum;
        if (!recordNow) {
            return;
        }
        if (store.file(file).isPresent()) {
            store.state().recordFormatDescription(file, event, checksum);
            pendingFormat = null;
        } else {
            store.state().recordChecksum(checksum);
        }
        pendingChecksum = null;
    }

    void add(EventToStore e) {
        pending.add(e);
        pendingBytes += e.bytes().length;
    }

    /** The received transaction is complete: keep it, with its state, for the next write. */
    void endGroup(String file, ChecksumAlgorithm checksum) {
        StateUpdate.Builder state = StateUpdate.builder();
        if (pendingChecksum != null) {
            state.checksum(pendingChecksum);
            pendingChecksum = null;
        }
        if (pendingFormat != null && pendingFormat.file().equals(file)) {
            state.formatDescription(pendingFormat.event());
            pendingFormat = null;
        }
        gtids.apply(pending, checksum, state);
        ready.add(new BinlogWriter.Group(file, List.copyOf(pending), state.build()));
        readyBytes += pendingBytes;
        pending.clear();
        pendingBytes = 0;
        if (readyBytes >= MAX_BURST_BYTES) {
            flush();
        }
    }

    /**
     * Writes the kept groups in one atomic batch. If the write fails nothing of them is stored, and the GTID
     * state goes back to the last written group.
     */
    void flush() {
        if (ready.isEmpty()) {
            return;
        }
        List<BinlogWriter.Group> groups = List.copyOf(ready);
        ready.clear();
        readyBytes = 0;
        try {
            store.writer().appendGroups(groups);
        } catch (RuntimeException e) {
            gtids.rollback();
            throw e;
        }
        gtids.written();
        BinlogWriter.Group last = groups.get(groups.size() - 1);
        EventToStore end = last.events().get(last.events().size() - 1);
        writtenEnd = java.util.Optional.of(new BinlogPosition(last.file(), end.position() + end.bytes().length));
    }

    int readyGroups() {
        return ready.size();
    }
}
