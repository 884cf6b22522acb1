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
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.storage.gtid.GtidState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * After a failover the relay continues in its own files: a primary's files have their own names and positions
 * (often the old primary's base name, so the names collide), so from the failover on the relay names and positions
 * what it stores itself, and a replica reading by file and position follows without {@code CHANGE MASTER}.
 *
 * <p>On a GTID dump (MariaDB {@code @slave_connect_state}, MySQL auto-positioning) from right after the last stored
 * transaction, the first transaction opens the relay's next file: if the newest stored file does not end with a
 * rotate, one is appended to it naming the next file (same base name, next sequence number: {@code db-bin.000007}
 * after {@code db-bin.000006}); the new file starts with the primary's format description and the relay's own
 * GTID preamble (MariaDB GTID_LIST of its GTID position, MySQL PREVIOUS_GTIDS of its GTID set). Every event after it
 * is stored with its {@code log_pos} rewritten to the relay's offset (events with log_pos 0, as MariaDB 11 writes
 * inside a group, keep 0) and its CRC32 recomputed. A rotate of the primary's becomes the relay's rotate to its own
 * next file. The primary's file preambles and ends (format description re-sent at the dump start, GTID_LIST,
 * PREVIOUS_GTIDS, BINLOG_CHECKPOINT naming its file, STOP) are not stored: the relay writes its own.
 *
 * <pre>
 *  relay file       db-bin.000006 (old primary's)         db-bin.000007 (relay's)
 *  events           … XID | ROTATE(db-bin.000007:4)       FDE(new primary) | GTID_LIST(relay) | GTID … XID | …
 *  log_pos          old primary's                          relay's offsets, CRC32 recomputed
 * </pre>
 *
 * <p>MariaDB starts a GTID dump with the file that holds the start, skips the transactions before it and marks the
 * start with a fake GTID_LIST, except when the start is the beginning of a file (after a primary's restart): there
 * the first GTID the relay does not hold is the start.
 *
 * <p>Threading: the ingester's (the store's single writer).
 */
final class OwnFileContinuation {
    private static final Logger log = LoggerFactory.getLogger(OwnFileContinuation.class);

    private final BinlogStore store;
    private final IngestBatch batch;
    private final GroupTracker tracker;
    private final GtidState gtids;
    private boolean active;
    private boolean mysql;
    /** MariaDB: the fake GTID_LIST marked the end of what the primary skipped; MySQL: from the start. */
    private boolean reached;
    private boolean opened;
    /** The relay's file rotated with the primary's; the next file waits for the primary's format description. */
    private boolean awaitingFde;
    private ChecksumAlgorithm checksum = ChecksumAlgorithm.NONE;
    private boolean checksumKnown;
    /** The primary's format description of its current file, as stored (in-use flag cleared). */
    private byte[] fde;
    private String upstreamFile = "";
    private String file;
    private long nextPosition;

    OwnFileContinuation(BinlogStore store, IngestBatch batch, GroupTracker tracker) {
        this.store = store;
        this.batch = batch;
        this.tracker = tracker;
        this.gtids = batch.gtids();
    }

    /**
     * True if a dump from the primary {@code serverId} must continue in the relay's own files, by GTID: the store
     * holds data and either followed a failover already (its newest files are the relay's) or was filled from
     * another primary, whose file names and positions mean nothing on this one.
     */
    public boolean neededFor(String serverId) {
        if (store.committedEnd().isEmpty()) {
            return false;
        }
        if (store.state().relayFilesAfter().isPresent()) {
            return true;
        }
        Optional<String> filledFrom = store.state().origin().serverId();
        return filledFrom.isPresent() && !filledFrom.get().equals(serverId);
    }

    /** From now on the relay resumes by GTID into its own files (recorded before any of them is written). */
    public void begin() {
        store.committedEnd().ifPresent(end -> store.state().recordRelayFilesAfter(end.file()));
    }

    boolean active() {
        return active;
    }

    /** A GTID dump continuing in the relay's own files starts ({@code gtidStart} null: a dump that does not). */
    void start(StartPosition.GtidStart gtidStart) {
        active = gtidStart != null;
        mysql = gtidStart instanceof StartPosition.MysqlGtids;
        reached = mysql;
        opened = false;
        awaitingFde = false;
        checksumKnown = false;
        fde = null;
        upstreamFile = "";
    }

    void offer(byte[] event) {
        int type = Events.type(event);
        if (type == EventType.FORMAT_DESCRIPTION) {
            formatDescription(event);
            return;
        }
        if (type == EventType.ROTATE && (Events.timestamp(event) == 0 || Events.isArtificial(event))) {
            ChecksumAlgorithm alg = checksumKnown ? checksum
                    : (Events.crcMatches(event) ? ChecksumAlgorithm.CRC32 : ChecksumAlgorithm.NONE);
            verifyCrc(event, alg);
            String target = ArtificialEvents.parseRotate(event, alg).file();
            if (opened && !awaitingFde && !target.equals(upstreamFile)) {
                rotate(Events.serverId(event)); // the primary moved to a new file without a rotate (it restarted)
            }
            upstreamFile = target;
            return;
        }
        verifyCrc(event, checksum);
        if (type == EventType.HEARTBEAT || type == EventType.HEARTBEAT_V2) {
            return;
        }
        if (Events.isArtificial(event)) {
            if (type == EventType.MARIA_GTID_LIST) {
                reached = true;
            }
            return;
        }
        if (!reached) {
            // MariaDB: before the GTID start nothing is stored. The primary marks the start with a fake GTID_LIST,
            // except when the start is the very beginning of a file (its real GTID_LIST says so): there the first
            // GTID the relay does not hold is the start.
            if (type != EventType.MARIA_GTID || gtids.mariaPosition().contains(MariaGtidEvent.gtid(event))) {
                return;
            }
            reached = true;
        }
        if (type == EventType.ROTATE) {
            if (batch.inTransaction()) {
                throw new BinlogFormatException("rotate of the primary's " + upstreamFile + " inside a transaction");
            }
            upstreamFile = ArtificialEvents.parseRotate(event, checksum).file();
            if (opened && !awaitingFde) {
                rotate(Events.serverId(event));
            }
            return;
        }
        if (type == EventType.PREVIOUS_GTIDS || type == EventType.MARIA_GTID_LIST || type == EventType.STOP
                || type == EventType.MARIA_BINLOG_CHECKPOINT) {
            return; // the primary's file preamble or end: the relay writes its own
        }
        if (awaitingFde) {
            throw new BinlogFormatException(EventType.name(type) + " event of " + upstreamFile
                    + " before its format description");
        }
        if (!opened) {
            open(Events.timestamp(event), Events.serverId(event));
        }
        append(event, false);
    }

    private void formatDescription(byte[] event) {
        FormatDescription.check(event);
        checksum = FormatDescription.checksum(event);
        checksumKnown = true;
        if (checksum == ChecksumAlgorithm.CRC32 && !Events.crcMatches(event)) {
            throw new BinlogFormatException("format description of the primary's " + upstreamFile + " has a bad CRC32");
        }
        fde = FormatDescription.withoutInUseFlag(event);
        if (awaitingFde) {
            awaitingFde = false;
            preamble(Events.timestamp(fde), Events.serverId(fde));
        }
    }

    /** The first transaction after the failover: the relay's next file, announced by a rotate at the end of the last. */
    private void open(long timestamp, long serverId) {
        if (fde == null) {
            throw new BinlogFormatException("the primary sent a transaction before any format description");
        }
        List<BinlogFileInfo> files = store.files();
        BinlogFileInfo last = files.get(files.size() - 1);
        Optional<StoredEvent> lastEvent = store.lastEvent(last.name());
        String next;
        if (lastEvent.isPresent() && Events.type(lastEvent.get().bytes()) == EventType.ROTATE) {
            byte[] r = lastEvent.get().bytes();
            next = ArtificialEvents.parseRotate(r, Events.crcMatches(r) ? ChecksumAlgorithm.CRC32 : ChecksumAlgorithm.NONE).file();
        } else {
            next = nextName(last.name());
            ChecksumAlgorithm lastAlg = store.state().formatDescription(last.name()).map(FormatDescription::checksum)
                    .orElse(checksum);
            file = last.name();
            nextPosition = last.size();
            append(rotateEvent(serverId, timestamp, next, lastAlg), true, lastAlg);
        }
        store.state().recordRelayFilesAfter(last.name());
        log.info("continuing in the relay's own file {} (after {}:{}): positions from here on are the relay's",
                next, last.name(), last.size());
        file = next;
        nextPosition = 4;
        preamble(timestamp, serverId);
        opened = true;
    }

    /** The primary rotated: the relay's current file ends with its own rotate; the next one waits for the FDE. */
    private void rotate(long serverId) {
        String next = nextName(file);
        append(rotateEvent(serverId, System.currentTimeMillis() / 1000, next, checksum), true);
        file = next;
        nextPosition = 4;
        awaitingFde = true;
    }

    /** The primary's format description at 4, then the relay's GTID preamble. */
    private void preamble(long timestamp, long serverId) {
        byte[] f = fde.clone();
        Events.setLogPos(f, 4 + f.length);
        if (checksum == ChecksumAlgorithm.CRC32) {
            Events.fixCrc(f);
        }
        batch.formatDescription(file, f, checksum, false);
        append(f, true);
        byte[] gtidPreamble = mysql ? previousGtids(serverId, timestamp, gtids.mysqlExecuted(), checksum)
                : ArtificialEvents.fakeGtidList(serverId, gtids.mariaPosition().gtids(), 0, checksum);
        Events.setFlags(gtidPreamble, 0);
        Events.setTimestamp(gtidPreamble, timestamp);
        append(gtidPreamble, true);
    }

    private void append(byte[] event, boolean setLogPos) {
        append(event, setLogPos, checksum);
    }

    /** Stores one event at the relay's position, its log_pos (unless 0 and not {@code setLogPos}) and CRC rewritten. */
    private void append(byte[] event, boolean setLogPos, ChecksumAlgorithm alg) {
        long size = event.length;
        if (setLogPos || Events.logPos(event) != 0) {
            long end = nextPosition + size;
            if (end > 0xFFFFFFFFL) {
                throw new BinlogFormatException("the relay's file " + file + " would pass 4 GiB at " + nextPosition);
            }
            Events.setLogPos(event, end);
        }
        if (alg == ChecksumAlgorithm.CRC32) {
            Events.fixCrc(event);
        }
        int type = Events.type(event);
        int flags = tracker.classify(event, alg);
        MariaGtidRef ref = null;
        if (type == EventType.MARIA_GTID) {
            MariaGtid g = MariaGtidEvent.gtid(event);
            ref = new MariaGtidRef(g.domainId(), g.serverId(), g.sequence());
        }
        batch.add(new EventToStore(nextPosition, event, flags, ref));
        nextPosition += size;
        if ((flags & GroupTracker.END) != 0) {
            batch.endGroup(file, alg);
        }
    }

    private static void verifyCrc(byte[] event, ChecksumAlgorithm alg) {
        if (alg == ChecksumAlgorithm.CRC32 && !Events.crcMatches(event)) {
            throw new BinlogFormatException(EventType.name(Events.type(event)) + " event ending at "
                    + Events.logPos(event) + " has a bad CRC32; not stored");
        }
    }

    private static byte[] rotateEvent(long serverId, long timestamp, String next, ChecksumAlgorithm alg) {
        byte[] r = ArtificialEvents.fakeRotate(serverId, next, 4, alg);
        Events.setTimestamp(r, timestamp);
        Events.setFlags(r, 0);
        return r;
    }

    /** MySQL's PREVIOUS_GTIDS: header | the GTID set, binary | checksum. */
    private static byte[] previousGtids(long serverId, long timestamp, MysqlGtidSet set, ChecksumAlgorithm alg) {
        ByteBuf body = Unpooled.buffer(set.encodedSize());
        try {
            set.encode(body);
            byte[] e = new byte[Events.HEADER_SIZE + body.readableBytes() + alg.trailerSize()];
            Events.writeHeader(e, timestamp, EventType.PREVIOUS_GTIDS, serverId, 0, 0);
            body.readBytes(e, Events.HEADER_SIZE, body.readableBytes());
            return e;
        } finally {
            body.release();
        }
    }

    /** The relay's next file: the same base name, the next sequence number, as wide ({@code db-bin.000007}). */
    static String nextName(String file) {
        int dot = file.lastIndexOf('.');
        String digits = dot < 0 ? "" : file.substring(dot + 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            return file + ".000001";
        }
        String n = new BigInteger(digits).add(BigInteger.ONE).toString();
        return file.substring(0, dot + 1) + "0".repeat(Math.max(0, digits.length() - n.length())) + n;
    }
}
