package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.flavor.StartPosition;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.QueryResponseReader;
import dev.binlogrelay.core.protocol.TextResultSet;
import dev.binlogrelay.core.protocol.command.RegisterReplica;
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
    private final Deque<UpstreamStep> steps = new ArrayDeque<>();
    private UpstreamStep current;
    private QueryResponseReader reader;
    private final Map<String, String> serverInfo = new LinkedHashMap<>();
    private String dumpFile;
    private long dumpPosition;
    private StartPosition.GtidStart gtidStart;
    /** A GTID dump after a failover, continuing in the relay's own files. */
    private boolean ownFiles;
    /** upstream.semi_sync: null when off. */
    private final SemiSyncReplica semiSync;

    UpstreamConnection(UpstreamSettings settings, BinlogIngester ingester, PacketSequence sequence,
                       UpstreamClient.Listener listener, Flavor flavor) {
        super(false);
        this.settings = settings;
        this.ingester = ingester;
        this.sequence = sequence;
        this.listener = listener;
        this.flavor = flavor;
        this.semiSync = settings.semiSync()
                ? new SemiSyncReplica(ingester, listener, settings.host() + ":" + settings.port()) : null;
    }

    /** Added by {@link UpstreamLogin} once logged in: starts the commands. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        planCommands();
        nextStep(ctx);
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
        Flavor.ServerInfoQuery info = flavor.serverInfoQuery();
        query("server info", info.sql(), rs -> {
            var rows = rs.resultSet().rows();
            if (rows.isEmpty() || rows.get(0).size() < info.keys().size()) {
                throw new UpstreamException("'" + info.sql() + "' returned no full row");
            }
            for (int i = 0; i < info.keys().size(); i++) {
                String v = rows.get(0).get(i);
                if (v != null) {
                    serverInfo.put(info.keys().get(i), v);
                }
            }
            String id = rows.get(0).get(0);
            if (String.valueOf(settings.serverId()).equals(id)) {
                throw new UpstreamException("the primary's server_id equals the relay's (" + id + "); give the relay its own server_id");
            }
        }, false);
        if (settings.followFailover()) {
            planPrimaryChecks();
        }
        // kept only once the candidate passed its checks: a refused one must not change what readers are told
        steps.add(UpstreamStep.local("record server info", () -> ingester.recordServerInfo(serverInfo)));
        // what SHOW VARIABLES and SELECT @@… answer downstream; optional: a refusal keeps what the store has
        steps.add(new UpstreamStep("upstream variables", ctx -> queryPacket(ctx, UpstreamVariables.QUERY), rs -> {
            if (rs.truncated()) {
                log.warn("the primary's {} is longer than {} rows or {} bytes: the variables past that are not learned",
                        UpstreamVariables.QUERY, UpstreamVariables.MAX_ROWS, UpstreamVariables.MAX_BYTES);
            }
            ingester.recordUpstreamVariables(UpstreamVariables.parse(rs.resultSet()));
        }, true, false, null, UpstreamVariables::reader));
        // on MySQL the info query also gives @@server_uuid (key UpstreamOrigin.INFO_SERVER_UUID): part of the
        // primary's identity the store remembers, checked with the server_id before the dump starts
        Optional<BinlogPosition> resume = ingester.resumePosition();
        if (resume.isPresent()) {
            // a step, so the GTID mode just read from the primary counts
            steps.add(UpstreamStep.local("resume", this::resume));
        } else if (settings.start() instanceof StartPosition.FilePosition fp) {
            dumpFile = fp.file();
            dumpPosition = fp.position();
        } else if (settings.start() instanceof StartPosition.GtidStart g) {
            // a step: a failure here reaches exceptionCaught like any other, which handlerAdded would not
            steps.add(UpstreamStep.local("GTID start", () -> {
                try {
                    gtidStart = flavor.parseGtidStart(g.text());
                } catch (IllegalArgumentException e) {
                    throw new UpstreamException("upstream.start cannot be used with " + flavor.name() + ": " + e.getMessage());
                }
            }));
        } else if (settings.start() instanceof StartPosition.Current) {
            String sql = flavor.currentPositionQuery();
            query("current position", sql, rs -> {
                TextResultSet r = rs.resultSet();
                if (r.rows().isEmpty()) {
                    throw new UpstreamException(sql + " is empty: binary logging is off on the primary");
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
        // the schema history's snapshot, when asked for: right after the position look-ups (docs/schema-history.md)
        steps.add(UpstreamStep.local("schema snapshot", () -> ingester.schemaSnapshot().ifPresent(this::converse)));
        // the GTID start is known now or never; setup statements go after the position look-ups
        steps.add(UpstreamStep.local("setup", this::planSetup));
    }

    /**
     * {@code upstream.hosts}: the candidate must be the primary ({@link PrimaryCheck}) and, when the relay holds
     * transactions, hold all of them ({@link ForkCheck}); else the connection ends before anything is dumped.
     */
    private void planPrimaryChecks() {
        String address = settings.address();
        steps.add(new UpstreamStep("read-only check", ctx -> queryPacket(ctx, PrimaryCheck.VARIABLES_QUERY), rs ->
                PrimaryCheck.readOnly(rs.resultSet()).ifPresent(why -> {
                    throw new NotPrimaryException(address + " is not the primary: " + why);
                }), false, false, null, () -> new QueryResponseReader(16, 64 << 10)));
        String status = flavor.replicationStatusQuery();
        steps.add(new UpstreamStep("replication check", ctx -> queryPacket(ctx, status), rs -> {
            if (rs.truncated()) {
                throw new NotPrimaryException(address + ": '" + status + "' is longer than " + PrimaryCheck.MAX_STATUS_ROWS
                        + " rows or " + PrimaryCheck.MAX_STATUS_BYTES + " bytes; not taken for the primary");
            }
            PrimaryCheck.replicating(rs.resultSet()).ifPresent(why -> {
                throw new NotPrimaryException(address + " is not the primary: " + why);
            });
        }, false, false, null, () -> new QueryResponseReader(PrimaryCheck.MAX_STATUS_ROWS, PrimaryCheck.MAX_STATUS_BYTES)));
        Optional<String> stored = ingester.storedGtidText();
        if (stored.isPresent()) {
            String sql = flavor.binlogGtidStateQuery();
            steps.add(new UpstreamStep("fork check", ctx -> queryPacket(ctx, sql), rs -> {
                if (rs.truncated()) {
                    throw new UpstreamException(address + ": '" + sql + "' is longer than " + ForkCheck.MAX_STATE_BYTES + " bytes");
                }
                ForkCheck.check(flavor, address, serverInfo.get(UpstreamOrigin.INFO_SERVER_ID), stored.get(), rs.resultSet(),
                        settings.reconnectMaxMs());
            }, false, false, null, () -> new QueryResponseReader(1, ForkCheck.MAX_STATE_BYTES)));
        }
    }

    /** The flavor's setup statements (they depend on the GTID start, known by now), then COM_REGISTER_SLAVE. */
    private void planSetup() {
        String gtidText = gtidStart == null ? null : gtidStart.text();
        for (String sql : flavor.upstreamSetupStatements(settings.heartbeatNanos(), gtidText, relayUuid())) {
            query(sql, sql, null, false);
        }
        if (semiSync != null) {
            query("semi-sync check", SemiSyncReplica.CHECK_SQL, rs -> {
                if (SemiSyncReplica.primarySupports(rs.resultSet())) {
                    steps.addFirst(new UpstreamStep("semi-sync", ctx -> queryPacket(ctx, SemiSyncReplica.ENABLE_SQL),
                            r -> semiSync.enabled(), false, false));
                } else {
                    semiSync.unsupported();
                }
            }, false);
        }
        // the relay reports no host, user, password or port of its own (a MariaDB or MySQL replica without report_*)
        steps.add(new UpstreamStep("register", ctx -> new RegisterReplica(settings.serverId(), "", "", "", 0).encode(ctx.alloc()),
                null, false, true));
    }

    /** Where a relay that holds data resumes: by its GTID set if the flavor does so and has one, else after its end. */
    private void resume() {
        BinlogPosition end = ingester.resumePosition().orElseThrow();
        if (settings.followFailover() && ingester.ownFiles().neededFor(serverInfo.get(UpstreamOrigin.INFO_SERVER_ID))) {
            String stored = ingester.storedGtidText().orElseThrow(() -> new UpstreamException("cannot follow the failover to "
                    + settings.address() + ": the relay holds no GTIDs to resume from (its primary wrote none)"));
            gtidStart = flavor.parseGtidStart(stored);
            ownFiles = true;
            ingester.ownFiles().begin();
            return;
        }
        Optional<String> gtids = flavor.resumesByGtid() ? ingester.gtidResumeState() : Optional.empty();
        if (gtids.isPresent()) {
            gtidStart = flavor.parseGtidStart(gtids.get());
        } else {
            dumpFile = end.file();
            dumpPosition = end.position();
        }
    }

    /** Runs the snapshot's statements one after the other (each optional: a failure skips that table). */
    private void converse(SchemaSnapshot snapshot) {
        String sql = snapshot.next();
        if (sql != null) {
            steps.addFirst(UpstreamStep.local("schema snapshot", () -> converse(snapshot)));
            steps.addFirst(new UpstreamStep(sql, ctx -> queryPacket(ctx, sql), snapshot::answer, true, false, null,
                    snapshot::reader));
        }
    }

    /** The relay's server UUID, as it presents it downstream (@@server_uuid). */
    private String relayUuid() {
        return settings.relayUuid();
    }

    private void query(String description, String sql, Consumer<QueryResponseReader> onResult, boolean optional) {
        steps.add(new UpstreamStep(description, ctx -> queryPacket(ctx, sql), onResult, optional, false));
    }

    private static ByteBuf queryPacket(ChannelHandlerContext ctx, String sql) {
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        return ctx.alloc().buffer(1 + q.length).writeByte(Commands.COM_QUERY).writeBytes(q);
    }

    private void nextStep(ChannelHandlerContext ctx) {
        current = steps.poll();
        if (current == null) {
            startDump(ctx);
            return;
        }
        if (current.local() != null) {
            current.local().run();
            nextStep(ctx);
            return;
        }
        reader = current.readers().get();
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

    private void startDump(ChannelHandlerContext ctx) {
        listener.onServerIdentity(serverInfo);
        boolean gtid = gtidStart != null;
        ingester.startStream(gtid ? null : dumpFile, gtid ? 0 : dumpPosition, gtidStart, ownFiles);
        String from = gtid ? "GTID state '" + gtidStart.text() + "'" : dumpFile + ":" + dumpPosition;
        log.info("dumping from {} ({})", from, flavor.name());
        listener.onDumpRequested(from);
        sequence.reset();
        ctx.writeAndFlush(flavor.dumpCommand(settings.serverId(), dumpFile, dumpPosition, gtid ? gtidStart.text() : null)
                .encode(ctx.alloc()));
        state = State.STREAMING;
        if (semiSync != null) {
            semiSync.start(ctx);
        }
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
        packet.skipBytes(1);
        boolean ackRequested = semiSync != null && semiSync.active() && semiSync.header(packet).ackRequested();
        byte[] event = new byte[packet.readableBytes()];
        packet.readBytes(event);
        try {
            ingester.offer(event);
            if (semiSync != null) {
                semiSync.offered(event, ackRequested);
            }
            if (ackRequested) {
                sequence.restartAt(1); // the primary numbers on from 1 after an event it waits for (its ack is 0)
            }
        } catch (BinlogFormatException e) {
            throw new UpstreamException("bad event from the primary: " + e.getMessage());
        } catch (StoreException e) {
            throw new UpstreamException("ingestion stopped: " + e.getMessage());
        }
        listener.onEvent();
    }

    /** The end of one network read: the transactions it completed are written as one batch (synced by the store). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.STREAMING) {
            try {
                ingester.flush();
            } catch (StoreException e) {
                throw new UpstreamException("ingestion stopped: " + e.getMessage());
            }
            if (semiSync != null) {
                semiSync.sendDurable(); // none: written is durable enough now; with the syncer (the default): later
            }
            listener.onFlushed();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // logged by UpstreamClient, once per change of reason
            listener.onError(new UpstreamException("no data from the primary for 3 heartbeat periods (a silent or"
                    + " half-open connection)"));
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (semiSync != null) {
            semiSync.stop();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        // logged by UpstreamClient, once per change of reason
        log.debug("upstream {}:{} session failed", settings.host(), settings.port(), c);
        listener.onError(c);
        ctx.close();
    }
}
