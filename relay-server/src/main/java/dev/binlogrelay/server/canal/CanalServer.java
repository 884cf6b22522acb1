package dev.binlogrelay.server.canal;

import dev.binlogrelay.storage.BinlogReadView;
import dev.binlogrelay.storage.CanalCursors;
import com.alibaba.otter.canal.protocol.CanalPacket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The Canal server: Canal's TCP protocol ({@code com.alibaba.otter:canal.client} works unchanged) over the store,
 * on {@code canal.listen}. Framing: a 4-byte big-endian length, then a {@code CanalPacket.Packet}; request frames
 * over {@link CanalSettings#MAX_FRAME} end the connection. See docs/canal.md.
 */
public final class CanalServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CanalServer.class);

    private final CanalClients clients;
    private final CanalAuth auth;
    private final EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("canal-accept", true));
    private final EventLoopGroup loops = new NioEventLoopGroup(2, new DefaultThreadFactory("canal", true));
    private final ChannelGroup channels = new DefaultChannelGroup("canal", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;
    private InetSocketAddress address;

    public CanalServer(BinlogReadView store, CanalCursors cursors, CanalSettings settings) {
        this(store, cursors, settings, Clock.systemUTC());
    }

    CanalServer(BinlogReadView store, CanalCursors cursors, CanalSettings settings, Clock clock) {
        this.clients = new CanalClients(store, cursors, settings, clock,
                Math.max(2, Runtime.getRuntime().availableProcessors()));
        this.auth = new CanalAuth(settings.users());
    }

    /** Binds {@code canal.listen}; returns the address bound (port 0 picks a free one). */
    public InetSocketAddress bind() throws InterruptedException {
        CanalSettings s = clients.settings();
        ServerBootstrap b = new ServerBootstrap().group(boss, loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (channels.size() >= s.maxConnections()) {
                            refuse(ch, s.maxConnections());
                            return;
                        }
                        channels.add(ch);
                        pipeline(ch.pipeline(), clients, auth);
                    }
                });
        serverChannel = b.bind(s.host(), s.port()).sync().channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        log.info("Canal server on {}:{} (destinations {}, {})", address.getHostString(), address.getPort(),
                new java.util.TreeSet<>(s.destinations().keySet()),
                s.users().isEmpty() ? "no authentication" : s.users().size() + " user(s)");
        return address;
    }

    /** One connection too many: Canal's error ACK in place of the handshake, then close. */
    private static void refuse(SocketChannel ch, int max) {
        log.info("canal: refused {}: already {} connections (canal.max_connections)", ch.remoteAddress(), max);
        byte[] p = CanalPacket.Packet.newBuilder().setType(CanalPacket.PacketType.ACK).setVersion(CanalSession.VERSION)
                .setBody(CanalPacket.Ack.newBuilder().setErrorCode(400)
                        .setErrorMessage("too many connections: the relay serves at most " + max + " Canal clients")
                        .build().toByteString()).build().toByteArray();
        ch.writeAndFlush(Unpooled.buffer(4 + p.length).writeInt(p.length).writeBytes(p))
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    /** The handlers of one connection: framing both ways, then the session. */
    static CanalSession pipeline(ChannelPipeline p, CanalClients clients, CanalAuth auth) {
        CanalSession session = new CanalSession(clients, auth);
        p.addLast("idle", new io.netty.handler.timeout.IdleStateHandler(CanalSession.LOGIN_TIMEOUT_MS, 0, 0,
                TimeUnit.MILLISECONDS));
        p.addLast("frames", new LengthFieldBasedFrameDecoder(CanalSettings.MAX_FRAME, 0, 4, 0, 4));
        p.addLast("length", new LengthFieldPrepender(4));
        p.addLast("session", session);
        return session;
    }

    /** The address bound; null before {@link #bind}. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Decodes the clients' entries with the table definitions {@code trackers} gives for the position a client's
     * stream starts at (the schema history); without it, TABLE_MAP's own metadata only.
     */
    public CanalServer schemas(java.util.function.BiFunction<String, Long, dev.binlogrelay.core.rows.SchemaTracker> trackers) {
        clients.entrySources((file, position) -> EntrySource.of(new dev.binlogrelay.server.canal.entry.EntryStream(
                trackers.apply(file, position)).withCache(clients.cache())));
        return this;
    }

    /** Tests: entries made by {@code sources} instead of the relay's entry streams. */
    CanalServer entrySources(java.util.function.Supplier<EntrySource> sources) {
        clients.entrySources(sources);
        return this;
    }

    /** Clients attached now (for tests and metrics). */
    public int attachedClients() {
        return clients.attachedCount();
    }

    /** Client connections open now, logged in or not. */
    public int connections() {
        return channels.size();
    }

    /** Batches handed to clients since start-up (a batch with no entries is not one). */
    public long batchesDelivered() {
        return clients.batchesDelivered();
    }

    /** Entries in those batches. */
    public long entriesDelivered() {
        return clients.entriesDelivered();
    }

    /** Bytes held now in the Canal memory budget ({@code canal.max_pending_bytes}): batches and the entry cache. */
    public long pendingBytes() {
        return clients.budget().used();
    }

    /** The Canal memory budget itself (tests). */
    dev.binlogrelay.server.memory.PendingWriteBudget budget() {
        return clients.budget();
    }

    /** The most bytes the budget held at once since start-up. */
    public long pendingBytesPeak() {
        return clients.budget().peak();
    }

    /** Gets that waited for room in the budget since start-up. */
    public long budgetWaits() {
        return clients.roomWaits();
    }

    /**
     * Connections closed since start-up because their batch's write made no progress for {@code canal.write_timeout}
     * (or for 5 s while the budget was spent and other gets waited).
     */
    public long writeTimeouts() {
        return clients.writeTimeouts();
    }

    /** Bytes the shared cache of decoded entries holds now (part of {@link #pendingBytes}). */
    public long cacheBytes() {
        return clients.cache().bytes();
    }

    /** Rows events whose entries a client found in the shared cache (or being decoded by another). */
    public long cacheHits() {
        return clients.cache().hits();
    }

    /** Rows events a client decoded because no other had. */
    public long cacheMisses() {
        return clients.cache().misses();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        clients.close();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
