package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.binlog.GroupTracker;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.flavor.StartPosition;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.gtid.GtidState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the upstream's event stream into stored groups. It checks every event (size, CRC, position chain),
 * drops what the server made up for the stream (fake rotate, re-sent format description, heartbeats,
 * artificial GTID lists), buffers a transaction until its last event and stores it in one atomic write.
 *
 * <p><b>Group commit.</b> {@link #offer} keeps complete transactions until {@link #flush}, which the upstream
 * connection calls once per network read: a burst of transactions is one atomic batch (each durable before any
 * reader sees it; the store's syncer fsyncs it with what else arrived meanwhile). {@link #accept} is offer-then-flush.
 *
 * <p>Threading: one upstream connection at a time calls it (the store's single writer).
 */
public final class BinlogIngester {
    private static final Logger log = LoggerFactory.getLogger(BinlogIngester.class);
    private final BinlogStore store;
    private final GroupTracker tracker = new GroupTracker();
    private final IngestBatch batch;
    private String file;
    private long nextPosition;
    private boolean positionKnown;
    private ChecksumAlgorithm checksum = ChecksumAlgorithm.NONE;
    private boolean checksumKnown;
    /**
     * A GTID dump into an empty store: the server sends the file's first events, skips the groups the relay
     * asked past, then a fake GTID_LIST; storing starts with the first real event after that.
     */
    private boolean streamStartOpen;
    private boolean gtidStartReached;
    /**
     * The file's format description (and MySQL's PREVIOUS_GTIDS after it), held until it is known whether the
     * file is stored from position 4.
     */
    private final List<byte[]> heldPreamble = new ArrayList<>();
    /**
     * A MySQL GTID dump (auto-positioning) into a store that holds data: the primary starts at the beginning of a
     * file and leaves out the transactions the relay has; events the relay holds already are dropped until the
     * stream reaches the committed end (or a file after it).
     */
    private boolean resyncing;
    private final GtidResync resync;
    /** The GTID state after the last group kept for writing (owned by the batch). */
    private final GtidState gtids;
    /** After a failover: the relay's own files, log_pos and CRC rewritten (docs/failover.md). */
    private final OwnFileContinuation ownFiles;

    public BinlogIngester(BinlogStore store) {
        this.store = store;
        this.resync = new GtidResync(store);
        this.batch = new IngestBatch(store);
        this.gtids = batch.gtids();
        this.ownFiles = new OwnFileContinuation(store, batch, tracker);
    }

    /**
     * Where to resume on the upstream: after the last stored group, or empty for an empty store. Writes what is
     * ready and, with a sync interval, fsyncs first: the resume position is always a durable one.
     */
    public Optional<BinlogPosition> resumePosition() {
        flush();
        store.syncNow();
        return store.committedEnd();
    }

    /**
     * Where the stream's next event goes in the store (after {@link #offer} of a transaction's last event: where
     * that transaction ends once written), or empty before a rotate named the file. For semi-sync acks.
     */
    public Optional<BinlogPosition> receivedEnd() {
        return positionKnown ? Optional.of(new BinlogPosition(file, nextPosition)) : Optional.empty();
    }

    /** What readers see of the store: its committed (durable) end, files and commit listeners. For semi-sync acks. */
    public dev.binlogrelay.storage.BinlogReadView readView() {
        return store.readView();
    }

    /** The end of the last transaction written to the store, durable or still with its syncer (cheap). */
    public Optional<BinlogPosition> writtenEnd() {
        return batch.writtenEnd();
    }

    /**
     * True if the store takes writes (no storage error, or its cause is gone: see
     * {@link BinlogStore#storageWritable()}); the upstream client asks before it connects.
     */
    public boolean storageWritable() {
        return store.storageWritable();
    }

    /** The store's storage error, if writes currently fail. */
    public Optional<String> storageError() {
        return store.storageError();
    }

    public MariaGtidPosition gtidPosition() {
        return gtids.mariaPosition();
    }

    /** The MySQL GTID set executed up to the last stored group (empty without MySQL GTIDs). */
    public MysqlGtidSet mysqlGtidSet() {
        return gtids.mysqlExecuted();
    }

    /**
     * The GTIDs the relay holds, in the text of their flavor's GTID start (a MariaDB GTID position, or a MySQL GTID
     * set); empty if the store holds none.
     */
    public Optional<String> storedGtidText() {
        if (store.committedEnd().isEmpty()) {
            return Optional.empty();
        }
        if (!gtids.mariaPosition().isEmpty()) {
            return Optional.of(gtids.mariaPosition().toString());
        }
        return gtids.mysqlExecuted().isEmpty() ? Optional.empty() : Optional.of(gtids.mysqlExecuted().toString());
    }

    /** The schema history's snapshot for the next session to take, if one is asked for (docs/schema-history.md). */
    Optional<SchemaSnapshot> schemaSnapshot() {
        return SchemaSnapshot.requested(store.schemaHistory());
    }

    /** The continuation into the relay's own files after a failover (docs/failover.md). */
    OwnFileContinuation ownFiles() {
        return ownFiles;
    }

    /**
     * The MySQL GTID set to resume from, for a primary that resumes by GTID: the stored set when the store holds
     * data, the primary has gtid_mode ON and the set is not empty (binlogs with anonymous GTIDs only are resumed
     * by file and position), and no earlier GTID resume found the primary's files out of line with the store's.
     */
    public Optional<String> gtidResumeState() {
        if (store.committedEnd().isEmpty() || gtids.mysqlExecuted().isEmpty() || resync.refusal().isPresent()
                || !store.state().gtidModeOn()) {
            return Optional.empty();
        }
        return Optional.of(gtids.mysqlExecuted().toString());
    }

    /**
     * A new connection starts a dump: forget any half-received group.
     *
     * @param gtidStart the GTID state asked for when {@code expectedFile} is null (a GTID dump): a MariaDB GTID
     *                  position or a MySQL GTID set; null for a file/position dump
     */
    public void startStream(String expectedFile, long expectedPosition, StartPosition.GtidStart gtidStart) {
        startStream(expectedFile, expectedPosition, gtidStart, false);
    }

    /** {@link #startStream}; with {@code ownFiles} (see {@link OwnFileContinuation#neededFor}) into the relay's own files. */
    public void startStream(String expectedFile, long expectedPosition, StartPosition.GtidStart gtidStart, boolean ownFiles) {
        flush();
        this.ownFiles.start(ownFiles && expectedFile == null && !store.committedEnd().isEmpty() ? gtidStart : null);
        int discarded = batch.discardTransaction();
        if (discarded > 0) {
            log.info("upstream stream restarted; discarding {} events of an incomplete transaction", discarded);
        }
        tracker.reset();
        file = expectedFile;
        nextPosition = expectedPosition;
        positionKnown = expectedFile != null;
        checksumKnown = false;
        streamStartOpen = expectedFile == null && store.committedEnd().isEmpty();
        gtidStartReached = false;
        heldPreamble.clear();
        boolean mysqlGtidDump = expectedFile == null && gtidStart instanceof StartPosition.MysqlGtids;
        resyncing = mysqlGtidDump && !streamStartOpen;
        if (mysqlGtidDump) {
            // MySQL marks no end of the skipped part: storing starts with the first event the primary sends
            gtidStartReached = true;
            if (streamStartOpen) {
                gtids.startMysqlAt(((StartPosition.MysqlGtids) gtidStart).set());
            }
        } else if (streamStartOpen && gtidStart instanceof StartPosition.MariaGtids maria) {
            gtids.startMariaAt(maria.position());
        }
    }

    /** Records what the upstream's server-info query returned, by column name (see {@link dev.binlogrelay.storage.StoreState}). */
    public void recordServerInfo(Map<String, String> columns) {
        store.state().recordUpstreamServer(columns);
    }

    /** Records the upstream's global variables (SHOW GLOBAL VARIABLES) if they changed since the last login. */
    public void recordUpstreamVariables(Map<String, String> variables) {
        if (store.state().recordUpstreamVariables(variables)) {
            log.info("learned {} global variables of the primary", variables.size());
        }
    }

    /**
     * Takes one event from the stream (the bytes after the 0x00 packet header) and stores any transaction it
     * completes: {@link #offer} then {@link #flush}.
     *
     * @throws BinlogFormatException if the event is corrupt or out of place; the caller drops the connection
     */
    public void accept(byte[] event) {
        offer(event);
        flush();
    }

    /**
     * Writes the complete transactions {@link #offer} kept, in one atomic batch. If the write fails nothing of
     * them is stored, and the in-memory GTID state goes back to the last written group.
     *
     * @throws dev.binlogrelay.storage.StoreException on a storage failure (disk full, I/O error)
     */
    public void flush() {
        batch.flush();
    }

    /** Complete transactions kept by {@link #offer} and not yet written. */
    public int readyGroups() {
        return batch.readyGroups();
    }

    /**
     * Takes one event from the stream like {@link #accept}, but keeps a transaction it completes for the next
     * {@link #flush} (which happens by itself once {@value IngestBatch#MAX_BURST_BYTES} bytes are kept).
     *
     * @throws BinlogFormatException if the event is corrupt or out of place; the caller drops the connection
     */
    public void offer(byte[] event) {
        Events.checkHeader(event);
        if (ownFiles.active()) {
            ownFiles.offer(event);
            return;
        }
        int type = Events.type(event);
        if (type == EventType.FORMAT_DESCRIPTION) {
            acceptFormatDescription(event);
            return;
        }
        if (type == EventType.ROTATE && (Events.timestamp(event) == 0 || Events.isArtificial(event))) {
            // the fake rotate: may or may not carry a CRC before the FDE told us the algorithm
            ChecksumAlgorithm alg = checksumKnown ? checksum
                    : (Events.crcMatches(event) ? ChecksumAlgorithm.CRC32 : ChecksumAlgorithm.NONE);
            verifyCrc(event, alg);
            ArtificialEvents.RotateTarget target = ArtificialEvents.parseRotate(event, alg);
            switchFile(target.file(), target.position());
            return;
        }
        verifyCrc(event, checksum);
        if (type == EventType.HEARTBEAT || type == EventType.HEARTBEAT_V2) {
            return;
        }
        if (Events.isArtificial(event)) {
            if (type == EventType.MARIA_GTID_LIST && streamStartOpen) {
                gtidStartReached = true;
            }
            return;
        }
        if (streamStartOpen && type == EventType.PREVIOUS_GTIDS && heldPreamble.size() == 1) {
            heldPreamble.add(event);
            return;
        }
        if (streamStartOpen && !gtidStartReached) {
            log.debug("GTID start: {} at {}:{} precedes the start position; not stored", EventType.name(type), file,
                    Events.logPos(event) - event.length);
            return;
        }
        store(event, type);
    }

    private void acceptFormatDescription(byte[] event) {
        FormatDescription.check(event);
        checksum = FormatDescription.checksum(event);
        checksumKnown = true;
        if (checksum == ChecksumAlgorithm.CRC32 && !Events.crcMatches(event)) {
            throw new BinlogFormatException("format description of " + file + " has a bad CRC32");
        }
        if (file == null) {
            throw new BinlogFormatException("format description arrived before any rotate named the file");
        }
        byte[] clean = FormatDescription.withoutInUseFlag(event);
        if (streamStartOpen) {
            // stored at 4 only if the first group follows it directly (see store()); recorded with the file's
            // first group either way
            heldPreamble.clear();
            heldPreamble.add(clean);
            batch.formatDescription(file, clean, checksum, true);
            return;
        }
        if (Events.logPos(event) == 0 || nextPosition != 4) {
            // re-sent for a dump that starts inside the file: the file's own FDE is stored already (or the
            // file starts after it); keep it as the file's FDE for readers
            batch.formatDescription(file, clean, checksum, true);
            return;
        }
        batch.formatDescription(file, clean, checksum, false);
        store(clean, EventType.FORMAT_DESCRIPTION);
    }

    private void store(byte[] event, int type) {
        long size = event.length;
        long logPos = Events.logPos(event);
        if (!positionKnown) {
            throw new BinlogFormatException("event " + EventType.name(type) + " arrived before any rotate named the file");
        }
        long expectedEnd = (nextPosition + size) & 0xFFFFFFFFL;
        if (streamStartOpen) {
            // the first real event of a GTID dump into an empty store fixes where the stored file starts
            streamStartOpen = false;
            if (logPos == 0) {
                throw new BinlogFormatException(EventType.name(type) + " event of " + file
                        + " starts a GTID dump without its end position (log_pos 0): cannot place it in the file");
            }
            long start = logPos - size;
            long preambleEnd = 4 + heldPreamble.stream().mapToLong(b -> b.length).sum();
            List<byte[]> preamble = List.copyOf(heldPreamble);
            heldPreamble.clear();
            if (!preamble.isEmpty() && start == preambleEnd) {
                nextPosition = 4;
                for (byte[] p : preamble) {
                    store(p, Events.type(p));
                }
            }
            nextPosition = start;
            expectedEnd = logPos;
        }
        if (resyncing) {
            if (resync.check(file, type, logPos, size, gtids.mysqlExecuted().toString()) == GtidResync.Verdict.HELD) {
                nextPosition = logPos; // held already: dropped, but a rotate still moves the stream on
                if (type == EventType.ROTATE) {
                    ArtificialEvents.RotateTarget target = ArtificialEvents.parseRotate(event, checksum);
                    switchFile(target.file(), target.position());
                }
                return;
            }
            log.info("GTID resume: the primary's stream reached the relay's end at {}:{}", file, logPos - size);
            resyncing = false;
            nextPosition = logPos - size;
            expectedEnd = logPos;
        }
        // MariaDB 11.x writes log_pos 0 on the events inside a group (only some events, e.g. GTID and XID, carry
        // their end): the position is the offset, as on import; where log_pos is set, the chain is checked
        if (logPos != 0 && logPos != expectedEnd) {
            throw new BinlogFormatException(String.format("%s event at %s:%d says it ends at %d, expected %d",
                    EventType.name(type), file, nextPosition, logPos, expectedEnd));
        }
        int flags = tracker.classify(event, checksum);
        MariaGtidRef gtidRef = null;
        if (type == EventType.MARIA_GTID) {
            MariaGtid g = MariaGtidEvent.gtid(event);
            gtidRef = new MariaGtidRef(g.domainId(), g.serverId(), g.sequence());
        }
        batch.add(new EventToStore(nextPosition, event, flags, gtidRef));
        nextPosition += size;
        if ((flags & GroupTracker.END) != 0) {
            batch.endGroup(file, checksum);
        }
        if (type == EventType.ROTATE) {
            ArtificialEvents.RotateTarget target = ArtificialEvents.parseRotate(event, checksum);
            switchFile(target.file(), target.position());
        }
    }

    private void switchFile(String newFile, long position) {
        if (batch.inTransaction()) {
            throw new BinlogFormatException("rotate to " + newFile + " inside a transaction of " + file);
        }
        file = newFile;
        nextPosition = position;
        positionKnown = true;
    }

    private static void verifyCrc(byte[] event, ChecksumAlgorithm alg) {
        if (alg == ChecksumAlgorithm.CRC32 && !Events.crcMatches(event)) {
            throw new BinlogFormatException(EventType.name(Events.type(event)) + " event ending at "
                    + Events.logPos(event) + " has a bad CRC32; not stored");
        }
    }
}
