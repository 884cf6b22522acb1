package dev.binlogrelay.server.canal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.alibaba.otter.canal.protocol.CanalPacket;
import com.alibaba.otter.canal.protocol.CanalPacket.Packet;
import com.alibaba.otter.canal.protocol.CanalPacket.PacketType;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes what a Canal client can send the relay, through the real pipeline (framing, {@link CanalSession},
 * {@link CanalCommands}) in an {@link EmbeddedChannel}, over a real empty store.
 *
 * <p>Contract: nothing escapes the pipeline, the relay logs no ERROR, and a connection the relay closes got an error
 * ACK (code above 0) as its last packet.
 *
 * <p>Input: byte 0 bit 0 set: a valid login (user canal, password canalpw, answering the handshake's seed) is sent
 * first. Then records {@code kind (1) | length (2, LE) | data}. Kind (mod 3) 0: data goes on the wire as it is;
 * 1: data is a Packet, sent in a frame; 2: a request built from data: data[0] (mod 6) picks SUBSCRIPTION,
 * UNSUBSCRIPTION, GET, CLIENTACK, CLIENTROLLBACK or CLIENTAUTHENTICATION, data[1] (mod 3) the destination
 * ("example", "nope", ""), data[2] (mod 3) the client id ("1001", "x1", ""), data[3..10] a batch id or fetch size
 * (big-endian), the rest a filter, user name or password. Gets built this way never wait (timeout -1); gets in
 * kind 1 records may, and then stay pending: the timer never fires in this test.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/server/canal/CanalSessionFuzzTestInputs/frames/}.
 */
class CanalSessionFuzzTest {
    private static final Path DIR;
    private static final BinlogStore STORE;
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    private static final Logger RELAY_LOG = (Logger) LoggerFactory.getLogger("dev.binlogrelay.server");
    private static final String[] DESTINATIONS = {"example", "nope", ""};
    private static final String[] CLIENTS = {"1001", "x1", ""};

    static {
        try {
            DIR = Files.createTempDirectory("canal-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        STORE = BinlogStore.open(DIR.resolve("store"), StoreOptions.defaults());
        LOG.start();
        RELAY_LOG.addAppender(LOG);
        RELAY_LOG.setAdditive(false);
        RELAY_LOG.setLevel(Level.INFO);
    }

    @AfterAll
    static void closeStore() {
        RELAY_LOG.detachAppender(LOG);
        RELAY_LOG.setAdditive(true);
        RELAY_LOG.setLevel(null);
        STORE.close();
        BinlogStore.destroy(DIR.resolve("store"));
    }

    @FuzzTest
    @Timeout(30)
    void frames(byte[] input) {
        LOG.list.clear();
        var dest = new CanalSettings.Destination("example", CanalFilter.parse("shop\\..*"), false);
        CanalSettings settings = new CanalSettings("127.0.0.1", 0, Map.of("example", dest), Map.of("canal", "canalpw"),
                Duration.ofDays(7), 1 << 20, 16);
        ScheduledExecutorService neverFires = Executors.newSingleThreadScheduledExecutor();
        CanalClients clients = new CanalClients(STORE.readView(), STORE.canalCursors(), settings, Clock.systemUTC(),
                MoreExecutors.newDirectExecutorService(), neverFires);
        neverFires.shutdownNow(); // scheduling is refused: gets with a timeout stay pending
        try {
            EmbeddedChannel ch = new EmbeddedChannel();
            CanalServer.pipeline(ch.pipeline(), clients, new CanalAuth(settings.users()));
            ch.pipeline().fireChannelActive();
            ByteBuf out = Unpooled.buffer();
            drain(ch, out);
            Packet handshake = next(out);
            byte[] seed = parse(() -> CanalPacket.Handshake.parseFrom(handshake.getBody())).getSeeds().toByteArray();
            Packet last = handshake;
            if (input.length > 0 && (input[0] & 1) != 0) {
                ch.writeInbound(frame(auth("canal", CanalAuth.token("canalpw", seed))));
            }
            int at = 1;
            while (at + 3 <= input.length && ch.isOpen()) {
                int kind = (input[at] & 0xFF) % 3;
                int len = Math.min((input[at + 1] & 0xFF) | (input[at + 2] & 0xFF) << 8, input.length - at - 3);
                byte[] data = Arrays.copyOfRange(input, at + 3, at + 3 + len);
                at += 3 + len;
                ByteBuf wire = switch (kind) {
                    case 0 -> Unpooled.wrappedBuffer(data);
                    case 1 -> frame(data);
                    default -> frame(request(data, seed).toByteArray());
                };
                ch.writeInbound(wire);
                ch.runPendingTasks();
                drain(ch, out);
                for (Object m; (m = ch.readInbound()) != null; ) {
                    fail("the session passed a message on: " + m);
                }
            }
            ch.runPendingTasks();
            drain(ch, out);
            ch.checkException();
            for (Packet p; (p = next(out)) != null; ) {
                last = p;
            }
            if (!ch.isOpen()) {
                Packet closing = last;
                assertTrue(closing.getType() == PacketType.ACK
                        && parse(() -> CanalPacket.Ack.parseFrom(closing.getBody())).getErrorCode() > 0,
                        "the relay closed the connection without an error ACK; its last packet: " + closing);
            }
            ch.finishAndReleaseAll();
            out.release();
        } finally {
            clients.close();
        }
        for (ILoggingEvent e : LOG.list) {
            assertTrue(e.getLevel().toInt() < Level.ERROR.toInt(), () -> "ERROR logged: " + e.getFormattedMessage());
        }
    }

    private static Packet request(byte[] d, byte[] seed) {
        int type = d.length > 0 ? (d[0] & 0xFF) % 6 : 0;
        String destination = DESTINATIONS[d.length > 1 ? (d[1] & 0xFF) % 3 : 0];
        String client = CLIENTS[d.length > 2 ? (d[2] & 0xFF) % 3 : 0];
        long number = 0;
        for (int i = 3; i < Math.min(d.length, 11); i++) {
            number = number << 8 | (d[i] & 0xFF);
        }
        String text = d.length > 11 ? new String(d, 11, d.length - 11, StandardCharsets.UTF_8) : "";
        PacketType t;
        com.google.protobuf.MessageLite body;
        switch (type) {
            case 0 -> {
                t = PacketType.SUBSCRIPTION;
                body = CanalPacket.Sub.newBuilder().setDestination(destination).setClientId(client).setFilter(text).build();
            }
            case 1 -> {
                t = PacketType.UNSUBSCRIPTION;
                body = CanalPacket.Unsub.newBuilder().setDestination(destination).setClientId(client).build();
            }
            case 2 -> {
                t = PacketType.GET;
                body = CanalPacket.Get.newBuilder().setDestination(destination).setClientId(client)
                        .setFetchSize((int) number).setTimeout(-1).build();
            }
            case 3 -> {
                t = PacketType.CLIENTACK;
                body = CanalPacket.ClientAck.newBuilder().setDestination(destination).setClientId(client).setBatchId(number).build();
            }
            case 4 -> {
                t = PacketType.CLIENTROLLBACK;
                body = CanalPacket.ClientRollback.newBuilder().setDestination(destination).setClientId(client)
                        .setBatchId(number).build();
            }
            default -> {
                return auth(destination.isEmpty() ? "canal" : text, CanalAuth.token(text, seed));
            }
        }
        return Packet.newBuilder().setType(t).setBody(body.toByteString()).build();
    }

    private static Packet auth(String user, String token) {
        return Packet.newBuilder().setType(PacketType.CLIENTAUTHENTICATION).setBody(CanalPacket.ClientAuth.newBuilder()
                .setUsername(user).setPassword(ByteString.copyFromUtf8(token)).build().toByteString()).build();
    }

    private static ByteBuf frame(Packet p) {
        return frame(p.toByteArray());
    }

    private static ByteBuf frame(byte[] body) {
        return Unpooled.buffer(4 + body.length).writeInt(body.length).writeBytes(body);
    }

    private static void drain(EmbeddedChannel ch, ByteBuf out) {
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.writeBytes(b);
            b.release();
        }
    }

    /** The next whole packet the relay wrote, or null. */
    private static Packet next(ByteBuf out) {
        if (out.readableBytes() < 4 || out.readableBytes() < 4 + out.getInt(out.readerIndex())) {
            return null;
        }
        byte[] body = new byte[out.readInt()];
        out.readBytes(body);
        return parse(() -> Packet.parseFrom(body));
    }

    private interface Parse<T> {
        T get() throws IOException;
    }

    private static <T> T parse(Parse<T> p) {
        try {
            return p.get();
        } catch (IOException e) {
            throw new AssertionError("the relay wrote a packet that does not parse: " + e, e);
        }
    }
}
