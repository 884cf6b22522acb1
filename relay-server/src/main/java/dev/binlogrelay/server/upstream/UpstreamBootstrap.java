package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The socket options and pipeline of one connection to a primary (or candidate), for {@link UpstreamClient}. */
final class UpstreamBootstrap {
    private UpstreamBootstrap() {
    }

    /**
     * @param login    the session handler (the login, which the session replaces), named {@code sessionName}
     * @param maxFrame the packet decoder's limit
     */
    static Bootstrap of(EventLoopGroup group, UpstreamSettings target, Supplier<ChannelHandler> login,
                        PacketSequence sequence, long maxFrame, String sessionName) {
        long idleSeconds = target.heartbeatNanos() > 0
                ? Math.max(3, 3 * TimeUnit.NANOSECONDS.toSeconds(target.heartbeatNanos())) : 0;
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, target.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                // Catching up on a backlog, every burst the ingester writes costs one fsync, and a burst is what one
                // round of reads brings (channelReadComplete). Netty's default stops a round at 16 reads of at most
                // 64 KiB; reading up to 64 reads of up to 1 MiB while the kernel has data (and letting it buffer
                // 4 MiB while a write is in progress) makes bursts of several MiB, so the fsyncs stop being the
                // limit. Live, a round is still one small read: no added latency.
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new io.netty.channel.AdaptiveRecvByteBufAllocator(512, 64 << 10, 1 << 20).maxMessagesPerRead(64))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (idleSeconds > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(idleSeconds, 0, 0, TimeUnit.SECONDS));
                        }
                        ch.pipeline().addLast(new PacketDecoder(sequence, maxFrame), new PacketEncoder(sequence))
                                .addLast(sessionName, login.get());
                    }
                });
    }
}
