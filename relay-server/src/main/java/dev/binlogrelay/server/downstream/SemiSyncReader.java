package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.command.SemiSyncAck;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.admin.SqlSession;
import dev.binlogrelay.server.metrics.RelayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader dumping with semi-sync: it set {@code @rpl_semi_sync_slave} (or MySQL 8.0.26+'s
 * {@code @rpl_semi_sync_replica}) to a non-zero number before its dump, as a MariaDB or MySQL replica with
 * {@code rpl_semi_sync_slave_enabled} does. Its dump carries the semi-sync header, the last event of each
 * transaction asks for an ack, and the acks it sends during the dump are counted here (SHOW SLAVE HOSTS, SHOW
 * STATUS, metrics). The relay commits nothing on a reader's ack: it reports how far each reader has
 * acknowledged.
 *
 * <p>Threading: {@link #ack} on the reader's event loop; {@link #status} from any thread (SHOW statements).
 */
final class SemiSyncReader {
    private static final Logger log = LoggerFactory.getLogger(SemiSyncReader.class);
    /** The last ack: file and position together, so a reader of the status never sees a half-updated pair. */
    private volatile RelayInfo.ReaderSemiSync status = new RelayInfo.ReaderSemiSync(true, 0, "", 0);
    private final RelayMetrics metrics;

    private SemiSyncReader(RelayMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Before a dump starts: if the session asked for semi-sync, the dump carries the headers, the reader's packets
     * during it are acks at sequence id 0 (the events keep their own numbering), and the reader is listed.
     *
     * @return the reader's semi-sync, or null for a dump without it
     */
    static SemiSyncReader startIfRequested(SqlSession sql, Channel channel, PacketSequence sequence,
                                           DownstreamServer server, DumpSession dump, long readerServerId) {
        if (!requested(sql)) {
            return null;
        }
        SemiSyncReader reader = new SemiSyncReader(server.metrics());
        sequence.repliesStartAtZero(true);
        server.semiSyncReader(channel, reader);
        channel.closeFuture().addListener(f -> server.semiSyncReader(channel, null));
        dump.semiSync();
        log.info("reader {} (server_id {}) dumps with semi-sync: the last event of each transaction asks for an ack",
                channel.remoteAddress(), readerServerId);
        return reader;
    }

    /**
     * A packet a reader sent during its dump. A semi-sync reader ({@code reader} not null) sends acks, or the
     * COM_QUIT a server's replica sends as its I/O thread stops (the connection is closed); any other reader may only
     * close the connection while dumping.
     *
     * @throws ProtocolException for anything else (the session closes the reader)
     */
    static void duringDump(SemiSyncReader reader, ChannelHandlerContext ctx, ByteBuf packet) {
        if (reader == null) {
            throw new ProtocolException("client sent a packet during a binlog dump");
        }
        reader.onPacket(ctx, packet);
    }

    private void onPacket(ChannelHandlerContext ctx, ByteBuf packet) {
        if (packet.readableBytes() == 1 && packet.getUnsignedByte(packet.readerIndex()) == Commands.COM_QUIT) {
            ctx.close();
            return;
        }
        ack(SemiSyncAck.decode(packet));
        metrics.semiSyncAckReceived();
    }

    /**
     * A non-blocking dump ended with its EOF: the connection's packets are numbered as usual again and the reader is
     * no longer listed (a closed connection is unlisted by itself).
     *
     * @return null, the session's semi-sync from now on
     */
    static SemiSyncReader end(SemiSyncReader reader, Channel channel, PacketSequence sequence, DownstreamServer server) {
        if (reader != null) {
            sequence.repliesStartAtZero(false);
            server.semiSyncReader(channel, null);
        }
        return null;
    }

    /** True if the session's user variables ask for a semi-sync dump (as the server decides: a non-zero number). */
    static boolean requested(SqlSession sql) {
        return nonZero(sql.userVariable("rpl_semi_sync_slave")) || nonZero(sql.userVariable("rpl_semi_sync_replica"));
    }

    private static boolean nonZero(String value) {
        if (value == null) {
            return false;
        }
        try {
            return new java.math.BigDecimal(value.trim()).signum() != 0;
        } catch (NumberFormatException e) {
            return false; // a string that is not a number converts to 0 on the server
        }
    }

    /** The reader acknowledged everything up to {@code ack} (the relay's coordinates). Event loop only. */
    void ack(SemiSyncAck ack) {
        RelayInfo.ReaderSemiSync s = status;
        status = new RelayInfo.ReaderSemiSync(true, s.acks() + 1, ack.file(), ack.position());
    }

    RelayInfo.ReaderSemiSync status() {
        return status;
    }
}
