package dev.binlogrelay.server.downstream;

import dev.binlogrelay.server.memory.PendingWriteBudget;
import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.Credentials;
import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.flavor.UnsupportedFlavorException;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.server.admin.QueryHandler;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.storage.BinlogReadView;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fake primary: accepts replicas and binlog tools, authenticates them, answers their queries and
 * streams the store to them. Readers are spread over the worker event loops; each reader's socket buffer is
 * bounded by the write-buffer watermarks.
 */
public final class DownstreamServer implements AutoCloseable {
    /** Pipeline handler names: [tls,] packet decoder, packet encoder, [login gate,] then the login handler or the session. */
    static final String DECODER = "packet-decoder";
    static final String GATE = "login-gate";
    static final String TLS_DECODER = "packet-decoder-tls";
    static final String ENCODER = "packet-encoder";
    static final String TLS = "tls";
    static final String SESSION = "session";

    /** The connection's packet decoder (the plain one, or the one behind TLS); null if it has none. */
    static PacketDecoder packetDecoder(io.netty.channel.ChannelPipeline pipeline) {
        return pipeline.get(TLS_DECODER) instanceof PacketDecoder d ? d : (PacketDecoder) pipeline.get(DECODER);
    }

    private final BinlogReadView store;
    private final RelayInfo info;
    private final UserDirectory users;
    private final DownstreamSecurity security;
    private final FastAuthCache fastAuthCache = new FastAuthCache();
    private final QueryHandler queries;
    private final FileFormats formats;
    private final StartPositions positions;
    private final RelayMetrics metrics;
    private final long maxPacket;
    private final DownstreamLimits limits;
    private final ConnectionCounts connectionCounts;
    private final AuthThrottle authThrottle;
    private final RejectionLog rejections = new RejectionLog(org.slf4j.LoggerFactory.getLogger(DownstreamServer.class));
    /** What an unknown user is checked against, so that its login goes exactly like a known user's wrong password. */
    private final Credentials decoyCredentials = Credentials.ofPassword(new java.math.BigInteger(256, new SecureRandom()).toString(36));
    private final long defaultHeartbeatNanos;
    private final WriteBufferWaterMark watermark;
    private final PendingWriteBudget pendingWrites;
    private final long writeTimeoutNanos;
    /** {@code downstream.sql_backend}; null = off. Set before {@link #bind}. */
    private volatile SqlBackendSettings sqlBackend;
    private volatile java.util.function.BiConsumer<Long, Channel> dumpHook = (serverId, ch) -> { };
    private final AtomicLong connectionIds = new AtomicLong(1);
    private final Map<Channel, RelayInfo.RegisteredReplica> replicas = new ConcurrentHashMap<>();
    /** Readers dumping with semi-sync, registered or not (a registered one shows its acks in SHOW SLAVE HOSTS). */
    private final Map<Channel, SemiSyncReader> semiSyncReaders = new ConcurrentHashMap<>();
    private final ProcessList processes;
    private final Map<io.netty.channel.EventLoop, CommitFanOut> commitFanOuts = new ConcurrentHashMap<>();
    private final EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("downstream-accept", true));
    private final EventLoopGroup workers;
    private Channel serverChannel;

    /** Plain TCP only, a generated RSA key pair for caching_sha2_password, the flavor's default plugin. */
    public DownstreamServer(BinlogReadView store, RelayInfo info, UserDirectory users, RelayMetrics metrics,
                            long maxPacket, long defaultHeartbeatNanos, int writeBufferLow, int writeBufferHigh,
                            int workerThreads) {
        this(store, info, users, DownstreamSecurity.plain(), metrics, maxPacket, defaultHeartbeatNanos, writeBufferLow,
                writeBufferHigh, workerThreads);
    }

    public DownstreamServer(BinlogReadView store, RelayInfo info, UserDirectory users, DownstreamSecurity security,
                            RelayMetrics metrics, long maxPacket, long defaultHeartbeatNanos, int writeBufferLow,
                            int writeBufferHigh, int workerThreads) {
        this(store, info, users, security, metrics, DownstreamLimits.defaults(maxPacket), defaultHeartbeatNanos,
                writeBufferLow, writeBufferHigh, workerThreads, SendLimits.defaults());
    }

    public DownstreamServer(BinlogReadView store, RelayInfo info, UserDirectory users, DownstreamSecurity security,
                            RelayMetrics metrics, DownstreamLimits limits, long defaultHeartbeatNanos, int writeBufferLow,
                            int writeBufferHigh, int workerThreads) {
        this(store, info, users, security, metrics, limits, defaultHeartbeatNanos, writeBufferLow, writeBufferHigh,
                workerThreads, SendLimits.defaults());
    }

    public DownstreamServer(BinlogReadView store, RelayInfo info, UserDirectory users, DownstreamSecurity security,
                            RelayMetrics metrics, DownstreamLimits limits, long defaultHeartbeatNanos, int writeBufferLow,
                            int writeBufferHigh, int workerThreads, SendLimits sendLimits) {
        this.pendingWrites = new PendingWriteBudget(sendLimits.maxPendingBytes());
        this.writeTimeoutNanos = sendLimits.writeTimeoutNanos();
        this.limits = limits;
        this.maxPacket = limits.maxPacket();
        this.connectionCounts = new ConnectionCounts(limits.maxConnections(), limits.maxUnauthenticatedPerHost());
        this.authThrottle = new AuthThrottle(limits.authFailureThreshold(), limits.authFailureMaxDelay().toNanos());
        metrics.gauge("binlog_relay_downstream_connections", "Downstream connections open (downstream.max_connections bounds them)",
                connectionCounts::openNow);
        metrics.gauge("binlog_relay_downstream_logins_in_flight", "Downstream connections that have not logged in yet",
                connectionCounts::loggingIn);
        metrics.gauge("binlog_relay_downstream_throttled_hosts",
                "Hosts whose logins are delayed after repeated failures (downstream.auth_failure_threshold)",
                authThrottle::throttledHosts);
        this.store = store;
        this.info = info;
        this.users = users;
        this.security = security;
        this.metrics = metrics;
        this.defaultHeartbeatNanos = defaultHeartbeatNanos;
        this.queries = new QueryHandler(info);
        this.formats = new FileFormats(store);
        this.positions = new StartPositions(store, formats);
        this.processes = new ProcessList(store);
        this.watermark = new WriteBufferWaterMark(writeBufferLow, writeBufferHigh);
        this.workers = new NioEventLoopGroup(workerThreads, new DefaultThreadFactory("downstream", true));
    }

    public InetSocketAddress bind(String host, int port) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermark)
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, CapacityEstimator.INSTANCE)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initPipeline(ch);
                    }
                });
        serverChannel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The handlers of a new connection (also used by tests on an EmbeddedChannel). */
    void initPipeline(Channel ch) {
        PacketSequence sequence = new PacketSequence();
        ch.pipeline().addLast(DECODER, new PacketDecoder(sequence, limits.maxLoginPacket()))
                .addLast(ENCODER, new PacketEncoder(sequence))
                .addLast(GATE, new LoginGate(this))
                .addLast(SESSION, new LoginHandler(this, sequence, connectionIds.getAndIncrement()));
    }

    public int port() {
        return serverChannel == null ? 0 : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    BinlogReadView store() {
        return store;
    }

    /** The commit fan-out of one worker event loop. */
    CommitFanOut commitFanOut(io.netty.channel.EventLoop loop) {
        return commitFanOuts.computeIfAbsent(loop, l -> new CommitFanOut(store, l));
    }

    RelayInfo info() {
        return info;
    }

    UserDirectory users() {
        return users;
    }

    DownstreamSecurity security() {
        return security;
    }

    FastAuthCache fastAuthCache() {
        return fastAuthCache;
    }

    long maxPacket() {
        return maxPacket;
    }

    DownstreamLimits limits() {
        return limits;
    }

    ConnectionCounts connectionCounts() {
        return connectionCounts;
    }

    AuthThrottle authThrottle() {
        return authThrottle;
    }

    /** The rate-limited WARN log of refused peers. */
    RejectionLog rejections() {
        return rejections;
    }

    Credentials decoyCredentials() {
        return decoyCredentials;
    }

    /**
     * The plugin the handshake announces: the configured default, else mysql_native_password (the documented
     * default, whatever the flavor the relay presents: a MySQL 8 server would announce caching_sha2_password,
     * which downstream.default_auth_plugin asks for).
     */
    AuthPlugin announcedPlugin() {
        return security.defaultPlugin() != null ? security.defaultPlugin() : AuthPlugin.MYSQL_NATIVE_PASSWORD;
    }

    /** The version the handshake announces: what the relay presents, as a server of its flavor announces it. */
    String handshakeVersion() {
        String version = info.serverVersion();
        try {
            return Flavor.fromVersion(version).handshakeVersion(version);
        } catch (UnsupportedFlavorException e) {
            return version;
        }
    }

    /** Forwards what the relay does not answer to this backend ({@code downstream.sql_backend}); call before {@link #bind}. */
    public void sqlBackend(SqlBackendSettings settings) {
        this.sqlBackend = settings;
    }

    /** The SQL backend, or null when none is configured. */
    SqlBackendSettings sqlBackend() {
        return sqlBackend;
    }

    QueryHandler queries() {
        return queries;
    }

    FileFormats formats() {
        return formats;
    }

    StartPositions positions() {
        return positions;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    long defaultHeartbeatNanos() {
        return defaultHeartbeatNanos;
    }

    PendingWriteBudget pendingWrites() {
        return pendingWrites;
    }

    long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    /** Memory held by all readers' pending writes now (by buffer capacity; {@code downstream.max_pending_bytes}). */
    public long pendingWriteBytes() {
        return pendingWrites.used();
    }

    /** The most memory readers' pending writes held at once since start-up. */
    public long peakPendingWriteBytes() {
        return pendingWrites.peak();
    }

    /**
     * Test seam: {@code hook} sees each reader's channel (with the reader's server_id) on its event loop right
     * before its dump starts, for instance to give it an allocator that fails (fault injection).
     */
    public void onDumpStarting(java.util.function.BiConsumer<Long, Channel> hook) {
        this.dumpHook = hook;
    }

    void dumpStarting(long readerServerId, Channel channel) {
        processes.dumpStarting(channel, readerServerId);
        dumpHook.accept(readerServerId, channel);
    }

    void registerReplica(Channel ch, RelayInfo.RegisteredReplica replica) {
        replicas.put(ch, replica);
    }

    void unregisterReplica(Channel ch) {
        replicas.remove(ch);
    }

    /** The logged-in connections (SHOW PROCESSLIST, KILL, per-reader metrics). */
    public ProcessList processes() {
        return processes;
    }

    /** Stops accepting connections; those open go on (the first step of a clean shutdown). */
    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    public List<RelayInfo.RegisteredReplica> replicas() {
        return replicas.entrySet().stream().map(e -> {
            SemiSyncReader s = semiSyncReaders.get(e.getKey());
            return s == null ? e.getValue() : e.getValue().withSemiSync(s.status());
        }).toList();
    }

    /** A reader's semi-sync dump started ({@code reader}) or ended (null). */
    void semiSyncReader(Channel ch, SemiSyncReader reader) {
        SemiSyncReader old = reader == null ? semiSyncReaders.remove(ch) : semiSyncReaders.put(ch, reader);
        if (reader != null && old == null) {
            metrics.semiSyncReaders(1);
        } else if (reader == null && old != null) {
            metrics.semiSyncReaders(-1);
        }
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
