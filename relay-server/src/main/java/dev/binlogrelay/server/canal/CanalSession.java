package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalPacket;
import com.alibaba.otter.canal.protocol.CanalPacket.Packet;
import com.alibaba.otter.canal.protocol.CanalPacket.PacketType;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One Canal client connection, after the framing ({@link CanalServer#pipeline}: 4-byte big-endian length, then a
 * {@code CanalPacket.Packet}).
 * <pre>
 *   server                                 client
 *   HANDSHAKE (version 1, 8-byte seed) ──►
 *                                      ◄── CLIENTAUTHENTICATION (user, hex scramble of the password, timeouts)
 *   ACK (error 400 and close if refused) ──►
 *                                      ◄── SUBSCRIPTION / UNSUBSCRIPTION   ──► ACK (or an error ACK)
 *                                      ◄── GET (batch size, timeout)       ──► MESSAGES (batch id, entries)
 *                                      ◄── CLIENTACK / CLIENTROLLBACK      (no answer; an error ACK if refused)
 * </pre>
 * Requests are handled one at a time, in order: while one is in progress (a get may wait for entries) the
 * connection reads nothing more, and the next starts once the answer is written, so a client can make the relay
 * hold at most one batch and {@link #MAX_QUEUED} parsed requests. A malformed frame ends the connection with an
 * error ACK; a refused request gets Canal's error ACK and the connection stays, as with Canal. A refused ack or
 * rollback (which have no answer) is answered in place of the next request that expects one, and that request is
 * not carried out: Canal's server writes the error at once, so the client reads it as the answer to its next get
 * and then reads that get's batch as the answer to the one after, one answer behind for the rest of the connection.
 *
 * <p>Threading: the channel's event loop; store work runs on the {@link CanalClients} workers.
 */
final class CanalSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(CanalSession.class);
    static final int VERSION = 1;
    static final int MAX_QUEUED = 16;
    private static final long DEFAULT_IDLE_MS = TimeUnit.HOURS.toMillis(1);
    /** How long a connection may take to log in (the stock client logs in at once). */
    static final long LOGIN_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CanalClients clients;
    private final CanalAuth auth;
    private final CanalCommands commands;
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    private final GetAdmission admission = new GetAdmission(this);
    private final Map<String, ClientStream> streams = new java.util.concurrent.ConcurrentHashMap<>();
    private ChannelHandlerContext ctx;
    private byte[] seed;
    private boolean authenticated;
    private boolean busy;
    /** The type of the request in progress. */
    private PacketType current;
    /**
     * A refused ack or rollback (they get no answer): sent as the answer of the next request that expects one,
     * which is then not carried out, so the client's next read gets it and the answers stay in step.
     */
    private CanalError deferred;
    private volatile boolean closed;
    /** The connection is gone (channelInactive); {@link #detached} once its streams are freed. */
    private boolean inactive;
    private boolean detached;

    CanalSession(CanalClients clients, CanalAuth auth) {
        this.clients = clients;
        this.auth = auth;
        this.commands = new CanalCommands(clients, this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        seed = new byte[8];
        RANDOM.nextBytes(seed);
        write(Packet.newBuilder().setType(PacketType.HANDSHAKE).setVersion(VERSION)
                .setBody(CanalPacket.Handshake.newBuilder().setSeeds(ByteString.copyFrom(seed)).build().toByteString())
                .build());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Packet packet;
        try {
            ByteBuf frame = (ByteBuf) msg;
            packet = Packet.parseFrom(new ByteBufInputStream(frame));
        } catch (IOException e) {
            refuse(new CanalError(400, "malformed frame: not a Canal packet (" + e.getMessage() + ")", true));
            return;
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (closed) {
            return;
        }
        if (!authenticated) {
            authenticate(packet);
            return;
        }
        if (queue.size() >= MAX_QUEUED) {
            refuse(new CanalError(400, "more than " + MAX_QUEUED + " requests sent without reading the answers", true));
            return;
        }
        queue.add(packet);
        ctx.channel().config().setAutoRead(false);
        next();
    }

    private void authenticate(Packet packet) {
        if (packet.getType() != PacketType.CLIENTAUTHENTICATION) {
            refuse(new CanalError(400, "expected CLIENTAUTHENTICATION first, not " + packet.getType(), true));
            return;
        }
        CanalPacket.ClientAuth ca;
        try {
            ca = CanalPacket.ClientAuth.parseFrom(packet.getBody());
        } catch (InvalidProtocolBufferException e) {
            refuse(new CanalError(400, "malformed CLIENTAUTHENTICATION: " + e.getMessage(), true));
            return;
        }
        if (!auth.check(ca.getUsername(), ca.getPassword().toStringUtf8(), seed)) {
            refuse(new CanalError(400, "auth failed for user:" + ca.getUsername(), true));
            return;
        }
        authenticated = true;
        long idle = ca.getNetReadTimeout() > 0 ? ca.getNetReadTimeout() : DEFAULT_IDLE_MS;
        ctx.pipeline().replace("idle", "idle", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
        log.info("canal: {} logged in{}", this, auth.required() ? " as " + ca.getUsername() : "");
        if (!ca.getDestination().isEmpty() && !ca.getClientId().isEmpty()) {
            // Canal subscribes a client that names itself at login, then sends the ACK
            queue.add(Packet.newBuilder().setType(PacketType.SUBSCRIPTION).setBody(CanalPacket.Sub.newBuilder()
                    .setDestination(ca.getDestination()).setClientId(ca.getClientId()).setFilter(ca.getFilter())
                    .build().toByteString()).build());
            ctx.channel().config().setAutoRead(false);
            next();
        } else {
            write(ack());
        }
    }

    /** Starts the next queued request if none is in progress; reads again once the queue is empty. */
    private void next() {
        if (busy) {
            return;
        }
        if (inactive) {
            // the client is gone: carry out the acks and rollbacks it sent before closing, then detach its streams
            Packet p;
            while ((p = queue.poll()) != null && p.getType() != PacketType.CLIENTACK && p.getType() != PacketType.CLIENTROLLBACK) {
                // a request that expects an answer no one will read
            }
            if (p == null) {
                detachAll();
            } else {
                run(p);
            }
            return;
        }
        if (closed) {
            return;
        }
        Packet p = queue.poll();
        if (p == null) {
            ctx.channel().config().setAutoRead(true);
            return;
        }
        if (deferred != null && p.getType() != PacketType.CLIENTACK && p.getType() != PacketType.CLIENTROLLBACK) {
            CanalError e = deferred;
            deferred = null;
            write(error(e));
            next();
            return;
        }
        run(p);
    }

    /**
     * Carries out {@code p} on a worker; {@link #done} follows on the event loop. A get waits first while the
     * Canal memory budget is spent ({@link GetAdmission}).
     */
    private void run(Packet p) {
        busy = true;
        current = p.getType();
        if (p.getType() == PacketType.GET && queue.isEmpty()) {
            ctx.read(); // one read, so a close while the get is parked is noticed (the stock client sends nothing meanwhile)
        }
        if (p.getType() == PacketType.GET && !clients.budget().hasRoom() && !admission.readAhead(p)) {
            admission.await(p);
            return;
        }
        carryOut(p);
    }

    /** Event loop: {@code p} (a get admitted) on a worker. */
    void carryOut(Packet p) {
        onWorker(() -> commands.handle(p));
    }

    /** Event loop: get {@code p}, whose wait for room ended, answered with an empty batch after a get's checks. */
    void carryOutEmpty(Packet p) {
        onWorker(() -> commands.emptyGet(p));
    }

    private void onWorker(java.util.concurrent.Callable<CompletableFuture<CanalCommands.Reply>> request) {
        CompletableFuture<CanalCommands.Reply> answer = new CompletableFuture<>();
        clients.execute(() -> {
            try {
                request.call().whenComplete((reply, err) -> {
                    if (err != null) {
                        answer.completeExceptionally(err);
                    } else {
                        answer.complete(reply);
                    }
                });
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        answer.whenComplete((reply, err) -> ctx.executor().execute(() -> done(reply, err)));
    }

    /** Event loop: writes the answer (null: none), then goes on with the queue. */
    void done(CanalCommands.Reply reply, Throwable err) {
        if (closed) {
            if (reply != null) {
                reply.frame().release();
                clients.budget().release(reply.counted());
            }
            busy = false;
            next(); // after the connection closed: the remaining acks, then detach
            return;
        }
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause != null) {
            CanalError e = cause instanceof CanalError ce ? ce : new CanalError(400, "something goes wrong with channel: "
                    + ctx.channel() + ", exception: " + cause);
            if (!(cause instanceof CanalError)) {
                log.warn("canal: {}: request failed", this, cause);
            }
            busy = false;
            if (!e.closes() && (current == PacketType.CLIENTACK || current == PacketType.CLIENTROLLBACK)) {
                log.info("canal: {}: refused with error {}: {} (the answer to its next request)", this, e.code(), e.getMessage());
                if (deferred == null) {
                    deferred = e;
                }
                next();
                return;
            }
            refuse(e);
            if (!e.closes()) {
                next();
            }
            return;
        }
        if (reply == null) {
            busy = false;
            next();
            return;
        }
        var write = ctx.newProgressivePromise();
        write.addListener((ChannelFutureListener) f -> {
            clients.budget().release(reply.counted());
            busy = false;
            next();
        });
        ctx.writeAndFlush(reply.frame(), write);
        WriteDeadline.watch(ctx, write, this, reply.counted(), clients);
    }

    /** Answers a refused request with Canal's error ACK and one log line; closes the connection if the error says so. */
    void refuse(CanalError e) {
        log.info("canal: {}: refused with error {}: {}{}", this, e.code(), e.getMessage(), e.closes() ? "; closing" : "");
        var f = ctx.writeAndFlush(frame(error(e)));
        if (e.closes()) {
            closed = true;
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static Packet error(CanalError e) {
        return Packet.newBuilder().setType(PacketType.ACK).setVersion(VERSION)
                .setBody(CanalPacket.Ack.newBuilder().setErrorCode(e.code()).setErrorMessage(e.getMessage()).build()
                        .toByteString()).build();
    }

    static Packet ack() {
        return Packet.newBuilder().setType(PacketType.ACK).setVersion(VERSION)
                .setBody(CanalPacket.Ack.newBuilder().build().toByteString()).build();
    }

    private void write(Packet p) {
        ctx.writeAndFlush(frame(p));
    }

    private static ByteBuf frame(Packet p) {
        return Unpooled.wrappedBuffer(p.toByteArray());
    }

    /** The streams this connection has attached, by {@link CanalClients#key}; worker threads, one request at a time. */
    Map<String, ClientStream> streams() {
        return streams;
    }

    CanalClients clients() {
        return clients;
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    boolean isClosed() {
        return closed;
    }

    /** Another connection took {@code s}: this one closes (any thread). */
    void takenOver(ClientStream s) {
        closed = true;
        if (ctx != null) {
            ctx.channel().close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.info("canal: {} sent nothing for {}; closing", this, authenticated ? "its read timeout" : "30 s without logging in");
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closed) {
            return;
        }
        if (cause instanceof TooLongFrameException) {
            refuse(new CanalError(400, "malformed frame: " + cause.getMessage(), true));
        } else if (cause instanceof IOException) {
            log.debug("canal: {}: {}", this, cause.toString());
            ctx.close();
        } else {
            log.warn("canal: {}: closing after an unexpected error", this, cause);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        inactive = true;
        admission.cancel();
        streams.values().forEach(ClientStream::connectionClosed); // a parked get ends: then next() detaches
        next();
        ctx.fireChannelInactive();
    }

    /** Once, after the connection closed and its last acks were carried out: frees its streams. */
    private void detachAll() {
        if (detached) {
            return;
        }
        detached = true;
        var attached = java.util.List.copyOf(streams.values());
        clients.execute(() -> attached.forEach(clients::detach));
    }

    @Override
    public String toString() {
        return ctx == null ? "canal client" : "canal client " + ctx.channel().remoteAddress();
    }
}
