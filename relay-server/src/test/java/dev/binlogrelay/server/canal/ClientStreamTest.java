package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client's stream over a store of made-up MariaDB transactions (GTID … XID), with entries made by the test (a
 * begin for each GTID event, an end for each XID event: two per transaction, whatever the relay's entry stream
 * makes of them): batches by count and by bytes, resume points inside a transaction, acks and rollbacks, a parked
 * get woken by a commit.
 */
class ClientStreamTest {
    private static final String FILE = "mariadb-bin.000001";

    @TempDir
    Path dir;
    BinlogStore store;
    CanalClients clients;
    final Map<String, Long> ends = new HashMap<>();

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

    private CanalClients clients(long maxBatchBytes) {
        var dest = new CanalSettings.Destination("example", CanalFilter.ALL, true);
        CanalSettings settings = new CanalSettings("127.0.0.1", 0, Map.of("example", dest), Map.of(), Duration.ofDays(7),
                maxBatchBytes, 16);
        clients = new CanalClients(store.readView(), store.canalCursors(), settings, Clock.systemUTC(),
                MoreExecutors.newDirectExecutorService(), Executors.newSingleThreadScheduledExecutor())
                .entrySources(() -> EntrySource.of(ClientStreamTest::entries));
        return clients;
    }

    private static byte[] event(int type, long position, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(19 + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1_700_000_000).put((byte) type).putInt(1).putInt(19 + bodyLength).putInt((int) (position + 19 + bodyLength))
                .putShort((short) 0);
        return b.array();
    }

    /** One transaction: a MariaDB GTID event (begin) and an XID event (end). */
    private void transaction() {
        long pos = ends.getOrDefault(FILE, 4L);
        byte[] gtid = event(162, pos, 13);
        byte[] xid = event(16, pos + gtid.length, 8);
        store.writer().appendGroup(FILE, List.of(new EventToStore(pos, gtid, StoredEvent.GROUP_START, null),
                new EventToStore(pos + gtid.length, xid, StoredEvent.GROUP_END, null)),
                StateUpdate.builder().formatDescription(new byte[] {'x'}).build());
        ends.put(FILE, pos + gtid.length + xid.length);
    }

    /** Begin at a MariaDB GTID event, end at an XID event, with the event's position and length in the header. */
    private static List<CanalEntry.Entry> entries(String file, long position, byte[] event) {
        if (event.length < 19) {
            return List.of(); // the made-up format description
        }
        int type = event[4] & 0xFF;
        CanalEntry.EntryType t = type == 162 ? CanalEntry.EntryType.TRANSACTIONBEGIN
                : type == 16 ? CanalEntry.EntryType.TRANSACTIONEND : null;
        if (t == null) {
            return List.of();
        }
        return List.of(CanalEntry.Entry.newBuilder().setEntryType(t).setHeader(CanalEntry.Header.newBuilder()
                .setLogfileName(file).setLogfileOffset(position).setEventLength(event.length)).build());
    }

    private static List<String> entries(PendingGet.Batched b) throws Exception {
        List<String> out = new ArrayList<>();
        for (ByteString s : b.entries()) {
            CanalEntry.Entry e = CanalEntry.Entry.parseFrom(s);
            out.add(e.getEntryType() + "@" + e.getHeader().getLogfileOffset());
        }
        return out;
    }

    private static PendingGet.Batched get(ClientStream s, int size) throws Exception {
        return s.get(new PendingGet(size, -1)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void anAckInsideATransactionResumesAfterTheEntriesAcknowledged() throws Exception {
        for (int i = 0; i < 3; i++) {
            transaction();
        }
        ClientStream s = clients(1 << 20).attach(null, "example", "1001", "");
        PendingGet.Batched first = get(s, 3);
        PendingGet.Batched second = get(s, 10);
        assertEquals(List.of("TRANSACTIONBEGIN@4", "TRANSACTIONEND@36", "TRANSACTIONBEGIN@63"), entries(first));
        assertEquals(List.of("TRANSACTIONEND@95", "TRANSACTIONBEGIN@122", "TRANSACTIONEND@154"), entries(second));
        assertEquals(first.id() + 1, second.id());
        s.ack(first.id());
        assertEquals(new Point(FILE, 63, 1), s.acked(), "the boundary before transaction 2, one entry of it");
        var stored = store.canalCursors().get("example", "1001").orElseThrow();
        assertEquals(63, stored.position());
        assertEquals(1, stored.skip());

        clients.detach(s);
        ClientStream again = clients.attach(null, "example", "1001", null);
        assertEquals(entries(second), entries(get(again, 10)), "exactly the entries not acknowledged");
    }

    @Test
    void anAckAtTheEndOfATransactionStoresItsBoundary() throws Exception {
        transaction();
        transaction();
        ClientStream s = clients(1 << 20).attach(null, "example", "1001", "");
        PendingGet.Batched b = get(s, 2);
        s.ack(b.id());
        assertEquals(new Point(FILE, 63, 0), s.acked());
    }

    @Test
    void batchesAreBoundedByBytesAsWellAsByCount() throws Exception {
        for (int i = 0; i < 20; i++) {
            transaction();
        }
        ClientStream s = clients(1024).attach(null, "example", "1001", "");
        PendingGet.Batched b = get(s, 1000);
        long bytes = b.entries().stream().mapToLong(ByteString::size).sum();
        assertTrue(b.entries().size() > 1 && b.entries().size() < 40, b.entries().size() + " entries");
        assertTrue(bytes >= 1024 && bytes - b.entries().get(b.entries().size() - 1).size() < 1024,
                "stops at the first entry reaching max_batch_bytes: " + bytes);
    }

    @Test
    void acksAndRollbacksFollowCanalsOrderRules() throws Exception {
        for (int i = 0; i < 3; i++) {
            transaction();
        }
        ClientStream s = clients(1 << 20).attach(null, "example", "1001", "");
        PendingGet.Batched a = get(s, 2);
        PendingGet.Batched b = get(s, 2);
        PendingGet.Batched c = get(s, 2);
        CanalError e = assertThrows(CanalError.class, () -> s.ack(b.id()));
        assertEquals("batchId:" + b.id() + " is not the firstly:" + a.id(), e.getMessage());
        s.ack(a.id());
        s.rollback(b.id()); // b and c go; the next get starts after a
        assertEquals(0, s.outstandingBatches());
        PendingGet.Batched again = get(s, 4);
        assertEquals(List.of("TRANSACTIONBEGIN@63", "TRANSACTIONEND@95", "TRANSACTIONBEGIN@122", "TRANSACTIONEND@154"),
                entries(again));
        assertTrue(again.id() > c.id());
        e = assertThrows(CanalError.class, () -> s.rollback(c.id()));
        assertTrue(e.getMessage().startsWith("rollback error, clientId:1001 batchId:" + c.id()), e.getMessage());
        assertEquals(-1, get(s, 10).id(), "nothing more stored");
    }

    @Test
    void aParkedGetIsAnsweredByTheCommitThatFillsIt() throws Exception {
        transaction();
        ClientStream s = clients(1 << 20).attach(null, "example", "1001", "");
        var pending = s.get(new PendingGet(4, 0));
        assertFalse(pending.isDone(), "two of four entries: waits");
        transaction();
        assertEquals(List.of("TRANSACTIONBEGIN@4", "TRANSACTIONEND@36", "TRANSACTIONBEGIN@63", "TRANSACTIONEND@95"),
                entries(pending.get(5, TimeUnit.SECONDS)));
    }

    /**
     * A get carried out after its connection closed (its request was read before the close, its worker ran after the
     * close had dropped the parked get) ends at once with its bytes given back, rather than parking where nothing
     * wakes it: its session waits for it before detaching (before, the stream then stayed attached for good).
     */
    @Test
    void aGetThatWouldParkAfterItsConnectionClosedEndsInstead() throws Exception {
        transaction();
        CanalClients c = clients(1 << 20);
        ClientStream s = c.attach(null, "example", "1001", "");
        s.connectionClosed(); // the drop finds no parked get
        var pending = s.get(new PendingGet(4, 0)); // two of four entries, no timeout: would wait for the next commit
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof CanalError && e.getCause().getMessage().contains("the connection closed"),
                String.valueOf(e.getCause()));
        assertEquals(0, c.budget().used(), "the get's entries given back");
    }

    @Test
    void aGetWithATimeoutAnswersWithWhatThereIsWhenItExpires() throws Exception {
        transaction();
        ClientStream s = clients(1 << 20).attach(null, "example", "1001", "");
        long started = System.nanoTime();
        var b = s.get(new PendingGet(100, TimeUnit.MILLISECONDS.toNanos(200))).get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(200));
        assertEquals(2, b.entries().size());
    }

    /** A get answered before its timeout cancels its timer: finished gets are not kept, entries and all, until it fires. */
    @Test
    void aGetAnsweredBeforeItsTimeoutLeavesNoTimerBehind() throws Exception {
        for (int i = 0; i < 50; i++) {
            transaction();
        }
        var timers = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        timers.setRemoveOnCancelPolicy(true);
        var dest = new CanalSettings.Destination("example", CanalFilter.ALL, true);
        clients = new CanalClients(store.readView(), store.canalCursors(), new CanalSettings("127.0.0.1", 0,
                Map.of("example", dest), Map.of(), Duration.ofDays(7), 1 << 20, 16), Clock.systemUTC(),
                MoreExecutors.newDirectExecutorService(), timers).entrySources(() -> EntrySource.of(ClientStreamTest::entries));
        ClientStream s = clients.attach(null, "example", "1001", "");
        for (int i = 0; i < 50; i++) {
            PendingGet.Batched b = s.get(new PendingGet(2, TimeUnit.HOURS.toNanos(1))).get(5, TimeUnit.SECONDS);
            assertEquals(2, b.entries().size());
            s.ack(b.id());
        }
        assertEquals(0, timers.getQueue().size(), "timers of answered gets");
    }

    /**
     * A get counts each entry's object overhead besides its bytes, and so does the read-ahead: a batch of tiny
     * entries is not undercounted (before, 6 entries of ~30 bytes counted ~180 bytes).
     */
    @Test
    void getsAndReadAheadCountEachEntrysOverhead() throws Exception {
        for (int i = 0; i < 6; i++) {
            transaction();
        }
        CanalClients c = clients(1 << 20);
        ClientStream s = c.attach(null, "example", "1001", "");
        PendingGet.Batched b = get(s, 6);
        long bytes = b.entries().stream().mapToLong(ByteString::size).sum();
        assertEquals(bytes + 6L * PendingGet.ENTRY_OVERHEAD, b.counted());
        long aheadBytes = c.budget().used() - b.counted(); // the read-ahead of the next 6 entries
        assertTrue(s.hasReadAhead());
        PendingGet.Batched next = get(s, 6);
        long nextBytes = next.entries().stream().mapToLong(ByteString::size).sum();
        assertEquals(nextBytes + 6L * Carry.OVERHEAD, aheadBytes, "read ahead: bytes and overhead");
        c.budget().release(b.counted() + next.counted());
    }

    /**
     * Reading ahead starts when the client attaches, before any get (a Canal instance parses from its start), stops at
     * twice {@code canal.max_batch_bytes} of entries, is kept over a rollback with nothing outstanding (Canal's
     * connect() sends one) and refills as gets take entries; the entries come once each, in order.
     */
    @Test
    void readingAheadStartsOnAttachIsBoundedAndRefills() throws Exception {
        for (int i = 0; i < 20; i++) {
            transaction();
        }
        CanalClients c = clients(100);
        ClientStream s = c.attach(null, "example", "1001", "");
        long ahead = c.budget().used();
        assertTrue(s.hasReadAhead(), "read ahead on attach");
        assertTrue(ahead >= 200 && ahead < 40L * Carry.OVERHEAD, "twice max_batch_bytes, not all 40 entries: " + ahead);
        s.rollback(0);
        assertEquals(ahead, c.budget().used(), "a rollback with nothing outstanding keeps what was read ahead");
        List<String> got = new ArrayList<>();
        for (int gets = 0; got.size() < 40 && gets < 40; gets++) {
            PendingGet.Batched b = get(s, 3);
            got.addAll(entries(b));
            s.ack(b.id());
            c.budget().release(b.counted());
            if (got.size() < 40) {
                assertTrue(s.hasReadAhead(), "refilled after get " + gets);
            }
        }
        List<String> expected = new ArrayList<>();
        for (long pos = 4; expected.size() < 40; pos += 59) {
            expected.add("TRANSACTIONBEGIN@" + pos);
            expected.add("TRANSACTIONEND@" + (pos + 32));
        }
        assertEquals(expected, got);
        assertEquals(0, c.budget().used(), "nothing held once every entry is taken");
    }

    /** The event the test's entry source fails on, -1: none. */
    volatile long failAt = -1;

    /**
     * An event that cannot be made, met while reading ahead of a get: the get first answers with the good entries
     * read before it (before: the whole get failed), the next get meets the error; once the event can be made, the
     * reading goes on after the batch still outstanding, so its entries never come again under a new id (before:
     * from the acknowledged point, re-delivering them).
     */
    @Test
    void anErrorAheadComesAfterTheGoodEntriesAndARepositionSkipsOutstandingBatches() throws Exception {
        for (int i = 0; i < 4; i++) {
            transaction();
        }
        var dest = new CanalSettings.Destination("example", CanalFilter.ALL, true);
        clients = new CanalClients(store.readView(), store.canalCursors(), new CanalSettings("127.0.0.1", 0,
                Map.of("example", dest), Map.of(), Duration.ofDays(7), 1 << 20, 16), Clock.systemUTC(),
                MoreExecutors.newDirectExecutorService(), Executors.newSingleThreadScheduledExecutor())
                .entrySources(() -> EntrySource.of((file, position, event) -> {
                    if (position == failAt) {
                        throw new IllegalStateException("cannot make the event at " + position);
                    }
                    return entries(file, position, event);
                }));
        failAt = 154; // the third transaction's XID
        ClientStream s = clients.attach(null, "example", "1001", "");
        PendingGet.Batched first = get(s, 10);
        assertEquals(List.of("TRANSACTIONBEGIN@4", "TRANSACTIONEND@36", "TRANSACTIONBEGIN@63", "TRANSACTIONEND@95",
                "TRANSACTIONBEGIN@122"), entries(first), "the good entries first");
        var failed = assertThrows(java.util.concurrent.ExecutionException.class, () -> get(s, 10));
        assertTrue(failed.getCause().getMessage().contains("cannot make the event at 154"), failed.getCause().getMessage());
        failAt = -1;
        PendingGet.Batched second = get(s, 10);
        assertEquals(List.of("TRANSACTIONEND@154", "TRANSACTIONBEGIN@181", "TRANSACTIONEND@213"), entries(second),
                "after the outstanding batch, not again from the acknowledged point");
        s.ack(first.id());
        s.ack(second.id());
        assertEquals(new Point(FILE, 240, 0), s.acked());
        clients.budget().release(first.counted() + second.counted());
    }
}
