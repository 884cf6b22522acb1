package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.core.protocol.command.BinlogDumpGtid;
import dev.binlogrelay.core.protocol.command.RegisterReplica;
import dev.binlogrelay.server.admin.QueryResult;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.admin.SqlSession;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One downstream client after its login ({@link LoginHandler}): the command phase. Queries go to the SQL
 * layer, COM_REGISTER_SLAVE is recorded, COM_BINLOG_DUMP hands the connection to a {@link DumpSession}.
 */
final class ClientSession extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private enum State { COMMAND, DUMPING }

    private final DownstreamServer server;
    private final PacketSequence sequence;
    private final String user;
    private final SqlSession sql;
    private State state = State.COMMAND;
    /** A {@link QueryResult.Deferred} answer is being computed: the client's commands wait (its autoRead is off). */
    private boolean deferredAnswer;
    private volatile DumpSession dump; // read by SHOW PROCESSLIST from other threads
    private IdleTimer idle;
    /** The reader sent COM_REGISTER_SLAVE: a replica server (mariadb-binlog and CDC readers do not register). */
    private boolean registered;
    /** The connection to downstream.sql_backend, when one is configured (it connects on the first forward). */
    private SqlBackendSession backend;
    /** This connection's packet decoder: paused while an answer is in progress, so pipelined commands wait. */
    private final PacketDecoder decoder;
    /** The database named at login, for the SQL backend session; null if none. */
    private String loginDatabase;
    /** A BEGIN / START TRANSACTION / COMMIT / ROLLBACK forwarded to the backend, until it is answered. */
    private String forwardedTransaction;
    private SemiSyncReader semiSync; // the running dump is a semi-sync one: its acks are read during it
    /** What the session holds on its backend connection: coordinates are the backend's inside a snapshot. */
    private final SnapshotCoordinates snapshot = new SnapshotCoordinates();

    /**
     * For an authenticated user; the OK of the login has been sent and the sequence reset.
     *
     * @param clientCapabilities the client's handshake capabilities (CLIENT_IGNORE_SPACE adds IGNORE_SPACE to sql_mode)
     */
    ClientSession(DownstreamServer server, PacketSequence sequence, PacketDecoder decoder, long connectionId, String user,
                  String host, int clientCapabilities) {
        super(false);
        this.server = server;
        this.sequence = sequence;
        this.decoder = decoder;
        this.user = user;
        this.sql = new SqlSession(user, host, connectionId);
        sql.ignoreSpace((clientCapabilities & dev.binlogrelay.core.protocol.Capabilities.IGNORE_SPACE) != 0);
    }

    /**
     * A transaction statement the backend answered with OK also runs through the relay's SQL layer (its answer
     * dropped), so that the status flags of the relay's own answers say what the backend's do (in a transaction or
     * not): a driver that tracks them (Connector/J sends COMMIT only inside one) sees one session.
     */
    private void transactionAnswered() {
        String statement = forwardedTransaction;
        forwardedTransaction = null;
        if (statement != null && backend.answeredOk()) {
            server.queries().handle(statement, sql);
        }
    }

    /** The collation id of the client's handshake: its character set variables (before the session is added). */
    void handshakeCharset(int collationId) {
        server.queries().handshakeCharset(collationId, sql);
    }

    /** The database the client named at login (before the session is added to the pipeline). */
    void loginDatabase(String database) {
        this.loginDatabase = database;
    }

    /** Whether an answer is in progress (the backend's, or one computed off the loop): commands wait meanwhile. */
    private boolean busy() {
        return deferredAnswer || backend != null && backend.busy();
    }

    /**
     * The backend answered, or a deferred answer was written: the commands the client sent meanwhile (which the
     * paused decoder left undecoded, see {@link #channelRead0}) are decoded and run now, in order.
     */
    private void decodeHeldCommands() {
        if (!busy()) {
            decoder.resume();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        LoginGate.loggedIn(ctx.pipeline());
        server.processes().add(ctx.channel(), sql.connectionId(), user, sql.clientHost(), () -> dump); // SHOW PROCESSLIST
        idle = new IdleTimer(ctx, server, sql, () -> state == State.DUMPING);
        if (server.sqlBackend() != null) {
            backend = new SqlBackendSession(server.sqlBackend(), ctx.channel(), sequence, server.pendingWrites(), () -> {
                transactionAnswered();
                decodeHeldCommands();
            });
            if (loginDatabase != null && !loginDatabase.isEmpty()) {
                backend.useDatabase(loginDatabase);
            }
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.stop();
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf packet) {
        try {
            switch (state) {
                case COMMAND -> onCommand(ctx, packet);
                case DUMPING -> onDuringDump(ctx, packet);
            }
        } finally {
            packet.release();
            if (busy()) {
                decoder.pause(); // an answer is in progress: what the client pipelined behind it waits, undecoded
            }
            if (idle != null) {
                idle.activity(); // after the command: a SET wait_timeout applies from this one on
            }
        }
    }

    private static String host(ChannelHandlerContext ctx) {
        return LoginHandler.host(ctx);
    }

    private void onCommand(ChannelHandlerContext ctx, ByteBuf packet) {
        if (!packet.isReadable()) {
            throw new ProtocolException("empty command packet");
        }
        int command = packet.getUnsignedByte(packet.readerIndex());
        switch (command) {
            case Commands.COM_QUIT -> ctx.close();
            case Commands.COM_INIT_DB -> {
                if (backend != null) {
                    backend.forward(packet, "USE `" + packet.toString(packet.readerIndex() + 1, packet.readableBytes() - 1,
                            StandardCharsets.UTF_8).replace("`", "``") + "`");
                } else {
                    ok(ctx);
                }
            }
            case Commands.COM_PING, Commands.COM_RESET_CONNECTION -> ok(ctx);
            case Commands.COM_QUERY -> query(ctx, packet, packet.toString(packet.readerIndex() + 1, packet.readableBytes() - 1,
                    StandardCharsets.UTF_8));
            case Commands.COM_REGISTER_SLAVE -> register(ctx, RegisterReplica.decode(packet));
            case Commands.COM_BINLOG_DUMP -> binlogDump(ctx, BinlogDump.decode(packet));
            case Commands.COM_BINLOG_DUMP_GTID -> binlogDumpGtid(ctx, packet);
            default -> {
                log.info("{} sent unsupported {}", ctx.channel().remoteAddress(), Commands.name(command));
                error(ctx, ErrorCodes.ER_UNKNOWN_COM_ERROR, ErrorCodes.STATE_COMMAND,
                        "binlog-relay does not support " + Commands.name(command));
            }
        }
    }

    private void query(ChannelHandlerContext ctx, ByteBuf packet, String text) {
        log.debug("query from {}: {}", ctx.channel().remoteAddress(), PeerText.text(text));
        if (backend != null && (backend.takesFirst(text) || snapshot.takesCoordinates(text, sql.serverStatus()))) {
            forwardedTransaction = SqlBackendRule.isTransactionStatement(text) ? text : null;
            snapshot.forwarded(text);
            backend.forward(packet, text);
            return;
        }
        QueryResult result = server.queries().handle(text, sql);
        if (backend != null) {
            if (SqlBackendRule.unanswered(result)) {
                snapshot.forwarded(text);
                backend.forward(packet, text);
                return;
            }
            backend.relayAnswered();
            if (result instanceof QueryResult.Ok) {
                backend.mirrorSet(packet, text);
            }
        }
        if (result instanceof QueryResult.Deferred deferred) {
            // computed off the loop (it reads the store): the next commands wait until it is written
            deferredAnswer = true;
            ctx.channel().config().setAutoRead(false);
            deferred.answer().whenComplete((answer, failure) -> ctx.executor().execute(() -> {
                deferredAnswer = false;
                try {
                    if (ctx.channel().isActive()) {
                        answer(ctx, answer, text);
                        ctx.channel().config().setAutoRead(true);
                        decodeHeldCommands();
                    }
                } catch (RuntimeException e) {
                    exceptionCaught(ctx, e); // logged, the connection closed: never a session that waits for good
                }
            }));
            return;
        }
        answer(ctx, result, text);
    }

    private void answer(ChannelHandlerContext ctx, QueryResult result, String text) {
        if (result instanceof QueryResult.Ok ok) {
            ctx.writeAndFlush(new OkPacket(ok.affectedRows(), 0, sql.serverStatus(), ok.warnings(), "").encode(ctx.alloc()));
        } else if (result instanceof QueryResult.Rows rows) {
            for (ByteBuf p : rows.resultSet().encode(ctx.alloc(), sql.serverStatus())) {
                ctx.write(p);
            }
            ctx.flush();
        } else if (result instanceof QueryResult.Error err) {
            log.info("query from {} refused: {} [{}]", ctx.channel().remoteAddress(), PeerText.text(err.message()), PeerText.text(text));
            ctx.writeAndFlush(new ErrPacket(err.code(), err.sqlState(), err.message()).encode(ctx.alloc()));
        }
        sequence.reset();
    }

    private void register(ChannelHandlerContext ctx, RegisterReplica r) {
        String uuid = sql.hasUserVariable("replica_uuid") ? sql.userVariable("replica_uuid") : sql.userVariable("slave_uuid");
        server.registerReplica(ctx.channel(), new RelayInfo.RegisteredReplica(r.serverId(),
                r.host().isEmpty() ? host(ctx) : r.host(), r.port(), server.info().serverId(), uuid == null ? "" : uuid));
        registered = true;
        ok(ctx);
    }

    private void binlogDump(ChannelHandlerContext ctx, BinlogDump d) {
        ReaderOptions options;
        try {
            options = readerOptions(d.flags(), d.serverId(), new ReaderStart.AtFilePosition(d.file(), d.position()));
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, ErrorCodes.STATE_GENERAL, PeerText.text(e.getMessage()));
            return;
        }
        startDump(ctx, d.serverId(), d.flags(), options);
    }

    /** A malformed GTID set is answered with ERR 1236, as a server does; a packet too short for its fields is not. */
    private void binlogDumpGtid(ChannelHandlerContext ctx, ByteBuf in) {
        BinlogDumpGtid d;
        ReaderOptions options;
        try {
            d = BinlogDumpGtid.decode(in);
            options = readerOptions(d.flags(), d.serverId(), new ReaderStart.AtMysqlGtids(d.gtids(), d.file(), d.position()));
        } catch (IllegalArgumentException e) {
            error(ctx, ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, ErrorCodes.STATE_GENERAL, PeerText.text(e.getMessage()));
            return;
        }
        startDump(ctx, d.serverId(), d.flags(), options);
    }

    private ReaderOptions readerOptions(int flags, long readerServerId, ReaderStart fromCommand) {
        return ReaderRequests.options(sql, server.defaultHeartbeatNanos(), server.info().serverId(), flags, readerServerId,
                fromCommand);
    }

    /** Opens the reader's start, waiting up to downstream.start_wait for one the relay has not stored yet. */
    private void startDump(ChannelHandlerContext ctx, long readerServerId, int flags, ReaderOptions options) {
        state = State.DUMPING; // a packet while the start is awaited is a protocol error, as during the dump
        String reader = ctx.channel().remoteAddress() + " (server_id " + readerServerId + ")";
        DumpStartWait.open(ctx.channel(), reader, server.store(), server.limits().startWait().toNanos(),
                () -> server.positions().open(options.start()),
                cursor -> beginDump(ctx, readerServerId, flags, options, cursor),
                e -> {
                    state = State.COMMAND;
                    server.rejections().warn("dump request from {} (server_id {}) refused: {}", ctx.channel().remoteAddress(),
                            readerServerId, PeerText.text(e.getMessage()));
                    error(ctx, ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, ErrorCodes.STATE_GENERAL, PeerText.escape(e.getMessage(), 512));
                });
    }

    private void beginDump(ChannelHandlerContext ctx, long readerServerId, int flags, ReaderOptions options, BinlogCursor cursor) {
        log.info("reader {} (server_id {}) dumps from {}{} (flags {}, checksum {}{})", ctx.channel().remoteAddress(), readerServerId,
                ReaderRequests.gtidNote(options.start()), cursor.position(), flags, options.checksum(),
                ReaderRequests.heartbeatNote(options));
        boolean continuesStatement;
        try {
            continuesStatement = server.positions().continuesRowsStatement(registered, options, cursor);
        } catch (RuntimeException e) { // a storage failure reading the event before the position
            BinlogPosition at = cursor.position();
            cursor.close();
            log.warn("dump request from {} (server_id {}) failed: cannot read the event before {}: {}",
                    ctx.channel().remoteAddress(), readerServerId, at, e.toString());
            error(ctx, ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, ErrorCodes.STATE_GENERAL,
                    "binlog-relay cannot read its store at " + at + ": " + e.getMessage());
            state = State.COMMAND;
            return;
        }
        if (continuesStatement) {
            log.info("reader {} (server_id {}) resumes inside a rows statement at {}: its stream goes on with the "
                    + "statement's next rows event, without the fake rotate and format description that begin a dump "
                    + "(a MariaDB file/position replica stops with 1595 when any other event comes before the "
                    + "statement's end; a primary sends them and the replica stops)",
                    ctx.channel().remoteAddress(), readerServerId, cursor.position());
        }
        state = State.DUMPING;
        AtomicBoolean counted = new AtomicBoolean(true);
        Runnable readerStopped = () -> {
            if (counted.getAndSet(false)) {
                server.metrics().readerStopped();
            }
        };
        dump = new DumpSession(ctx.channel(), ctx.channel().remoteAddress() + " (server_id " + readerServerId + ")",
                sequence, cursor, options, continuesStatement, server.formats(),
                server.commitFanOut(ctx.channel().eventLoop()), server.pendingWrites(), server.writeTimeoutNanos(),
                server.metrics(), () -> {
                    state = State.COMMAND;
                    dump = null;
                    semiSync = SemiSyncReader.end(semiSync, ctx.channel(), sequence, server);
                    sequence.reset();
                    readerStopped.run();
                });
        semiSync = SemiSyncReader.startIfRequested(sql, ctx.channel(), sequence, server, dump, readerServerId);
        server.metrics().readerStarted();
        ctx.channel().closeFuture().addListener(f -> readerStopped.run());
        server.dumpStarting(readerServerId, ctx.channel());
        dump.start();
    }

    private void onDuringDump(ChannelHandlerContext ctx, ByteBuf packet) {
        SemiSyncReader.duringDump(semiSync, ctx, packet); // a semi-sync reader's acks; from any other, a protocol error
    }

    private void ok(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new OkPacket(0, 0, sql.serverStatus(), 0, "").encode(ctx.alloc()));
        sequence.reset();
    }

    private void error(ChannelHandlerContext ctx, int code, String state, String message) {
        ctx.writeAndFlush(new ErrPacket(code, state, message).encode(ctx.alloc()));
        sequence.reset();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (dump != null && ctx.channel().isWritable()) {
            dump.onWritable();
        }
        if (backend != null) {
            backend.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.unregisterReplica(ctx.channel());
        if (backend != null) {
            backend.close();
        }
        if (dump != null) {
            dump.stop();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException) {
            server.rejections().warn("closing {} (user '{}'): {}", ctx.channel().remoteAddress(), PeerText.name(user),
                    PeerText.text(c.getMessage()));
            server.metrics().protocolError();
            if (state != State.DUMPING) {
                ctx.writeAndFlush(new ErrPacket(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, ErrorCodes.STATE_COMMAND,
                        "Malformed packet: " + PeerText.text(c.getMessage())).encode(ctx.alloc())).addListener(f -> ctx.close());
                return;
            }
        } else if (c instanceof java.io.IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), c.getMessage());
        } else {
            log.error("closing {} after an internal error", ctx.channel().remoteAddress(), c);
        }
        ctx.close();
    }
}
