package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.server.admin.QueryHandler;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.storage.BinlogStore;
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
    private final BinlogStore store;
    private final RelayInfo info;
    private final UserDirectory users;
    private final QueryHandler queries;
    private final FileFormats formats;
    private final StartPositions positions;
    private final RelayMetrics metrics;
    private final long maxPacket;
    private final long defaultHeartbeatNanos;
    private final WriteBufferWaterMark watermark;
    private final AtomicLong connectionIds = new AtomicLong(1);
    private final Map<Channel, RelayInfo.RegisteredReplica> replicas = new ConcurrentHashMap<>();
    private final EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("downstream-accept", true));
    private final EventLoopGroup workers;
    private Channel serverChannel;

    public DownstreamServer(BinlogStore store, RelayInfo info, UserDirectory users, RelayMetrics metrics,
                            long maxPacket, long defaultHeartbeatNanos, int writeBufferLow, int writeBufferHigh,
                            int workerThreads) {
        this.store = store;
        this.info = info;
        this.users = users;
        this.metrics = metrics;
        this.maxPacket = maxPacket;
        this.defaultHeartbeatNanos = defaultHeartbeatNanos;
        this.queries = new QueryHandler(info);
        this.formats = new FileFormats(store);
        this.positions = new StartPositions(store, formats);
        this.watermark = new WriteBufferWaterMark(writeBufferLow, writeBufferHigh);
        this.workers = new NioEventLoopGroup(workerThreads, new DefaultThreadFactory("downstream", true));
    }

    public InetSocketAddress bind(String host, int port) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermark)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        PacketSequence sequence = new PacketSequence();
                        ch.pipeline().addLast(new PacketDecoder(sequence, maxPacket), new PacketEncoder(sequence),
                                new ClientSession(DownstreamServer.this, sequence, connectionIds.getAndIncrement()));
                    }
                });
        serverChannel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public int port() {
        return serverChannel == null ? 0 : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    BinlogStore store() {
        return store;
    }

    RelayInfo info() {
        return info;
    }

    UserDirectory users() {
        return users;
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

    void registerReplica(Channel ch, RelayInfo.RegisteredReplica replica) {
        replicas.put(ch, replica);
    }

    void unregisterReplica(Channel ch) {
        replicas.remove(ch);
    }

    public List<RelayInfo.RegisteredReplica> replicas() {
        return List.copyOf(replicas.values());
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
