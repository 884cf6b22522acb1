package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.PeerText;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import dev.binlogrelay.server.memory.PendingWriteBudget;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.TimeUnit;

/**
 * One client session's connection to the SQL backend ({@code downstream.sql_backend}): opened on the first
 * forwarded statement, closed with the session. A forwarded command packet goes to the backend as the client sent
 * it; each packet of the backend's answer (OK, ERR, or result sets: column count, column definitions, EOF, rows,
 * EOF) goes to the client as it arrives, re-framed with the client's sequence ids.
 *
 * <p>Threading: everything runs on the client channel's event loop, which is also the backend channel's. Nothing
 * blocks it: connect, login and answers are callbacks.
 *
 * <p>Memory: the backend's answer is never buffered whole. What the relay holds of it is the packet being decoded
 * (at most {@link SqlBackendSettings#maxPacket()}) and what waits in the client's socket buffer: once the client
 * channel is not writable (its write-buffer high-water mark, {@code downstream.write_buffer_high}), the backend
 * channel stops reading until the client has drained below the low mark, so a slow client slows the backend's
 * send, not the relay's heap.
 */
final class SqlBackendSession {
    private static final Logger log = LoggerFactory.getLogger(SqlBackendSession.class);
    static final int CR_CONN_HOST_ERROR = 2003;
    static final int CR_SERVER_LOST = 2013;
    static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final long LOGIN_TIMEOUT_SECONDS = 10;

    private enum State { NONE, CONNECTING, READY, BUSY, LOST, CLOSED }

    private final SqlBackendSettings settings;
    private final Channel client;
    private final PacketSequence clientSequence;
    private final Runnable onAnswered;
    private final PendingWriteBudget budget;
    private State state = State.NONE;
    private Channel backend;
    /** What the current backend connection holds, counted against the readers' budget (one per connection). */
    private SqlBackendMemory memory;
    /** The sequence ids of the current backend connection (a new one for each). */
    private PacketSequence backendSequence;
    /** The command waiting for the login to finish; owned here. */
    private ByteBuf pending;
    /** The USE and SET statements a new backend connection replays (the allow-list lets them through). */
    private final SqlBackendSettingsLog settingsLog = new SqlBackendSettingsLog();
    /** SET statements to send before {@link #pending}, their answers not relayed; owned here. */
    private final java.util.ArrayDeque<ByteBuf> silent = new java.util.ArrayDeque<>();
    /** The answer in flight belongs to a SET sent on the session's behalf: it is read and dropped. */
    private boolean answerSilent;
    /** Where the answer in flight ends. */
    private SqlBackendAnswer answer;
    private boolean relayedAny;
    /** Of the answer in flight: packets relayed, and times the backend was paused for a full client buffer. */
    private long packets;
    private long pauses;
    /** The client's last forwarded statement was answered with OK by the backend. */
    private boolean answeredOk;
    /** The session's last statement went to the backend: SHOW WARNINGS asks the backend too. */
    private boolean lastForwarded;

    /**
     * @param onAnswered called on the event loop when the backend's answer has been relayed whole (the client's
     *                   sequence reset): the session may read its next command
     * @param budget     {@code downstream.max_pending_bytes}: the answers' bytes count against it ({@link SqlBackendMemory})
     */
    SqlBackendSession(SqlBackendSettings settings, Channel client, PacketSequence clientSequence, PendingWriteBudget budget,
                      Runnable onAnswered) {
        this.settings = settings;
        this.client = client;
        this.clientSequence = clientSequence;
        this.budget = budget;
        this.onAnswered = onAnswered;
    }

    /** True if the backend answers {@code sql} before the relay's own SQL layer is asked. */
    boolean takesFirst(String sql) {
        return SqlBackendRule.backendFirst(sql) || lastForwarded && SqlBackendRule.showsDiagnostics(sql);
    }

    /** The relay answered the session's statement itself. */
    void relayAnswered() {
        lastForwarded = false;
    }

    /** The database the client named at login: the backend session starts in it (a USE before anything else). */
    void useDatabase(String database) {
        settingsLog.useFirst(client.alloc(), database);
    }

    /**
     * The relay answered a SET of the session ({@code command}, the caller keeps its reference) with OK: the backend
     * session gets it too, now if connected (its answer dropped; the client already has the relay's), and on every
     * new connection. SET STATEMENT … FOR, and what the allow-list refuses, stay with the relay.
     */
    void mirrorSet(ByteBuf command, String sql) {
        java.util.List<String> words = SqlBackendRule.words(sql, 2);
        if (words.isEmpty() || !words.get(0).equals("SET") || words.size() > 1 && words.get(1).equals("STATEMENT")
                || SqlBackendRule.refusal(sql) != null || state == State.CLOSED) {
            return;
        }
        if (!settingsLog.add(command)) {
            log.warn("{}: more than {} bytes of SET statements; the SQL backend connection gets no more of them",
                    client.remoteAddress(), SqlBackendSettingsLog.MAX_BYTES);
            return;
        }
        if (state == State.READY) {
            silent.add(command.copy());
            sendNext();
        }
    }

    /** True if the backend answered the last statement forwarded for the client with OK (not ERR, not a result set). */
    boolean answeredOk() {
        return answeredOk;
    }

    /** A forward is in flight: the session holds its next commands until it is answered. */
    boolean busy() {
        return state == State.CONNECTING || state == State.BUSY;
    }

    /**
     * Forwards a command (COM_QUERY with {@code sql}, COM_INIT_DB with {@code USE db}) if the allow-list lets it
     * through, else answers ERR 1227. The caller keeps its reference to {@code command}.
     */
    void forward(ByteBuf command, String sql) {
        String refused = SqlBackendRule.refusal(sql);
        if (refused != null) {
            log.info("{}: refused for the SQL backend: {}", client.remoteAddress(), PeerText.text(sql));
            lastForwarded = false;
            answerError(ER_SPECIFIC_ACCESS_DENIED, ErrorCodes.STATE_SYNTAX, "Access denied; you need (at least one of) the"
                    + " SUPER privilege(s) for this operation (binlog-relay forwards only read-only statements to its SQL"
                    + " backend; refused " + refused + ")");
            return;
        }
        lastForwarded = true;
        answeredOk = false;
        switch (state) {
            case READY -> send(command.retainedDuplicate(), false);
            case NONE -> connect(command.retainedDuplicate());
            case LOST -> {
                state = State.NONE;
                answerError(CR_SERVER_LOST, ErrorCodes.STATE_GENERAL, "Lost connection to the SQL backend " + settings.address()
                        + " of binlog-relay since the last statement (its transaction, locks and session settings are gone);"
                        + " the next statement opens a new connection");
            }
            case CONNECTING, BUSY, CLOSED -> throw new IllegalStateException("forward while " + state);
        }
    }

    private void connect(ByteBuf command) {
        state = State.CONNECTING;
        pending = command;
        client.config().setAutoRead(false);
        PacketSequence sequence = new PacketSequence();
        backendSequence = sequence;
        SqlBackendMemory counted = new SqlBackendMemory(budget, client, this::clientWritable);
        memory = counted;
        Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("memory", counted).addLast("packet-decoder", new PacketDecoder(sequence, settings.maxPacket()))
                                .addLast("packet-encoder", new PacketEncoder(sequence))
                                .addLast("login", new SqlBackendLogin(settings, () -> loggedIn(ch), reason -> failed(ch, reason)))
                                .addLast("answers", new Answers());
                    }
                });
        io.netty.channel.ChannelFuture connect = b.connect(settings.host(), settings.port());
        Channel connecting = connect.channel();
        backend = connecting;
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failed(connecting, String.valueOf(f.cause().getMessage()));
            }
        });
        client.eventLoop().schedule(() -> {
            if (state == State.CONNECTING && backend == connecting) {
                failed(connecting, "no login within " + LOGIN_TIMEOUT_SECONDS + " s");
            }
        }, LOGIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void loggedIn(Channel ch) {
        if (state != State.CONNECTING || ch != backend) {
            return;
        }
        log.debug("{}: connected to the SQL backend {}", client.remoteAddress(), settings.address());
        memory.startCounting();
        settingsLog.replayInto(silent);
        sendNext();
    }

    /** Sends the next SET to replay, else the client's waiting command; with neither, the session is ready. */
    private void sendNext() {
        if (!silent.isEmpty()) {
            send(silent.poll(), true);
        } else if (pending != null) {
            ByteBuf command = pending;
            pending = null;
            send(command, false);
        } else {
            state = State.READY;
            answered();
        }
    }

    private void failed(Channel ch, String reason) {
        if (state != State.CONNECTING || ch != backend) {
            return;
        }
        log.warn("{}: cannot use the SQL backend {}: {}", client.remoteAddress(), settings.address(), reason);
        ch.close();
        backend = null;
        ReferenceCountUtil.release(pending);
        pending = null;
        releaseSilent();
        state = State.NONE;
        answerError(CR_CONN_HOST_ERROR, ErrorCodes.STATE_GENERAL, "Can't connect to the SQL backend " + settings.address()
                + " of binlog-relay: " + PeerText.text(String.valueOf(reason)));
        answered();
    }

    private void send(ByteBuf command, boolean dropAnswer) {
        state = State.BUSY;
        answerSilent = dropAnswer;
        if (!dropAnswer) {
            answeredOk = false;
        }
        answer = new SqlBackendAnswer();
        relayedAny = false;
        packets = 0;
        pauses = 0;
        client.config().setAutoRead(false);
        backendSequence.reset();
        backend.writeAndFlush(command);
        clientWritable(); // a pause left from the last answer (its last read spent the budget) must not hold this one
    }

    private void answerError(int code, String sqlState, String message) {
        client.writeAndFlush(new ErrPacket(code, sqlState, message).encode(client.alloc()));
        clientSequence.reset();
    }

    private void answered() {
        client.config().setAutoRead(true);
        onAnswered.run();
    }

    /** The client drained, the budget has room, or a command went out: read on, or stay paused with a wake-up armed. */
    void clientWritable() {
        if (backend != null && state == State.BUSY) {
            if (memory.mayRead()) {
                backend.config().setAutoRead(true);
            } else {
                memory.pause(backend);
            }
        }
    }

    /** The session ends: the backend connection goes with it. */
    void close() {
        state = State.CLOSED;
        ReferenceCountUtil.release(pending);
        pending = null;
        releaseSilent();
        settingsLog.release();
        if (memory != null) {
            memory.close();
        }
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    private void releaseSilent() {
        silent.forEach(ByteBuf::release);
        silent.clear();
    }

    /** After the login: relays the backend's answers to the client. */
    private final class Answers extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf packet = (ByteBuf) msg;
            if (state != State.BUSY || ctx.channel() != backend) {
                packet.release();
                log.warn("{}: the SQL backend {} sent a packet outside an answer; closing its connection",
                        client.remoteAddress(), settings.address());
                ctx.close();
                return;
            }
            boolean last;
            try {
                last = answer.ends(packet);
            } catch (RuntimeException e) {
                packet.release();
                throw e;
            }
            if (answerSilent) {
                memory.dropped(packet);
                if (last && ErrPacket.is(packet)) {
                    log.info("{}: the SQL backend {} refused a SET the relay accepted: {}", client.remoteAddress(),
                            settings.address(), ErrPacket.decode(packet.duplicate()));
                }
                packet.release();
                if (last) {
                    sendNext();
                }
                return;
            }
            if (packets == 0 && OkPacket.is(packet)) {
                answeredOk = true;
            }
            relayedAny = true;
            packets++;
            memory.relay(packet);
            if (last) {
                client.flush();
                log.debug("{}: relayed the SQL backend's answer, {} packets, paused {} times for the client",
                        client.remoteAddress(), packets, pauses);
                clientSequence.reset();
                sendNext();
            } else if (!memory.mayRead()) {
                if (ctx.channel().config().isAutoRead()) {
                    pauses++;
                    memory.pause(ctx.channel());
                }
                client.flush(); // after the pause: a drain it brings about resumes the backend (clientWritable)
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            client.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() != backend) {
                return;
            }
            memory.close();
            backend = null;
            if (state == State.BUSY && answerSilent) {
                releaseSilent();
                if (pending == null) { // a SET sent on the session's behalf: the client waits for nothing
                    state = State.LOST;
                    answered();
                    return;
                }
                ReferenceCountUtil.release(pending);
                pending = null;
            }
            if (state == State.BUSY) {
                if (relayedAny) {
                    log.warn("{}: lost the SQL backend {} in the middle of an answer; closing the client connection",
                            client.remoteAddress(), settings.address());
                    state = State.CLOSED;
                    client.close();
                    return;
                }
                state = State.NONE;
                answerError(CR_SERVER_LOST, ErrorCodes.STATE_GENERAL, "Lost connection to the SQL backend "
                        + settings.address() + " of binlog-relay during query");
                answered();
            } else if (state == State.READY) {
                state = State.LOST;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("{}: the SQL backend {} connection failed: {}", client.remoteAddress(), settings.address(), cause.toString());
            ctx.close();
        }
    }
}
