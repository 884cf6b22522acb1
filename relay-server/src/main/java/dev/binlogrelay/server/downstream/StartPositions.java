package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.BinlogFileNames;
import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.RowsEvents;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogReadView;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoredEvent;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Turns what a reader asks for ({@link ReaderStart}: file and position, or a GTID position) into a cursor on the store. */
public final class StartPositions {
    private final BinlogReadView store;
    private final FileFormats formats;

    public StartPositions(BinlogReadView store, FileFormats formats) {
        this.store = store;
        this.formats = formats;
    }

    /**
     * The cursor a reader's stream starts from: {@link #openForFile} for a file and position (and for a MySQL GTID
     * dump that names its file), {@link #openForGtid} for a MariaDB GTID position, {@link #openForMysqlGtids} for
     * MySQL auto-positioning.
     *
     * @throws PositionException the reader's start is not in the store; its message is the reader's ERR 1236 text
     */
    public BinlogCursor open(ReaderStart start) throws PositionException {
        if (start instanceof ReaderStart.AtFilePosition at) {
            return openForFile(at.file(), at.position());
        }
        if (start instanceof ReaderStart.AtMariaGtids maria) {
            return openForGtid(maria.position());
        }
        if (start instanceof ReaderStart.AtMysqlGtids mysql) {
            return mysql.autoPositioned() ? openForMysqlGtids(mysql.executed()) : openForFile(mysql.file(), mysql.position());
        }
        throw new IllegalArgumentException("unknown start " + start);
    }

    /**
     * An empty file name means the first file; positions below 4 mean 4 (as the server does); a position of 2^63
     * or more (negative here: COM_BINLOG_DUMP_GTID's is unsigned 8 bytes) is refused like any position past the
     * end. A file the relay purged is refused naming the oldest available position.
     */
    public BinlogCursor openForFile(String file, long position) throws PositionException {
        if (position < 0) {
            // COM_BINLOG_DUMP_GTID carries an unsigned 8-byte position: 2^63 and more are far beyond any file's end
            throw new PositionException("Client requested master to start replication from position > file size: position "
                    + Long.toUnsignedString(position) + " of " + PeerText.name(file) + " is beyond the end of any binlog file");
        }
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            throw new NotYetStored("Binary log is not open: the relay has not stored any binlog yet");
        }
        String name = file == null || file.isEmpty() ? files.get(0).name() : file;
        BinlogFileInfo newest = files.get(files.size() - 1);
        if (store.file(name).isEmpty()) {
            Optional<BinlogCursor> announced = openAnnounced(newest, name, position);
            if (announced.isPresent()) {
                return announced.get();
            }
            PositionException notHeld = store.fileNotHeld(name);
            throw BinlogFileNames.laterInSeries(name, newest.name()) ? new NotYetStored(notHeld.getMessage()) : notHeld;
        }
        if (name.equals(newest.name()) && position > newest.size()) {
            throw new NotYetStored("Client requested master to start replication from position > file size: position "
                    + position + " of " + PeerText.name(name) + " is beyond what the relay has stored of it (" + newest.size() + ")");
        }
        formats.check(name);
        if (file == null || file.isEmpty()) {
            // "the first file": where the relay's copy of it starts (4, unless it began mid-file)
            position = Math.max(position, files.get(0).firstPosition());
        }
        return store.openCursor(name, Math.max(4, position));
    }

    /**
     * Position 4 of the file that the rotate event ending the newest file announced, before that file's first
     * event is stored: MariaDB creates the file when it rotates, so a replica that received the rotate asks for
     * it, for instance when it reconnects after the relay restarted between storing the rotate and the next
     * file's format description, or while the primary is unreachable. The reader gets a cursor at the rotated
     * file's end (its stream starts there), which continues into the new file once it is stored.
     */
    private Optional<BinlogCursor> openAnnounced(BinlogFileInfo newest, String name, long position) throws PositionException {
        if (position > 4 || !formats.has(newest.name())) {
            return Optional.empty();
        }
        ChecksumAlgorithm alg = formats.checksum(newest.name());
        long rotateStart = newest.size() - (Events.HEADER_SIZE + 8 + name.getBytes(StandardCharsets.UTF_8).length + alg.trailerSize());
        if (rotateStart < newest.firstPosition()) {
            return Optional.empty();
        }
        BinlogCursor probe;
        try {
            probe = store.openCursor(newest.name(), rotateStart);
        } catch (PositionException notAnEventBoundary) {
            return Optional.empty();
        }
        try (probe) {
            StoredEvent e = probe.next();
            if (e == null || !e.file().equals(newest.name()) || e.endPosition() != newest.size()
                    || Events.type(e.bytes()) != EventType.ROTATE) {
                return Optional.empty();
            }
            ArtificialEvents.RotateTarget target = ArtificialEvents.parseRotate(e.bytes(), alg);
            if (!target.file().equals(name) || target.position() != 4) {
                return Optional.empty();
            }
        }
        return Optional.of(store.openCursor(newest.name(), newest.size()));
    }

    /**
     * True if {@code position} lies inside a rows statement: the event ending there is a rows event without
     * STMT_END_F, so more rows events of the same statement follow. A file/position replica that lost its
     * connection there asks to resume exactly there (see {@link DumpSession} on what MariaDB's replica then needs).
     */
    public boolean insideRowsStatement(BinlogPosition position) {
        return store.eventEndingAt(position.file(), position.position())
                .map(e -> RowsEvents.isRowsWithinStatement(e.bytes()))
                .orElse(false);
    }

    /**
     * A MariaDB replica server (registered, @mariadb_slave_capability set) reconnecting by file and position inside
     * a rows statement, whose events need no rewriting to the checksum it declared. Its I/O thread keeps the
     * statement's state across the reconnect (slave.cc {@code handle_slave_io} resets its
     * {@code Rows_event_tracker} only for GTID connections) and refuses any event but a rows event or a heartbeat
     * before the statement's end ({@code queue_event}: {@code check_and_report}, error 1595); the fake rotate that
     * begins every dump is such an event ({@link ClientSession} then leaves out the preamble). What that reader needs from the preamble it already has: the file name and
     * position it asked for, and the checksum it declared (used until a format description arrives).
     */
    boolean continuesRowsStatement(boolean registered, ReaderOptions options, BinlogCursor cursor) {
        if (!registered || !options.asStored() || !(options.start() instanceof ReaderStart.AtFilePosition)) {
            return false;
        }
        BinlogPosition at = cursor.position();
        return at.position() > 4 && insideRowsStatement(at)
                && formats.checksum(at.file()) == options.checksum();
    }

    /**
     * A MariaDB GTID start, as the server does it: the beginning of the file that holds the earliest of the
     * reader's GTIDs (the dump then skips the groups the reader already has), or the first file when the
     * reader has never seen a domain the relay holds, or stands exactly at the state where the relay's first
     * file begins. A reader behind the purged GTID state in some domain is refused: it would miss transactions.
     */
    public BinlogCursor openForGtid(MariaGtidPosition state) throws PositionException {
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            throw new NotYetStored("Binary log is not open: the relay has not stored any binlog yet");
        }
        BinlogFileInfo head = files.get(0);
        BinlogPosition headStart = new BinlogPosition(head.name(), head.firstPosition());
        MariaGtidPosition purged = purgedState();
        MariaGtidPosition base = headState(purged);
        Set<Long> held = store.mariaGtidDomains();
        Set<Long> domains = new TreeSet<>(held);
        domains.addAll(purged.domains().keySet());
        BinlogPosition start = null;
        for (long domain : domains) {
            MariaGtid mine = state.get(domain);
            if (mine == null) {
                if (held.contains(domain)) {
                    start = earlier(files, start, headStart);
                }
                continue;
            }
            if (held.contains(domain)) {
                Optional<BinlogPosition> at = store.findMariaGtid(domain, mine.sequence());
                if (at.isPresent()) {
                    start = earlier(files, start, at.get());
                    continue;
                }
            }
            MariaGtid boundary = base.get(domain);
            if (boundary != null && boundary.sequence() == mine.sequence()) {
                // the reader stands exactly where the relay's oldest file begins
                start = earlier(files, start, headStart);
                continue;
            }
            MariaGtid lost = purged.get(domain);
            if (lost != null && Long.compareUnsigned(mine.sequence(), lost.sequence()) < 0) {
                throw new PositionException("Could not find GTID state requested by slave in any binlog files: GTID " + mine
                        + " was purged from the relay; the oldest available GTID state is " + base + " (at " + headStart + ")");
            }
            if (!held.contains(domain)) {
                continue; // the reader is past everything the relay had of this domain, all of it purged
            }
            MariaGtidRef first = store.firstMariaGtid(domain).orElseThrow();
            MariaGtidRef last = store.lastMariaGtid(domain).orElseThrow();
            if (Long.compareUnsigned(mine.sequence(), last.sequence()) > 0) {
                throw new NotYetStored("Error: connecting slave requested to start from GTID " + mine
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
        String startFile = start.file();
        BinlogFileInfo file = store.file(startFile).orElseThrow(() -> store.fileNotHeld(startFile)); // purged meanwhile
        formats.check(file.name());
        return store.openCursor(file.name(), file.firstPosition());
    }

    /**
     * A MySQL GTID-set start (auto-positioning), as MySQL's dump thread does it: the beginning of the newest file
     * whose previous-GTIDs set the reader has executed (the dump then leaves out the transactions in the
     * reader's set), or the oldest file when no file qualifies. A reader lacking GTIDs of the relay's oldest
     * file's previous-GTIDs set (what the relay no longer holds, or never held) is refused: it would miss them.
     */
    public BinlogCursor openForMysqlGtids(MysqlGtidSet executed) throws PositionException {
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            throw new PositionException("Binary log is not open: the relay has not stored any binlog yet");
        }
        BinlogFileInfo oldest = files.get(0);
        Optional<MysqlGtidSet> purged = store.mysqlPreviousGtids(oldest.name());
        if (purged.isPresent() && !executed.containsAll(purged.get())) {
            throw new PositionException("Cannot replicate because the source purged required binary logs: the relay's oldest"
                    + " file " + oldest.name() + " follows GTIDs '" + purged.get() + "'; the GTID set sent by the replica is '"
                    + executed + "', and the missing transactions are '" + purged.get().minus(executed) + "'");
        }
        BinlogFileInfo start = store.mysqlGtidStartFile(executed).orElse(oldest);
        BinlogFileInfo file = store.file(start.name()).orElseThrow(() -> store.fileNotHeld(start.name())); // purged meanwhile
        formats.check(file.name());
        return store.openCursor(file.name(), file.firstPosition());
    }

    /** The GTID state of everything the relay purged (empty if it purged nothing). */
    private MariaGtidPosition purgedState() {
        return store.purgedRange().map(p -> MariaGtidPosition.parse(p.gtidStateText())).orElse(MariaGtidPosition.EMPTY);
    }

    /**
     * The GTID state where the relay's oldest file begins: the state just before the first group it stored
     * ({@link dev.binlogrelay.storage.StoreState#mariaStartPosition()}), advanced by everything it purged since.
     */
    private MariaGtidPosition headState(MariaGtidPosition purged) {
        MariaGtidPosition base = store.state().mariaStartPosition().orElse(MariaGtidPosition.EMPTY);
        for (MariaGtid g : purged.gtids()) {
            base = base.with(g);
        }
        return base;
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
