package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.QueryResponseReader;
import dev.binlogrelay.core.protocol.TextResultSet;
import dev.binlogrelay.server.config.ConfigLoader.StartPosition;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.StoreException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One replica session with the primary after its login ({@link UpstreamLogin}): the setup statements,
 * COM_REGISTER_SLAVE, COM_BINLOG_DUMP, then the event stream into the {@link BinlogIngester}. Any failure
 * closes the channel; {@link UpstreamClient} reconnects.
 */
final class UpstreamConnection extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

    private enum State { COMMANDS, STREAMING }

    private final UpstreamSettings settings;
    private final BinlogIngester ingester;
    private final PacketSequence sequence;
    private final UpstreamClient.Listener listener;
    private final Flavor flavor;
    private State state = State.COMMANDS;
    private final Deque<Step> steps = new ArrayDeque<>();
    private Step current;
    private QueryResponseReader reader;
    private final Map<String, String> serverInfo = new LinkedHashMap<>();
    private String dumpFile;
    private long dumpPosition;
    private String gtidStart;

    UpstreamConnection(UpstreamSettings settings, BinlogIngester ingester, PacketSequence sequence,
                       UpstreamClient.Listener listener, Flavor flavor) {
        super(false);
        this.settings = settings;
        this.ingester = ingester;
        this.sequence = sequence;
        this.listener = listener;
        this.flavor = flavor;
    }

    /** Added by {@link UpstreamLogin} once logged in: starts the commands. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        planCommands();
        nextStep(ctx);
    }

    /** A command exchange: the payload to send and what to do with the response packets. */
    private record Step(String description, java.util.function.Function<ChannelHandlerContext, ByteBuf> command,
                       Consumer<QueryResponseReader> onResult, boolean optional, boolean simpleOk) {
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf packet) {
        try {
            switch (state) {
                case COMMANDS -> onCommandResponse(ctx, packet);
                case STREAMING -> onStreamPacket(ctx, packet);
            }
        } finally {
            packet.release();
        }
    }

    private void planCommands() {
        query("server info", "SELECT @@GLOBAL.server_id, @@version, @@GLOBAL.gtid_domain_id, @@GLOBAL.binlog_checksum", rs -> {
            var row = rs.resultSet().rows().get(0);
            serverInfo.put(BinlogIngester.META_SERVER_ID, row.get(0));
            serverInfo.put(BinlogIngester.META_SERVER_VERSION, row.get(1));
            serverInfo.put(BinlogIngester.META_DOMAIN_ID, row.get(2));
            if (String.valueOf(settings.serverId()).equals(row.get(0))) {
                throw new UpstreamException("the primary's server_id equals the relay's (" + row.get(0) + "); give the relay its own server_id");
            }
            ingester.recordServerInfo(serverInfo);
        }, false);
        // MySQL only (MariaDB has no server_uuid): part of the primary's identity the store remembers, checked
        // with the server_id before the dump starts
        query("server uuid", "SELECT @@GLOBAL.server_uuid", rs -> {
            var rows = rs.resultSet().rows();
            if (!rows.isEmpty() && rows.get(0).get(0) != null) {
                serverInfo.put(UpstreamOrigin.INFO_SERVER_UUID, rows.get(0).get(0));
            }
        }, true);
        Optional<BinlogPosition> resume = ingester.resumePosition();
        if (resume.isPresent()) {
            dumpFile = resume.get().file();
            dumpPosition = resume.get().position();
        } else if (settings.start() instanceof StartPosition.FilePosition fp) {
            dumpFile = fp.file();
            dumpPosition = fp.position();
        } else if (settings.start() instanceof StartPosition.Gtid g) {
            gtidStart = g.position().toString();
        } else if (settings.start() instanceof StartPosition.Current) {
            query("current position", "SHOW MASTER STATUS", rs -> {
                TextResultSet r = rs.resultSet();
                if (r.rows().isEmpty()) {
                    throw new UpstreamException("SHOW MASTER STATUS is empty: binary logging is off on the primary");
                }
                dumpFile = r.rows().get(0).get(0);
                dumpPosition = Long.parseLong(r.rows().get(0).get(1));
            }, false);
        } else {
            query("earliest binlog", "SHOW BINARY LOGS", rs -> {
                TextResultSet r = rs.resultSet();
                if (r.rows().isEmpty()) {
                    throw new UpstreamException("SHOW BINARY LOGS is empty: binary logging is off on the primary");
                }
                dumpFile = r.rows().get(0).get(0);
                dumpPosition = 4;
            }, false);
        }
        // the GTID start is known now or never; setup statements go after the position look-ups
        steps.add(new Step("setup", null, null, false, false));
    }

    private void query(String description, String sql, Consumer<QueryResponseReader> onResult, boolean optional) {
        steps.add(new Step(description, ctx -> {
            byte[] q = sql.getBytes(StandardCharsets.UTF_8);
            return ctx.alloc().buffer(1 + q.length).writeByte(Commands.COM_QUERY).writeBytes(q);
        }, onResult, optional, false));
    }

    private void nextStep(ChannelHandlerContext ctx) {
        current = steps.poll();
        if (current == null) {
            startDump(ctx);
            return;
        }
        if (current.command() == null) {
            for (String sql : flavor.upstreamSetupStatements(settings.heartbeatNanos(), gtidStart)) {
                query(sql, sql, null, false);
            }
            steps.add(new Step("register", this::registerCommand, null, false, true));
            nextStep(ctx);
            return;
        }
        reader = new QueryResponseReader();
        sequence.reset();
        ctx.writeAndFlush(current.command().apply(ctx));
    }

    private void onCommandResponse(ChannelHandlerContext ctx, ByteBuf packet) {
        if (!reader.accept(packet)) {
            return;
        }
        if (reader.isError()) {
            if (!current.optional()) {
                throw new UpstreamException(current.description() + " failed on the primary: " + reader.error());
            }
            log.debug("optional step '{}' failed: {}", current.description(), reader.error());
        } else if (current.onResult() != null) {
            current.onResult().accept(reader);
        }
        nextStep(ctx);
    }

    /**
     * <pre>
     * COM_REGISTER_SLAVE: 0x15 | server_id (4) | hostname (1-byte length + bytes) | user (1+n) | password (1+n)
     *                     | port (2) | replication_rank (4) | master_id (4)
     * </pre>
     */
    private ByteBuf registerCommand(ChannelHandlerContext ctx) {
        ByteBuf out = ctx.alloc().buffer(32);
        out.writeByte(Commands.COM_REGISTER_SLAVE).writeIntLE((int) settings.serverId());
        out.writeByte(0).writeByte(0).writeByte(0);
        out.writeShortLE(0).writeIntLE(0).writeIntLE(0);
        return out;
    }

    private void startDump(ChannelHandlerContext ctx) {
        listener.onServerIdentity(serverInfo);
        boolean gtid = gtidStart != null;
        ingester.startStream(gtid ? null : dumpFile, gtid ? 0 : dumpPosition,
                gtid ? dev.binlogrelay.core.gtid.MariaGtidPosition.parse(gtidStart) : null);
        log.info("dumping from {}", gtid ? "GTID position '" + gtidStart + "'" : dumpFile + ":" + dumpPosition);
        sequence.reset();
        ctx.writeAndFlush(flavor.dumpCommand(ctx.alloc(), settings.serverId(), dumpFile, dumpPosition, gtid));
        state = State.STREAMING;
        listener.onStreaming();
    }

    private void onStreamPacket(ChannelHandlerContext ctx, ByteBuf packet) {
        if (!packet.isReadable()) {
            throw new ProtocolException("empty packet in the binlog stream");
        }
        int first = packet.getUnsignedByte(packet.readerIndex());
        if (first == ErrPacket.HEADER) {
            throw new UpstreamException("primary ended the binlog stream: " + ErrPacket.decode(packet));
        }
        if (EofPacket.is(packet)) {
            // what a primary sends when it shuts down (or ends a non-blocking dump)
            log.warn("primary {}:{} ended the binlog stream (EOF); reconnecting", settings.host(), settings.port());
            ctx.close();
            return;
        }
        if (first != OkPacket.HEADER) {
            throw new ProtocolException(String.format("binlog stream packet starts with 0x%02X", first));
        }
        byte[] event = new byte[packet.readableBytes() - 1];
        packet.getBytes(packet.readerIndex() + 1, event);
        try {
            ingester.offer(event);
        } catch (BinlogFormatException e) {
            throw new UpstreamException("bad event from the primary: " + e.getMessage());
        } catch (StoreException e) {
            throw new UpstreamException("ingestion stopped: " + e.getMessage());
        }
        listener.onEvent();
    }

    /** The end of one network read: the transactions it completed are written as one batch (one fsync). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.STREAMING) {
            try {
                ingester.flush();
            } catch (StoreException e) {
                throw new UpstreamException("ingestion stopped: " + e.getMessage());
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.warn("no data from the primary for too long (no heartbeat); reconnecting");
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof UpstreamException || c instanceof ProtocolException) {
            log.error("upstream {}:{}: {}", settings.host(), settings.port(), c.getMessage());
        } else {
            log.error("upstream {}:{} failed", settings.host(), settings.port(), c);
        }
        listener.onError(c);
        ctx.close();
    }
}
