package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalPacket;
import com.alibaba.otter.canal.protocol.CanalPacket.Packet;
import com.alibaba.otter.canal.protocol.CanalPacket.PacketType;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Canal session through its real pipeline (framing, session) on EmbeddedChannel, over an empty store: handshake,
 * authentication, requests split at every byte, malformed and oversized frames, and Canal's error codes.
 */
class CanalSessionTest {
    @TempDir
    Path dir;
    BinlogStore store;
    CanalClients clients;

    @BeforeEach
    void open() {
        store = BinlogStore.open(dir, StoreOptions.defaults());
    }

    @AfterEach
    void close() {
        if (clients != null) {
            clients.close();
        }
        store.close();
    }

    private EmbeddedChannel channel(Map<String, String> users) {
        var dest = new CanalSettings.Destination("example", CanalFilter.parse("shop\\..*"), false);
        CanalSettings settings = new CanalSettings("127.0.0.1", 0, Map.of("example", dest), users, Duration.ofDays(7), 1 << 20, 16);
        clients = new CanalClients(store.readView(), store.canalCursors(), settings, Clock.systemUTC(),
                com.google.common.util.concurrent.MoreExecutors.newDirectExecutorService(),
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor())
                .entrySources(() -> EntrySource.of(CanalSessionTest::entries));
        EmbeddedChannel ch = new EmbeddedChannel();
        CanalServer.pipeline(ch.pipeline(), clients, new CanalAuth(settings.users()));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    private final ByteBuf received = Unpooled.buffer();

    /** The next packet the server wrote, waiting (bounded) for answers made on the worker thread. */
    private Packet read(EmbeddedChannel ch) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            ch.runPendingTasks();
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                received.writeBytes(b);
                b.release();
            }
            if (received.readableBytes() >= 4 && received.readableBytes() >= 4 + received.getInt(received.readerIndex())) {
                byte[] body = new byte[received.readInt()];
                received.readBytes(body);
                return Packet.parseFrom(body);
            }
            if (System.nanoTime() > deadline) {
                fail("no answer within 5 s");
            }
            Thread.onSpinWait();
        }
    }

    private static byte[] frame(PacketType type, MessageLite body) {
        byte[] p = Packet.newBuilder().setType(type).setBody(body.toByteString()).build().toByteArray();
        ByteBuf b = Unpooled.buffer().writeInt(p.length).writeBytes(p);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private static void send(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    private static byte[] get() {
        return frame(PacketType.GET, CanalPacket.Get.newBuilder().setDestination("example").setClientId("1001")
                .setFetchSize(10).setTimeout(-1).build());
    }

    private static CanalPacket.Ack ack(Packet p) throws Exception {
        assertEquals(PacketType.ACK, p.getType());
        return CanalPacket.Ack.parseFrom(p.getBody());
    }

    @Test
    void theMessagesPacketIsWhatProtobufWouldBuild() throws Exception {
        java.util.List<ByteString> entries = java.util.List.of(ByteString.copyFromUtf8("a"), ByteString.EMPTY,
                ByteString.copyFrom(new byte[300]));
        for (long id : new long[] {-1, 1, 1L << 40}) {
            for (int n = 0; n <= entries.size(); n++) {
                ByteBuf b = CanalCommands.messagesPacket(id, entries.subList(0, n));
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                Packet built = Packet.newBuilder().setType(PacketType.MESSAGES).setVersion(CanalSession.VERSION)
                        .setBody(CanalPacket.Messages.newBuilder().setBatchId(id).addAllMessages(entries.subList(0, n))
                                .build().toByteString()).build();
                assertEquals(built, Packet.parseFrom(bytes));
                org.junit.jupiter.api.Assertions.assertArrayEquals(built.toByteArray(), bytes);
            }
        }
    }

    private byte[] login(EmbeddedChannel ch, String user, String password) throws Exception {
        Packet hs = read(ch);
        assertEquals(PacketType.HANDSHAKE, hs.getType());
        assertEquals(1, hs.getVersion());
        byte[] seed = CanalPacket.Handshake.parseFrom(hs.getBody()).getSeeds().toByteArray();
        assertEquals(8, seed.length);
        return frame(PacketType.CLIENTAUTHENTICATION, CanalPacket.ClientAuth.newBuilder().setUsername(user)
                .setPassword(ByteString.copyFromUtf8(CanalAuth.token(password, seed))).setNetReadTimeout(60_000).build());
    }

    @Test
    void withoutUsersAnyLoginPassesAndAnEmptyStoreAnswersBatchMinusOne() throws Exception {
        EmbeddedChannel ch = channel(Map.of());
        send(ch, login(ch, "", ""));
        assertEquals(0, ack(read(ch)).getErrorCode());
        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").setClientId("1001").build()));
        assertEquals(0, ack(read(ch)).getErrorCode());
        send(ch, frame(PacketType.GET, CanalPacket.Get.newBuilder().setDestination("example").setClientId("1001")
                .setFetchSize(10).setTimeout(-1).build()));
        Packet m = read(ch);
        assertEquals(PacketType.MESSAGES, m.getType());
        assertEquals(-1, CanalPacket.Messages.parseFrom(m.getBody()).getBatchId());
        assertTrue(ch.isActive());
        assertFalse(ch.finish());
    }

    @Test
    void aLoginSplitAtEveryByteIsAnswered() throws Exception {
        EmbeddedChannel ch = channel(Map.of("canal", "canalpw"));
        byte[] auth = login(ch, "canal", "canalpw");
        for (byte b : auth) {
            send(ch, new byte[] {b});
        }
        assertEquals(0, ack(read(ch)).getErrorCode());
        assertTrue(ch.isActive());
    }

    @Test
    void aWrongPasswordOrUnknownUserGets400AndTheConnectionCloses() throws Exception {
        for (String[] login : new String[][] {{"canal", "wrong"}, {"nobody", "canalpw"}}) {
            received.clear();
            EmbeddedChannel ch = channel(Map.of("canal", "canalpw"));
            send(ch, login(ch, login[0], login[1]));
            CanalPacket.Ack a = ack(read(ch));
            assertEquals(400, a.getErrorCode());
            assertEquals("auth failed for user:" + login[0], a.getErrorMessage());
            ch.runPendingTasks();
            assertFalse(ch.isActive(), "closed after the refusal");
            clients.close();
        }
    }

    @Test
    void malformedAndOversizedFramesEndTheConnectionWithAnError() throws Exception {
        EmbeddedChannel ch = channel(Map.of());
        read(ch);
        send(ch, new byte[] {0, 0, 0, 3, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        CanalPacket.Ack a = ack(read(ch));
        assertEquals(400, a.getErrorCode());
        assertTrue(a.getErrorMessage().startsWith("malformed frame"), a.getErrorMessage());
        ch.runPendingTasks();
        assertFalse(ch.isActive());

        received.clear();
        clients.close();
        EmbeddedChannel big = channel(Map.of());
        read(big);
        send(big, new byte[] {0x7F, 0, 0, 0, 1, 2, 3});
        a = ack(read(big));
        assertEquals(400, a.getErrorCode());
        assertTrue(a.getErrorMessage().contains("malformed frame"), a.getErrorMessage());
        big.runPendingTasks();
        assertFalse(big.isActive());
    }

    @Test
    void aRequestBeforeLoginIsRefused() throws Exception {
        EmbeddedChannel ch = channel(Map.of());
        read(ch);
        send(ch, frame(PacketType.GET, CanalPacket.Get.newBuilder().setDestination("example").setClientId("1").build()));
        assertTrue(ack(read(ch)).getErrorMessage().contains("expected CLIENTAUTHENTICATION first"));
        ch.runPendingTasks();
        assertFalse(ch.isActive());
    }

    @Test
    void refusedRequestsGetCanalsCodesAndTheConnectionStays() throws Exception {
        EmbeddedChannel ch = channel(Map.of());
        send(ch, login(ch, "", ""));
        ack(read(ch));

        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("nope").setClientId("1001").build()));
        CanalPacket.Ack a = ack(read(ch));
        assertEquals(400, a.getErrorCode());
        assertEquals("destination:nope should start first (this relay serves example)", a.getErrorMessage());

        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").build()));
        a = ack(read(ch));
        assertEquals(401, a.getErrorCode());
        assertTrue(a.getErrorMessage().startsWith("destination or clientId is null. Sub:"), a.getErrorMessage());

        send(ch, frame(PacketType.GET, CanalPacket.Get.newBuilder().setDestination("example").setClientId("1001").build()));
        assertTrue(ack(read(ch)).getErrorMessage().contains("should subscribe first"));

        send(ch, frame(PacketType.CLIENTACK, CanalPacket.ClientAck.newBuilder().setDestination("example").setClientId("1001").build()));
        send(ch, get()); // an ack has no answer: its refusal answers the next request, which is not carried out
        a = ack(read(ch));
        assertEquals(402, a.getErrorCode());
        assertTrue(a.getErrorMessage().startsWith("batchId should assign value."), a.getErrorMessage());

        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").setClientId("1001").build()));
        assertEquals(0, ack(read(ch)).getErrorCode());
        send(ch, frame(PacketType.CLIENTACK, CanalPacket.ClientAck.newBuilder().setDestination("example").setClientId("1001")
                .setBatchId(5).build()));
        send(ch, get());
        assertEquals("ack error , clientId:1001 batchId:5 is not exist , please check", ack(read(ch)).getErrorMessage());
        send(ch, frame(PacketType.CLIENTROLLBACK, CanalPacket.ClientRollback.newBuilder().setDestination("example")
                .setClientId("1001").setBatchId(7).build()));
        send(ch, get());
        assertEquals("rollback error, clientId:1001 batchId:7 is not exist , please check", ack(read(ch)).getErrorMessage());
        send(ch, get());
        Packet m = read(ch);
        assertEquals(PacketType.MESSAGES, m.getType(), "in step again");
        assertEquals(-1, CanalPacket.Messages.parseFrom(m.getBody()).getBatchId());

        send(ch, frame(PacketType.HEARTBEAT, CanalPacket.HeartBeat.newBuilder().build()));
        assertEquals("packet type: HEARTBEAT is NOT supported!", ack(read(ch)).getErrorMessage());

        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").setClientId("x1")
                .build()));
        assertTrue(ack(read(ch)).getErrorMessage().contains("clientId 'x1' is not a number"));

        send(ch, frame(PacketType.UNSUBSCRIPTION, CanalPacket.Unsub.newBuilder().setDestination("example").setClientId("1001").build()));
        assertEquals(0, ack(read(ch)).getErrorCode());
        assertTrue(store.canalCursors().get("example", "1001").isEmpty(), "unsubscribe forgets the cursor");
        assertTrue(ch.isActive());
        assertFalse(ch.finish());
    }

    @Test
    void aSubscriptionIsPersistedWithItsFilter() throws Exception {
        EmbeddedChannel ch = channel(Map.of());
        send(ch, login(ch, "", ""));
        ack(read(ch));
        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").setClientId("7")
                .setFilter("shop\\.orders,shop\\.items").build()));
        assertEquals(0, ack(read(ch)).getErrorCode());
        // the store is empty: the client has no position yet, so nothing is stored until one exists
        assertTrue(store.canalCursors().get("example", "7").isEmpty());
        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").setClientId("7")
                .setFilter("shop\\.(").build()));
        CanalPacket.Ack a = ack(read(ch));
        assertEquals(400, a.getErrorCode());
        assertNotNull(a.getErrorMessage());
        assertTrue(a.getErrorMessage().startsWith("bad filter"), a.getErrorMessage());
    }

    @Test
    void aConnectionThatDoesNotLogInWithin30SecondsIsClosed() throws Exception {
        EmbeddedChannel ch = channel(Map.of());
        read(ch);
        ch.advanceTimeBy(29, java.util.concurrent.TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isActive());
        ch.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
        assertFalse(ch.isActive(), "closed: no login within 30 s");
    }

    /** An end entry for each made-up XID event (the test's own entries, whatever the relay's entry stream makes). */
    private static java.util.List<com.alibaba.otter.canal.protocol.CanalEntry.Entry> entries(String file, long position, byte[] e) {
        if (e.length < 19 || (e[4] & 0xFF) != 16) {
            return java.util.List.of();
        }
        return java.util.List.of(com.alibaba.otter.canal.protocol.CanalEntry.Entry.newBuilder()
                .setEntryType(com.alibaba.otter.canal.protocol.CanalEntry.EntryType.TRANSACTIONEND)
                .setHeader(com.alibaba.otter.canal.protocol.CanalEntry.Header.newBuilder().setLogfileName(file)
                        .setLogfileOffset(position).setEventLength(e.length)).build());
    }

    /** A made-up one-event transaction (an XID event) at {@code pos} of mariadb-bin.000001; returns its end. */
    private long transaction(long pos) {
        byte[] xid = new byte[27];
        xid[4] = 16;
        xid[9] = 27;
        store.writer().appendGroup("mariadb-bin.000001", java.util.List.of(new dev.binlogrelay.storage.EventToStore(pos, xid,
                dev.binlogrelay.storage.StoredEvent.GROUP_START | dev.binlogrelay.storage.StoredEvent.GROUP_END, null)),
                dev.binlogrelay.storage.StateUpdate.builder().formatDescription(new byte[] {'x'}).build());
        return pos + xid.length;
    }

    @Test
    void acksSentJustBeforeTheClientClosesStillCount() throws Exception {
        long end = transaction(4);
        EmbeddedChannel ch = channel(Map.of());
        send(ch, login(ch, "", ""));
        ack(read(ch));
        send(ch, frame(PacketType.SUBSCRIPTION, CanalPacket.Sub.newBuilder().setDestination("example").setClientId("1001").build()));
        ack(read(ch));
        end = transaction(transaction(end));
        send(ch, get());
        CanalPacket.Messages m = CanalPacket.Messages.parseFrom(read(ch).getBody());
        assertEquals(2, m.getMessagesCount());
        // a get in progress, the ack behind it, then the client closes before either is answered
        byte[] both = new byte[0];
        for (byte[] f : new byte[][] {get(), frame(PacketType.CLIENTACK, CanalPacket.ClientAck.newBuilder()
                .setDestination("example").setClientId("1001").setBatchId(m.getBatchId()).build())}) {
            byte[] joined = java.util.Arrays.copyOf(both, both.length + f.length);
            System.arraycopy(f, 0, joined, both.length, f.length);
            both = joined;
        }
        // read and closed in one go, before the get's answer (made on a worker, written by a task) is written
        ch.pipeline().fireChannelRead(Unpooled.wrappedBuffer(both));
        ch.pipeline().fireChannelInactive();
        ch.runPendingTasks();
        var cursor = store.canalCursors().get("example", "1001").orElseThrow();
        assertEquals(end, cursor.position(), "the ack counted");
        assertEquals(0, cursor.skip());
    }
}
