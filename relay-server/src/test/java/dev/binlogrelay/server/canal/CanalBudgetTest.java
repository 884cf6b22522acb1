package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.client.CanalConnector;
import com.alibaba.otter.canal.client.CanalConnectors;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.CanalPacket;
import com.alibaba.otter.canal.protocol.Message;
import com.google.protobuf.ByteString;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code canal.max_pending_bytes} under load: stock canal.client clients, each on a destination of its own, read big
 * entries (the test's entry source gives every XID event an entry of {@link #BIG} bytes) through a budget far
 * smaller than their batches together. Every client gets every entry once, in order; the budget's peak stays within
 * its bound (the budget plus one entry per client in progress); gets waited for room; and once the clients are gone
 * the budget holds nothing.
 */
class CanalBudgetTest {
    private static final String FILE = "mariadb-bin.000001";
    private static final int BIG = 32 * 1024;
    private static final int TRANSACTIONS = 60;
    private static final int CLIENTS = 10;
    private static final long BUDGET = 2 * BIG;

    @TempDir
    Path dir;

    private static byte[] event(int type, long position, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(19 + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1_700_000_000).put((byte) type).putInt(1).putInt(19 + bodyLength).putInt((int) (position + 19 + bodyLength))
                .putShort((short) 0);
        return b.array();
    }

    /** A small begin entry per GTID event, a big end entry (its value marks its position) per XID event. */
    private static List<CanalEntry.Entry> entries(String file, long position, byte[] event) {
        if (event.length < 19) {
            return List.of(); // the made-up format description
        }
        int type = event[4] & 0xFF;
        CanalEntry.Header header = CanalEntry.Header.newBuilder().setLogfileName(file).setLogfileOffset(position)
                .setEventLength(event.length).build();
        if (type == 162) {
            return List.of(CanalEntry.Entry.newBuilder().setEntryType(CanalEntry.EntryType.TRANSACTIONBEGIN)
                    .setHeader(header).build());
        }
        byte[] value = new byte[BIG];
        ByteBuffer.wrap(value).putLong(position);
        return List.of(CanalEntry.Entry.newBuilder().setEntryType(CanalEntry.EntryType.TRANSACTIONEND).setHeader(header)
                .setStoreValue(ByteString.copyFrom(value)).build());
    }

    @Test
    void manyClientsWithBigBatchesStayWithinTheBudgetAndGetEveryEntryOnce() throws Exception {
        Map<String, CanalSettings.Destination> destinations = new LinkedHashMap<>();
        for (int i = 0; i < CLIENTS; i++) {
            destinations.put("d" + i, new CanalSettings.Destination("d" + i, CanalFilter.ALL, true));
        }
        CanalSettings settings = new CanalSettings("127.0.0.1", 0, destinations, Map.of(), Duration.ofDays(7),
                16L * BIG, 64, BUDGET);
        List<String> expected = new ArrayList<>();
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            long pos = 4;
            for (int t = 0; t < TRANSACTIONS; t++) {
                byte[] gtid = event(162, pos, 13);
                byte[] xid = event(16, pos + gtid.length, 8);
                store.writer().appendGroup(FILE, List.of(new EventToStore(pos, gtid, StoredEvent.GROUP_START, null),
                        new EventToStore(pos + gtid.length, xid, StoredEvent.GROUP_END, null)),
                        StateUpdate.builder().formatDescription(new byte[] {'x'}).build());
                expected.add("TRANSACTIONBEGIN@" + pos);
                expected.add("TRANSACTIONEND@" + (pos + gtid.length));
                pos += gtid.length + xid.length;
            }
            InetSocketAddress at = server.bind();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<List<String>>> got = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    String destination = "d" + i;
                    got.add(pool.submit(() -> consume(at, destination, expected.size())));
                }
                for (Future<List<String>> f : got) {
                    assertEquals(expected, f.get(60, TimeUnit.SECONDS), "every entry once, in order");
                }
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            }
            long bound = BUDGET + 2L * CLIENTS * (BIG + 1024L); // one event past it per get, one per read-ahead
            assertTrue(server.pendingBytesPeak() <= bound, "peak " + server.pendingBytesPeak() + " over " + bound);
            System.out.println("canal budget: peak " + server.pendingBytesPeak() + " of " + BUDGET + ", waits " + server.budgetWaits());
            assertTrue(server.pendingBytesPeak() > 0);
            assertTrue(server.budgetWaits() > 0, "gets waited for room");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.pendingBytes() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the last writes' completions run on the event loops
            }
            assertEquals(0, server.pendingBytes(), "every batch given back to the budget");
        }
    }

    /**
     * While the budget is spent, a client polling with gets that time out waiting for room leaves at most one wake-up
     * in the budget's queue (not one per get), and none once it disconnects.
     */
    @Test
    void expiringGetsDoNotGrowTheBudgetsQueue() throws Exception {
        CanalSettings settings = new CanalSettings("127.0.0.1", 0,
                Map.of("d0", new CanalSettings.Destination("d0", CanalFilter.ALL, true)), Map.of(), Duration.ofDays(7),
                16L * BIG, 64, BUDGET);
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            InetSocketAddress at = server.bind();
            server.budget().reserve(BUDGET); // another client's batches, not written yet
            CanalConnector c = CanalConnectors.newSingleConnector(at, "d0", "", "");
            c.connect();
            try {
                c.subscribe();
                for (int i = 0; i < 30; i++) {
                    Message m = c.getWithoutAck(10, 5L, TimeUnit.MILLISECONDS);
                    assertEquals(-1, m.getId(), "no room: an empty batch");
                    assertTrue(server.budget().waiters() <= 1, "wake-ups queued after " + (i + 1) + " gets: "
                            + server.budget().waiters());
                }
                assertTrue(server.budgetWaits() >= 30);
            } finally {
                c.disconnect();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.budget().waiters() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the close runs on the event loop
            }
            assertEquals(0, server.budget().waiters(), "the closed connection's wake-up taken back");
            server.budget().release(BUDGET);
        }
    }

    /**
     * A client that sends a GET and never reads its socket: its batch's write stalls, the connection is closed after
     * {@code canal.write_timeout} and the batch's bytes go back to the budget (before, they stayed until the
     * client's read timeout). It is counted once in {@code binlog_relay_canal_write_timeouts_total}; a stock client
     * reading another destination meanwhile (through the same stall and close) gets every entry and is not counted.
     */
    @Test
    void aClientThatStopsReadingIsClosedAndItsBatchReleased() throws Exception {
        CanalSettings settings = new CanalSettings("127.0.0.1", 0,
                Map.of("d0", new CanalSettings.Destination("d0", CanalFilter.ALL, true),
                        "d1", new CanalSettings.Destination("d1", CanalFilter.ALL, true)), Map.of(), Duration.ofDays(7),
                64L << 20, 64, 256L << 20, Duration.ofMillis(500));
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            List<String> expected = new ArrayList<>();
            long pos = 4;
            for (int t = 0; t < 400; t++) { // 400 entries of 32 KiB: a 13 MB batch, more than the sockets buffer
                byte[] gtid = event(162, pos, 13);
                byte[] xid = event(16, pos + gtid.length, 8);
                store.writer().appendGroup(FILE, List.of(new EventToStore(pos, gtid, StoredEvent.GROUP_START, null),
                        new EventToStore(pos + gtid.length, xid, StoredEvent.GROUP_END, null)),
                        StateUpdate.builder().formatDescription(new byte[] {'x'}).build());
                expected.add("TRANSACTIONBEGIN@" + pos);
                expected.add("TRANSACTIONEND@" + (pos + gtid.length));
                pos += gtid.length + xid.length;
            }
            InetSocketAddress at = server.bind();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(at, 5000);
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                in.readFully(new byte[in.readInt()]); // the handshake
                send(out, CanalPacket.PacketType.CLIENTAUTHENTICATION, CanalPacket.ClientAuth.newBuilder()
                        .setUsername("").setDestination("d0").setClientId("1001").build().toByteString());
                in.readFully(new byte[in.readInt()]); // the subscription's ACK
                send(out, CanalPacket.PacketType.GET, CanalPacket.Get.newBuilder().setDestination("d0")
                        .setClientId("1001").setFetchSize(1000).setTimeout(-1).build().toByteString());
                // reads nothing more; a healthy stock client reads d1 until the stalled one is closed, and on
                Future<List<String>> healthy = pool.submit(() ->
                        consume(at, "d1", expected.size(), () -> server.writeTimeouts() > 0));
                assertEquals(expected, healthy.get(60, TimeUnit.SECONDS), "the healthy client: every entry once, in order");
                await(() -> server.connections() == 0 && server.pendingBytes() == server.cacheBytes());
                assertEquals(0, server.connections(), "the connection that reads nothing is closed");
                assertEquals(server.cacheBytes(), server.pendingBytes(), "its batch given back to the budget");
                assertTrue(server.pendingBytesPeak() > 10L << 20, "the batch was built: " + server.pendingBytesPeak());
                assertEquals(1, server.writeTimeouts(), "the stalled connection counted once, the healthy one not");
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    /** Appends {@code n} transactions (a small and a big entry each) from {@code pos}; returns the end. */
    private static long transactions(BinlogStore store, long pos, int n) {
        for (int t = 0; t < n; t++) {
            byte[] gtid = event(162, pos, 13);
            byte[] xid = event(16, pos + gtid.length, 8);
            store.writer().appendGroup(FILE, List.of(new EventToStore(pos, gtid, StoredEvent.GROUP_START, null),
                    new EventToStore(pos + gtid.length, xid, StoredEvent.GROUP_END, null)),
                    StateUpdate.builder().formatDescription(new byte[] {'x'}).build());
            pos += gtid.length + xid.length;
        }
        return pos;
    }

    /** A raw connection logged in and subscribed to d0 as client 1001; then a GET of 100 that waits until full. */
    private static Socket parkedGet(InetSocketAddress at) throws Exception {
        Socket s = new Socket(at.getAddress(), at.getPort());
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        in.readFully(new byte[in.readInt()]); // the handshake
        send(out, CanalPacket.PacketType.CLIENTAUTHENTICATION, CanalPacket.ClientAuth.newBuilder()
                .setUsername("").setDestination("d0").setClientId("1001").build().toByteString());
        in.readFully(new byte[in.readInt()]); // the subscription's ACK
        send(out, CanalPacket.PacketType.GET, CanalPacket.Get.newBuilder().setDestination("d0")
                .setClientId("1001").setFetchSize(100).setTimeout(0).build().toByteString());
        return s;
    }

    private static void await(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /**
     * A get parked for more entries (batch of 100, wait until full) holding 6: when its connection closes the get
     * ends, its bytes go back to the budget and the stream detaches (before: it stayed parked, counted and attached).
     */
    @Test
    void aParkedGetOnAClosedConnectionGivesItsBytesBackAndDetaches() throws Exception {
        CanalSettings settings = new CanalSettings("127.0.0.1", 0,
                Map.of("d0", new CanalSettings.Destination("d0", CanalFilter.ALL, true)), Map.of(), Duration.ofDays(7),
                16L * BIG, 64, 64L * BIG);
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            transactions(store, 4, 3);
            InetSocketAddress at = server.bind();
            try (Socket s = parkedGet(at)) {
                await(() -> server.pendingBytes() >= 3L * BIG);
                assertTrue(server.pendingBytes() >= 3L * BIG, "the parked get holds its 3 big entries");
                assertEquals(1, server.attachedClients());
            }
            await(() -> server.attachedClients() == 0 && server.pendingBytes() == 0);
            assertEquals(0, server.attachedClients(), "the stream detached");
            assertEquals(0, server.pendingBytes(), "the parked get's bytes given back");
        }
    }

    /**
     * While a get waits for room, another client's get parked holding entries answers with them (making room) rather
     * than holding them until its batch fills.
     */
    @Test
    void aGetWaitingForRoomWakesParkedGetsThatHoldEntries() throws Exception {
        CanalSettings settings = new CanalSettings("127.0.0.1", 0,
                Map.of("d0", new CanalSettings.Destination("d0", CanalFilter.ALL, true),
                        "d1", new CanalSettings.Destination("d1", CanalFilter.ALL, true)), Map.of(), Duration.ofDays(7),
                16L * BIG, 64, 64L * BIG);
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            transactions(store, 4, 3);
            InetSocketAddress at = server.bind();
            try (Socket s = parkedGet(at)) {
                await(() -> server.pendingBytes() >= 3L * BIG);
                server.budget().reserve(64L * BIG); // the budget is spent
                CanalConnector c = CanalConnectors.newSingleConnector(at, "d1", "", "");
                try {
                    c.connect();
                    c.subscribe();
                    assertEquals(-1, c.getWithoutAck(10, 50L, TimeUnit.MILLISECONDS).getId(), "it waited for room");
                } finally {
                    c.disconnect();
                }
                DataInputStream in = new DataInputStream(s.getInputStream());
                CanalPacket.Packet p = CanalPacket.Packet.parseFrom(in.readNBytes(in.readInt()));
                assertEquals(CanalPacket.PacketType.MESSAGES, p.getType());
                int n = CanalPacket.Messages.parseFrom(p.getBody()).getMessagesCount();
                // those it had taken when the budget was spent (all 6 if it had parked by then)
                assertTrue(n >= 1 && n <= 6, "the parked get's entries: " + n);
            } finally {
                server.budget().release(64L * BIG);
            }
        }
    }

    /**
     * A get whose wait for room ends is checked as any get: a client that never subscribed gets Canal's error, not
     * an empty batch (before, the expiry answered without looking at the subscription or touching the client).
     */
    @Test
    void aGetThatWaitedForRoomIsStillCheckedForItsSubscription() throws Exception {
        CanalSettings settings = new CanalSettings("127.0.0.1", 0,
                Map.of("d0", new CanalSettings.Destination("d0", CanalFilter.ALL, true)), Map.of(), Duration.ofDays(7),
                16L * BIG, 64, BUDGET);
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            InetSocketAddress at = server.bind();
            server.budget().reserve(BUDGET);
            try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                in.readFully(new byte[in.readInt()]); // the handshake
                send(out, CanalPacket.PacketType.CLIENTAUTHENTICATION, CanalPacket.ClientAuth.newBuilder()
                        .setUsername("").build().toByteString()); // no destination: not subscribed
                in.readFully(new byte[in.readInt()]); // the login's ACK
                send(out, CanalPacket.PacketType.GET, CanalPacket.Get.newBuilder().setDestination("d0")
                        .setClientId("+1001").setFetchSize(10).setTimeout(5).setUnit(2).build().toByteString());
                CanalPacket.Packet p = CanalPacket.Packet.parseFrom(in.readNBytes(in.readInt()));
                assertEquals(CanalPacket.PacketType.ACK, p.getType(), "Canal's error, not an empty batch");
                CanalPacket.Ack ack = CanalPacket.Ack.parseFrom(p.getBody());
                assertEquals(400, ack.getErrorCode());
                assertTrue(ack.getErrorMessage().contains("should subscribe first"), ack.getErrorMessage());
                assertTrue(server.budgetWaits() >= 1, "it waited for room first");
            } finally {
                server.budget().release(BUDGET);
            }
        }
    }

    /**
     * A get of a client with entries read ahead does not wait for room (it frees memory), whichever way it spells the
     * client id: "+1001" is client 1001 as Canal reads it (before, the lookup by the raw text missed the read-ahead,
     * and the get waited and came back empty).
     */
    @Test
    void aGetWithReadAheadIsFoundByTheClientIdAsCanalReadsIt() throws Exception {
        CanalSettings settings = new CanalSettings("127.0.0.1", 0,
                Map.of("d0", new CanalSettings.Destination("d0", CanalFilter.ALL, true)), Map.of(), Duration.ofDays(7),
                16L * BIG, 64, 64L * BIG);
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults());
             CanalServer server = new CanalServer(store.readView(), store.canalCursors(), settings)
                     .entrySources(() -> EntrySource.of(CanalBudgetTest::entries))) {
            transactions(store, 4, 6);
            InetSocketAddress at = server.bind();
            try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                in.readFully(new byte[in.readInt()]); // the handshake
                send(out, CanalPacket.PacketType.CLIENTAUTHENTICATION, CanalPacket.ClientAuth.newBuilder()
                        .setUsername("").setDestination("d0").setClientId("1001").build().toByteString());
                in.readFully(new byte[in.readInt()]); // the subscription's ACK
                send(out, CanalPacket.PacketType.GET, CanalPacket.Get.newBuilder().setDestination("d0")
                        .setClientId("1001").setFetchSize(2).setTimeout(-1).build().toByteString());
                assertEquals(2, CanalPacket.Messages.parseFrom(CanalPacket.Packet.parseFrom(in.readNBytes(in.readInt()))
                        .getBody()).getMessagesCount());
                await(() -> server.pendingBytes() >= BIG); // the next batch read ahead
                assertTrue(server.pendingBytes() >= BIG, "read ahead: " + server.pendingBytes());
                server.budget().reserve(64L * BIG);
                try {
                    send(out, CanalPacket.PacketType.GET, CanalPacket.Get.newBuilder().setDestination("d0")
                            .setClientId("+1001").setFetchSize(2).setTimeout(-1).build().toByteString());
                    CanalPacket.Messages m = CanalPacket.Messages.parseFrom(CanalPacket.Packet.parseFrom(
                            in.readNBytes(in.readInt())).getBody());
                    // no wait for room: a batch of what was read ahead (one entry while the budget is spent)
                    assertTrue(m.getBatchId() > 0 && m.getMessagesCount() >= 1, "batch " + m.getBatchId());
                    assertEquals(0, server.budgetWaits());
                } finally {
                    server.budget().release(64L * BIG);
                }
            }
        }
    }

    private static void send(DataOutputStream out, CanalPacket.PacketType type, ByteString body) throws Exception {
        byte[] p = CanalPacket.Packet.newBuilder().setType(type).setBody(body).build().toByteArray();
        out.writeInt(p.length);
        out.write(p);
        out.flush();
    }

    /** A stock client reading {@code count} entries with gets of up to 100 and acks, as the entries' type@offset. */
    private static List<String> consume(InetSocketAddress at, String destination, int count) throws Exception {
        return consume(at, destination, count, () -> true);
    }

    /** As {@link #consume(InetSocketAddress, String, int)}, getting on (empty batches) until {@code also} holds. */
    private static List<String> consume(InetSocketAddress at, String destination, int count,
                                        java.util.function.BooleanSupplier also) throws Exception {
        CanalConnector c = CanalConnectors.newSingleConnector(at, destination, "", "");
        List<String> out = new ArrayList<>();
        c.connect();
        try {
            c.subscribe();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while ((out.size() < count || !also.getAsBoolean()) && System.nanoTime() < deadline) {
                Message m = c.getWithoutAck(100, 200L, TimeUnit.MILLISECONDS);
                for (CanalEntry.Entry e : m.getEntries()) {
                    if (e.getEntryType() == CanalEntry.EntryType.TRANSACTIONEND) {
                        assertEquals(e.getHeader().getLogfileOffset(), e.getStoreValue().asReadOnlyByteBuffer().getLong());
                    }
                    out.add(e.getEntryType() + "@" + e.getHeader().getLogfileOffset());
                }
                if (m.getId() != -1) {
                    c.ack(m.getId());
                }
            }
        } finally {
            c.disconnect();
        }
        return out;
    }
}
