package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one replica connection to the primary alive: connects, and after any failure reconnects with an
 * exponential backoff (reset once a dump is streaming). Runs on its own single-threaded event loop, which is
 * also the store's writer thread.
 */
public final class UpstreamClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);
    /** Largest event the relay accepts from upstream (MariaDB's max_allowed_packet ceiling). */
    static final long MAX_EVENT = 1L << 30;
    /** Pipeline name of the login handler, then of the session that replaces it. */
    static final String SESSION = "session";

    /** Callbacks for status and metrics; called on the upstream thread. */
    public interface Listener {
        default void onStreaming() {
        }

        /** The dump command was sent: {@code start} says from where ("binlog.000001:4" or "GTID set '…'"). */
        default void onDumpRequested(String start) {
        }

        default void onEvent() {
        }

        default void onError(Throwable cause) {
        }
    }

    private final UpstreamSettings settings;
    private final BinlogIngester ingester;
    private final Listener listener;
    private final EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("upstream", true));
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean closed;
    private volatile Channel channel;
    private volatile boolean streaming;
    private volatile String lastError = "";
    private volatile String lastDumpStart = "";
    private long backoffMs;

    public UpstreamClient(UpstreamSettings settings, BinlogIngester ingester, Listener listener) {
        this.settings = settings;
        this.ingester = ingester;
        this.listener = listener == null ? new Listener() { } : listener;
        this.backoffMs = settings.reconnectMinMs();
    }

    public void start() {
        group.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        connects.incrementAndGet();
        PacketSequence sequence = new PacketSequence();
        Listener wrapped = new Listener() {
            @Override
            public void onStreaming() {
                streaming = true;
                backoffMs = settings.reconnectMinMs();
                listener.onStreaming();
            }

            @Override
            public void onDumpRequested(String start) {
                lastDumpStart = start;
                listener.onDumpRequested(start);
            }

            @Override
            public void onEvent() {
                listener.onEvent();
            }

            @Override
            public void onError(Throwable cause) {
                lastError = cause.getMessage();
                listener.onError(cause);
            }
        };
        long idleSeconds = settings.heartbeatNanos() > 0
                ? Math.max(3, 3 * TimeUnit.NANOSECONDS.toSeconds(settings.heartbeatNanos())) : 0;
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (idleSeconds > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS));
                        }
                        ch.pipeline().addLast(new PacketDecoder(sequence, MAX_EVENT + 1L), new PacketEncoder(sequence))
                                .addLast(SESSION, new UpstreamLogin(settings, ingester, sequence, wrapped));
                    }
                });
        ChannelFuture f = b.connect(settings.host(), settings.port());
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                lastError = "cannot connect to " + settings.host() + ":" + settings.port() + ": " + done.cause().getMessage();
                log.warn("{}", lastError);
                scheduleReconnect();
            } else {
                f.channel().closeFuture().addListener(c -> {
                    streaming = false;
                    scheduleReconnect();
                });
            }
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(settings.reconnectMaxMs(), backoffMs * 2);
        log.info("reconnecting to {}:{} in {} ms", settings.host(), settings.port(), delay);
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    public boolean isStreaming() {
        return streaming;
    }

    public String lastError() {
        return lastError;
    }

    /** Where the last dump command asked the primary to start ("" before the first). */
    public String lastDumpStart() {
        return lastDumpStart;
    }

    public long connectAttempts() {
        return connects.get();
    }

    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
