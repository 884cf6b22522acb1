package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.protocol.FramedPackets;
import dev.binlogrelay.core.protocol.TextResultSet;
import dev.binlogrelay.core.protocol.command.SemiSyncAck;
import dev.binlogrelay.core.protocol.command.SemiSyncHeader;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogReadView;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The relay as a semi-sync replica of its primary ({@code upstream.semi_sync: true}): it asks for the semi-sync
 * stream, strips the {@link SemiSyncHeader} from every event, and acknowledges an event the primary waits for only
 * once the store has made the transaction durable under {@code storage.sync}.
 *
 * <pre>
 *   setup:  SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_%'  ── no rpl_semi_sync_master_enabled / _source_enabled row:
 *           │                                                the primary has no semi-sync, replicate asynchronously
 *           SET @rpl_semi_sync_slave = 1, @rpl_semi_sync_replica = 1   (MariaDB and MySQL before 8.0.26; 8.0.26+)
 *   stream: 0x00 | 0xEF | flags | event ──► event to the ingester; flags 0x01: remember (primary file, log_pos)
 *           and where the transaction ends in the store
 *   commit: the store's committed end reaches that point (it is durable: see SyncMode; with an interval the
 *           WAL syncer publishes it, and this is told by a commit listener) ──► ack 0xEF | log_pos | file,
 *           a packet of its own with sequence id 0
 * </pre>
 * Acks are cumulative on the primary (it releases every transaction at or before the acknowledged position), so
 * when several waiting transactions become durable together only the newest is acknowledged.
 *
 * <p>Memory: at most {@link #MAX_PENDING} acks wait for durability; past that the oldest is forgotten (the ack of
 * a newer one covers it).
 *
 * <p>Threading: the upstream channel's event loop, except the commit listener, which only schedules
 * {@link #sendDurable} there.
 */
final class SemiSyncReplica {
    private static final Logger log = LoggerFactory.getLogger(SemiSyncReplica.class);
    /** Asked before the dump: does the primary have semi-sync at all (MariaDB built in, MySQL a plugin)? */
    static final String CHECK_SQL = "SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_%'";
    /** Both names: MariaDB and MySQL's old plugin read the first, MySQL 8.0.26+'s rpl_semi_sync_source the second. */
    static final String ENABLE_SQL = "SET @rpl_semi_sync_slave = 1, @rpl_semi_sync_replica = 1";
    static final int MAX_PENDING = 10_000;

    /** One event the primary waits for: its coordinates on the primary, and where its transaction ends in the store. */
    private record Pending(String primaryFile, long primaryPosition, BinlogPosition stored) {
    }

    private final BinlogIngester ingester;
    private final UpstreamClient.Listener listener;
    private final String primary;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean waiting;
    private boolean active;
    private String primaryFile;
    private ChecksumAlgorithm checksum;
    private boolean warnedNoPosition;
    private ChannelHandlerContext ctx;
    private Runnable commitListener;

    SemiSyncReplica(BinlogIngester ingester, UpstreamClient.Listener listener, String primary) {
        this.ingester = ingester;
        this.listener = listener;
        this.primary = primary;
    }

    /** True if {@link #CHECK_SQL}'s answer shows the primary can run semi-sync (whether or not it is on now). */
    static boolean primarySupports(TextResultSet variables) {
        for (List<String> row : variables.rows()) {
            if (!row.isEmpty() && row.get(0) != null
                    && List.of("rpl_semi_sync_master_enabled", "rpl_semi_sync_source_enabled").contains(row.get(0).toLowerCase())) {
                return true;
            }
        }
        return false;
    }

    /** The primary accepted {@link #ENABLE_SQL}: every event packet of the dump carries the header. */
    void enabled() {
        active = true;
        log.info("semi-sync replica of {}: acknowledging transactions once they are durable in the store", primary);
    }

    /** The primary lacks semi-sync: the relay replicates asynchronously. */
    void unsupported() {
        log.warn("upstream.semi_sync is on but {} has no semi-sync (no rpl_semi_sync_master_enabled or"
                + " rpl_semi_sync_source_enabled): replicating asynchronously", primary);
    }

    boolean active() {
        return active;
    }

    /** The dump starts: listen for commits (acks that wait for a sync interval go out when it publishes them). */
    void start(ChannelHandlerContext ctx) {
        if (!active) {
            return;
        }
        this.ctx = ctx;
        commitListener = () -> {
            if (waiting && scheduled.compareAndSet(false, true)) {
                ctx.executor().execute(() -> {
                    scheduled.set(false);
                    sendDurable();
                });
            }
        };
        ingester.readView().addCommitListener(commitListener);
        listener.onSemiSync(true);
    }

    /** The connection ended. */
    void stop() {
        if (commitListener != null) {
            ingester.readView().removeCommitListener(commitListener);
            commitListener = null;
            listener.onSemiSync(false);
        }
        pending.clear();
        waiting = false;
    }

    /**
     * The event of a semi-sync event packet whose reader index stands after its OK byte.
     *
     * @return the header; the packet's reader index is then at the event
     * @throws dev.binlogrelay.core.protocol.ProtocolException if the header is missing
     */
    SemiSyncHeader header(ByteBuf packet) {
        return SemiSyncHeader.decode(packet);
    }

    /**
     * The ingester took {@code event}: follow the primary's file name, and if the primary waits for this event,
     * remember what to acknowledge once its transaction is durable.
     */
    void offered(byte[] event, boolean ackRequested) {
        int type = Events.type(event);
        if (type == EventType.FORMAT_DESCRIPTION) {
            checksum = FormatDescription.checksum(event);
        } else if (type == EventType.ROTATE) {
            ChecksumAlgorithm alg = checksum != null ? checksum
                    : Events.crcMatches(event) ? ChecksumAlgorithm.CRC32 : ChecksumAlgorithm.NONE;
            primaryFile = ArtificialEvents.parseRotate(event, alg).file();
        }
        if (!ackRequested) {
            return;
        }
        long logPos = Events.logPos(event);
        Optional<BinlogPosition> stored = ingester.receivedEnd();
        if (logPos == 0 || primaryFile == null || stored.isEmpty()) {
            if (!warnedNoPosition) {
                warnedNoPosition = true;
                log.warn("{} asked for a semi-sync ack of a {} event without its position (log_pos {}, file {}):"
                        + " not acknowledged; the primary falls back to asynchronous after its timeout", primary,
                        EventType.name(type), logPos, primaryFile);
            }
            return;
        }
        if (pending.size() >= MAX_PENDING) {
            pending.poll(); // the ack of a newer transaction covers it
        }
        pending.add(new Pending(primaryFile, logPos, stored.get()));
        waiting = true;
    }

    /** Acknowledges the newest waiting event whose transaction the store has made durable. Event loop only. */
    void sendDurable() {
        if (pending.isEmpty() || ctx == null || !ctx.channel().isActive()) {
            return;
        }
        BinlogReadView view = ingester.readView();
        Optional<BinlogPosition> end = view.committedEnd();
        if (end.isEmpty()) {
            return;
        }
        Pending newest = null;
        while (!pending.isEmpty() && reached(view, end.get(), pending.peek().stored())) {
            newest = pending.poll();
        }
        waiting = !pending.isEmpty();
        if (newest == null) {
            return;
        }
        SemiSyncAck ack = new SemiSyncAck(newest.primaryPosition(), newest.primaryFile());
        int size = ack.encodedSize();
        ByteBuf packet = ctx.alloc().buffer(4 + size, 4 + size);
        packet.writeMediumLE(size).writeByte(0); // an exchange of its own: sequence id 0, the dump's ids untouched
        ack.encode(packet);
        ctx.writeAndFlush(new FramedPackets(packet));
        listener.onSemiSyncAck(newest.primaryFile(), newest.primaryPosition());
    }

    /** True if the committed end {@code end} lies at or after {@code target} (a later file, or further in it). */
    private static boolean reached(BinlogReadView view, BinlogPosition end, BinlogPosition target) {
        if (end.file().equals(target.file())) {
            return end.position() >= target.position();
        }
        Optional<BinlogFileInfo> endFile = view.file(end.file());
        Optional<BinlogFileInfo> targetFile = view.file(target.file());
        return endFile.isPresent() && targetFile.isPresent() && endFile.get().sequence() > targetFile.get().sequence();
    }
}
