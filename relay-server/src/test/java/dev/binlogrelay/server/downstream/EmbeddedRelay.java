package dev.binlogrelay.server.downstream;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.storage.BinlogStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A downstream server without sockets: connections are {@link EmbeddedChannel}s with the server's real pipeline
 * (packet codecs, login gate, login handler, then the session), for unit tests of the login phase and its limits
 * (no store) and of the command phase and dumps (a real store the test owns). The server's WARN lines are captured.
 */
final class EmbeddedRelay implements AutoCloseable {
    static final String USER = "repl";
    static final String PASSWORD = "secret";

    final RelayMetrics metrics = new RelayMetrics();
    final DownstreamServer server;
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    /** Every logger of the downstream package (the login handler's, the session's, the rejection log's). */
    private final Logger logger = (Logger) LoggerFactory.getLogger(DownstreamServer.class.getPackageName());

    EmbeddedRelay(DownstreamLimits limits, AuthPlugin announced) {
        this(limits, announced, null, SendLimits.defaults());
    }

    /** Serving {@code store} (the caller closes it) with {@code sendLimits}; 1 MiB / 4 MiB watermarks. */
    EmbeddedRelay(DownstreamLimits limits, AuthPlugin announced, BinlogStore store, SendLimits sendLimits) {
        RelayInfo info = new RelayInfo() {
            public long serverId() {
                return 9001;
            }

            public String serverVersion() {
                return "10.11.5-MariaDB-log";
            }

            public String binlogChecksum() {
                return "CRC32";
            }

            public String gtidBinlogPos() {
                return "";
            }

            public long gtidDomainId() {
                return 0;
            }

            public List<BinlogFile> binlogFiles() {
                return List.of();
            }

            public Optional<BinlogFile> masterStatus() {
                return Optional.empty();
            }

            public List<RegisteredReplica> replicas() {
                return List.of();
            }

            public int port() {
                return 3307;
            }
        };
        DownstreamSecurity security = DownstreamSecurity.withGeneratedRsaKeys(null, announced);
        server = new DownstreamServer(store, info, new UserDirectory(Map.of(USER, PASSWORD)), security, metrics, limits,
                0, 1 << 20, 4 << 20, 1, sendLimits);
        logged.start();
        logger.addAppender(logged);
    }

    /** A new connection; the handshake is in its outbound queue. */
    EmbeddedChannel connect() {
        return new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                server.initPipeline(ch);
            }
        });
    }

    /**
     * {@code ch} (registered, without handlers) made a connection: the server's pipeline is added and the channel
     * announced active, so the handshake is in its outbound queue. For channels of a test's own class.
     */
    <C extends EmbeddedChannel> C connect(C ch) {
        server.initPipeline(ch);
        ch.pipeline().fireChannelActive();
        return ch;
    }

    /** The payloads of the packets the relay wrote so far. */
    static List<byte[]> packets(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        List<byte[]> out = new ArrayList<>();
        while (all.readableBytes() >= 4) {
            int len = all.readUnsignedMediumLE();
            all.skipBytes(1);
            byte[] p = new byte[len];
            all.readBytes(p);
            out.add(p);
        }
        return out;
    }

    /** One packet the relay wrote: its sequence id and payload. */
    record Packet(int seq, byte[] payload) {
        int first() {
            return payload.length == 0 ? -1 : payload[0] & 0xFF;
        }
    }

    /** The packets the relay wrote so far, with their sequence ids; fails on a partial packet. */
    static List<Packet> frames(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        List<Packet> out = new ArrayList<>();
        while (all.isReadable()) {
            if (all.readableBytes() < 4 || all.readableBytes() < 4 + all.getUnsignedMediumLE(all.readerIndex())) {
                throw new AssertionError("a partial packet from the relay: " + all.readableBytes() + " bytes left");
            }
            int len = all.readUnsignedMediumLE();
            int seq = all.readUnsignedByte();
            byte[] p = new byte[len];
            all.readBytes(p);
            out.add(new Packet(seq, p));
        }
        return out;
    }

    /**
     * Logs in as {@link #USER} with mysql_native_password (what the relay announces by default) and reads the OK;
     * the next command has sequence id 0.
     */
    static void logIn(EmbeddedChannel ch) {
        HandshakeV10 hs = handshake(ch);
        send(ch, 1, response(USER, dev.binlogrelay.core.auth.NativePassword.scramble(PASSWORD, hs.scramble()),
                dev.binlogrelay.core.auth.NativePassword.PLUGIN));
        byte[] ok = onePacket(ch);
        if (ok[0] != 0) {
            throw new AssertionError("login refused: " + (errorCode(ok) > 0 ? errorMessage(ok) : "packet " + ok[0]));
        }
    }

    /** Sends a command (sequence id 0) in one packet. */
    static void command(EmbeddedChannel ch, byte[] payload) {
        send(ch, 0, payload);
    }

    /** The one packet the relay wrote, failing if it wrote none or several. */
    static byte[] onePacket(EmbeddedChannel ch) {
        List<byte[]> p = packets(ch);
        if (p.size() != 1) {
            throw new AssertionError("expected one packet, got " + p.size());
        }
        return p.get(0);
    }

    static HandshakeV10 handshake(EmbeddedChannel ch) {
        return HandshakeV10.decode(Unpooled.wrappedBuffer(onePacket(ch)));
    }

    /** Sends one packet with that sequence id. */
    static void send(EmbeddedChannel ch, int seq, byte[] payload) {
        ByteBuf b = Unpooled.buffer(4 + payload.length).writeMediumLE(payload.length).writeByte(seq).writeBytes(payload);
        ch.writeInbound(b);
    }

    static byte[] response(String user, byte[] auth, String plugin) {
        int caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH
                | Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA;
        ByteBuf b = new HandshakeResponse41(caps, 1 << 24, 45, user, auth, null, plugin, Map.of()).encode(ByteBufAllocator.DEFAULT);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    /** The error code of an ERR payload, or -1. */
    static int errorCode(byte[] payload) {
        return payload.length >= 3 && (payload[0] & 0xFF) == 0xFF ? (payload[1] & 0xFF) | (payload[2] & 0xFF) << 8 : -1;
    }

    static String errorMessage(byte[] payload) {
        return new String(payload, 9, payload.length - 9, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Lines logged at ERROR, or with a stack trace, by the downstream package. */
    List<ILoggingEvent> errorsOrStackTraces() {
        return logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR || e.getThrowableProxy() != null)
                .toList();
    }

    List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(logged);
        server.close();
        metrics.close();
    }
}
