package dev.binlogrelay.server.it;

import com.alibaba.otter.canal.client.CanalConnector;
import com.alibaba.otter.canal.client.CanalConnectors;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.Message;
import com.alibaba.otter.canal.protocol.exception.CanalClientException;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 points 3-5 with the stock Canal client (com.alibaba.otter:canal.client 1.1.8, unchanged) against a relay in
 * front of a live MariaDB primary: login, subscribe, getWithoutAck/ack, rollback of one batch and of all, reconnect
 * (unacknowledged batches come again), two clients at their own pace, a relay restart resuming after the last ack
 * (inside a transaction too), and Canal's errors for a wrong password, an unknown destination and batch ids that are
 * not outstanding. The entries are the transaction begin/end entries every entry stream emits.
 */
class CanalClientIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger ROWS = new AtomicInteger();
    private static final int MANY = 8;

    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    private static final AtomicInteger RELAYS = new AtomicInteger();
    private Relay relay;
    private final List<CanalConnector> connectors = new ArrayList<>();

    @BeforeAll
    static void start() {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        primary.execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY, v TEXT)");
    }

    @AfterAll
    static void stop() {
        if (primary != null) {
            primary.close();
        }
    }

    @AfterEach
    void closeRelay() {
        for (CanalConnector c : connectors) {
            try {
                c.disconnect();
            } catch (RuntimeException ignored) {
                // already closed by the test
            }
        }
        if (relay != null) {
            relay.close();
        }
    }

    private static RelayConfig config(Path dataDir) {
        RelayConfig c = RelayHarness.config(primary, dataDir, 9400 + RELAYS.incrementAndGet(), "earliest");
        c.canal = new RelayConfig.Canal();
        c.canal.listen = "127.0.0.1:0";
        RelayConfig.CanalDestination example = new RelayConfig.CanalDestination();
        example.name = "example";
        example.filter = "shop\\..*";
        RelayConfig.CanalDestination audit = new RelayConfig.CanalDestination();
        audit.name = "audit";
        List<RelayConfig.CanalDestination> all = new ArrayList<>(List.of(example, audit));
        for (int i = 1; i <= MANY; i++) {
            RelayConfig.CanalDestination d = new RelayConfig.CanalDestination();
            d.name = "app" + i;
            all.add(d);
        }
        c.canal.destinations = all;
        RelayConfig.CanalUser user = new RelayConfig.CanalUser();
        user.user = "canal";
        user.password = "canalpw";
        c.canal.users = List.of(user);
        return c;
    }

    private Relay startRelay(Path dataDir) throws Exception {
        return startRelay(config(dataDir));
    }

    private Relay startRelay(RelayConfig config) throws Exception {
        relay = Relay.start(config);
        RelayHarness.awaitStreaming(relay, WAIT);
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        return relay;
    }

    private CanalConnector connect(String destination, String password) {
        CanalConnector c = CanalConnectors.newSingleConnector(new InetSocketAddress("127.0.0.1", relay.canalPort()),
                destination, "canal", password);
        connectors.add(c);
        c.connect();
        return c;
    }

    /** The stock client's usual start: connect (which rolls back), subscribe with no filter of its own, rollback. */
    private CanalConnector subscribed(String destination) {
        CanalConnector c = connect(destination, "canalpw");
        c.subscribe();
        c.rollback();
        return c;
    }

    /** {@code n} one-row transactions on the primary, then waits for the relay to store them. */
    private void transactions(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            int id = ROWS.incrementAndGet();
            primary.execute("INSERT INTO shop.t VALUES (" + id + ", 'row " + id + "')");
        }
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
    }

    private static List<String> entries(Message m) {
        return m.getEntries().stream().map(e -> e.getEntryType() + " " + e.getHeader().getLogfileName() + ":"
                + e.getHeader().getLogfileOffset()).toList();
    }

    /** Gets batches of at most {@code size} until {@code count} entries came; each batch left unacknowledged. */
    private static List<Message> batches(CanalConnector c, int size, int count) {
        List<Message> out = new ArrayList<>();
        int got = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got < count) {
            Message m = c.getWithoutAck(Math.min(size, count - got), 200L, TimeUnit.MILLISECONDS);
            if (m.getId() != -1) {
                out.add(m);
                got += m.getEntries().size();
            }
            assertTrue(System.nanoTime() < deadline, "only " + got + " of " + count + " entries within " + WAIT);
        }
        return out;
    }

    private static List<String> all(List<Message> ms) {
        return ms.stream().flatMap(m -> entries(m).stream()).toList();
    }

    /** How many entries one of {@link #transactions}' transactions gives (the entry stream decides), probed and acknowledged. */
    private int perTransaction(CanalConnector c) throws Exception {
        transactions(1);
        return drainOneTransaction(c);
    }

    /** Reads and acknowledges entries up to the next TRANSACTIONEND; their number. */
    private static int drainOneTransaction(CanalConnector c) {
        int n = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Message m = c.getWithoutAck(1, 200L, TimeUnit.MILLISECONDS);
            if (m.getId() != -1) {
                n++;
                c.ack(m.getId());
                if (m.getEntries().get(0).getEntryType() == CanalEntry.EntryType.TRANSACTIONEND) {
                    return n;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no TRANSACTIONEND within " + WAIT);
        }
    }

    private static long ends(List<String> entries) {
        return entries.stream().filter(e -> e.startsWith("TRANSACTIONEND ")).count();
    }

    @Test
    void getAckAndRollbackOfOneBatchOrAll() throws Exception {
        startRelay(tmp.resolve("basic"));
        CanalConnector c = subscribed("example");
        assertEquals(-1, c.getWithoutAck(10).getId(), "nothing new since the subscription");
        int k = perTransaction(c);
        transactions(3);
        Message first = c.getWithoutAck(k + 1);
        Message second = c.getWithoutAck(100);
        assertEquals(k + 1, first.getEntries().size());
        assertEquals(2 * k - 1, second.getEntries().size());
        assertEquals(first.getId() + 1, second.getId());
        List<String> all = new ArrayList<>(entries(first));
        all.addAll(entries(second));
        assertEquals(3, ends(all), all.toString());
        CanalEntry.Header h = first.getEntries().stream().filter(e -> e.getEntryType() == CanalEntry.EntryType.TRANSACTIONEND)
                .findFirst().orElseThrow().getHeader();
        assertTrue(h.getLogfileName().startsWith(primary.binlogFiles().get(0).replaceAll("\\d+$", "")), h.toString());
        assertTrue(h.getEventLength() > 0 && h.getExecuteTime() > 0 && h.getServerId() == 1, h.toString());

        c.rollback(second.getId()); // not the oldest outstanding: Canal's error, on the next read
        CanalClientException e = assertThrows(CanalClientException.class, () -> c.getWithoutAck(10));
        assertTrue(e.getMessage().contains("batchId:" + second.getId() + " is not the firstly:" + first.getId()), e.getMessage());

        c.rollback(first.getId()); // the oldest: it and every later one come again
        Message again = c.getWithoutAck(100);
        assertEquals(all, entries(again));
        assertTrue(again.getId() > second.getId(), "a new batch id");
        c.ack(again.getId());
        assertEquals(-1, c.getWithoutAck(100).getId());
        c.ack(-1); // what the client sends after an empty batch

        c.ack(again.getId()); // twice: not outstanding any more
        e = assertThrows(CanalClientException.class, () -> c.getWithoutAck(10));
        assertTrue(e.getMessage().contains("ack error , clientId:1001 batchId:" + again.getId() + " is not exist"), e.getMessage());

        transactions(1);
        Message next = c.getWithoutAck(100);
        assertEquals(k, next.getEntries().size());
        c.rollback();
        assertEquals(entries(next), entries(c.getWithoutAck(100)), "rollback of all");

        // the metrics count what was handed out: the probe's k one-entry batches, then first, second, again, next and
        // next once more after the rollback (k + 1, 2k - 1, 3k, k and k entries)
        assertEquals(k + 5, metric("binlog_relay_canal_batches"));
        assertEquals(9 * k, metric("binlog_relay_canal_entries"));
        assertEquals(1, metric("binlog_relay_canal_connections"));
        assertEquals(1, metric("binlog_relay_canal_clients"));
        assertEquals(0, metric("binlog_relay_canal_write_timeouts"), "a client that reads is never closed for it");
    }

    /** A counter's or gauge's value as the relay's /metrics shows it (a counter's name without _total). */
    private double metric(String name) {
        for (var snapshot : relay.metrics().registry().scrape()) {
            if (snapshot.getMetadata().getName().equals(name)) {
                var point = snapshot.getDataPoints().get(0);
                if (point instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot v) {
                    return v.getValue();
                }
                return ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void unacknowledgedBatchesComeAgainAfterAReconnectAcknowledgedOnesNever() throws Exception {
        startRelay(tmp.resolve("reconnect"));
        CanalConnector c = subscribed("example");
        int k = perTransaction(c);
        transactions(2);
        Message m = c.getWithoutAck(100);
        assertEquals(2 * k, m.getEntries().size());
        c.disconnect();

        CanalConnector again = subscribed("example");
        Message m2 = again.getWithoutAck(100);
        assertEquals(entries(m), entries(m2), "not acknowledged: the same entries");
        again.ack(m2.getId());
        again.disconnect();

        CanalConnector third = subscribed("example");
        assertEquals(-1, third.getWithoutAck(100).getId(), "acknowledged: never again");
        transactions(1);
        assertEquals(k, third.getWithoutAck(100).getEntries().size());
    }

    @Test
    void twoClientsEachAtItsOwnPace() throws Exception {
        startRelay(tmp.resolve("pace"));
        CanalConnector fast = subscribed("example");
        CanalConnector slow = subscribed("audit");
        int k = perTransaction(fast);
        assertEquals(k, drainOneTransaction(slow), "the same entries for both (the filter lets shop.t through)");
        transactions(3);
        Message slowFirst = slow.getWithoutAck(2);
        assertEquals(2, slowFirst.getEntries().size());
        for (int round = 0; round < 3; round++) {
            List<Message> got = batches(fast, 100, 3 * k);
            assertEquals(3, ends(all(got)));
            got.forEach(m -> fast.ack(m.getId()));
            transactions(3);
        }
        List<Message> rest = batches(fast, 100, 3 * k);
        assertEquals(3, ends(all(rest)), "the fast client is never held back by the slow one");
        // the slow client is where it stopped: the rest of the first three transactions, then the nine others
        List<Message> slowRest = batches(slow, 1000, 12 * k - 2);
        List<String> slowAll = new ArrayList<>(entries(slowFirst));
        slowAll.addAll(all(slowRest));
        assertEquals(12, ends(slowAll));
        assertEquals(slowAll.subList(slowAll.size() - 3 * k, slowAll.size()), all(rest), "the same last three transactions");
    }

    @Test
    void aRelayRestartResumesEveryClientAfterItsLastAck() throws Exception {
        Path dir = tmp.resolve("restart");
        startRelay(dir);
        CanalConnector c = subscribed("example");
        int k = perTransaction(c);
        transactions(3);
        List<Message> got = batches(c, k + 1, 3 * k); // the first batch ends inside the second transaction
        c.ack(got.get(0).getId());
        assertEquals(-1, c.getWithoutAck(100, 300L, TimeUnit.MILLISECONDS).getId(), "the ack is applied before the next get");
        c.disconnect();
        relay.close();
        relay = null;

        startRelay(dir);
        CanalConnector after = subscribed("example");
        List<String> expected = all(got.subList(1, got.size()));
        List<Message> resumed = batches(after, 100, expected.size());
        assertEquals(expected, all(resumed), "exactly what was not acknowledged, from inside a transaction");
        resumed.forEach(m -> after.ack(m.getId()));
        transactions(1);
        assertEquals(k, after.getWithoutAck(100).getEntries().size());
    }

    @Test
    void aWrongPasswordAndAnUnknownDestinationGetCanalsErrors() throws Exception {
        startRelay(tmp.resolve("errors"));
        CanalClientException e = assertThrows(CanalClientException.class, () -> connect("example", "wrong"));
        assertTrue(e.getMessage().contains("auth failed for user:canal"), e.getMessage());

        CanalConnector c = connect("nope", "canalpw");
        e = assertThrows(CanalClientException.class, c::subscribe);
        assertTrue(e.getMessage().contains("failed to subscribe with reason: destination:nope should start first"), e.getMessage());

        CanalConnector ok = subscribed("example"); // the relay serves on
        assertTrue(perTransaction(ok) > 0);
    }

    @Test
    void aGetWithATimeoutWaitsForEntriesAndAnswersWhenTheBatchIsFull() throws Exception {
        startRelay(tmp.resolve("timeout"));
        CanalConnector c = subscribed("example");
        int k = perTransaction(c);
        long started = System.nanoTime();
        assertEquals(-1, c.getWithoutAck(10, 300L, TimeUnit.MILLISECONDS).getId());
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(300), "waited for the timeout");
        var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            // a full batch (one transaction) ends the wait long before the 30 s timeout
            var get = pool.submit(() -> c.getWithoutAck(k, 30L, TimeUnit.SECONDS));
            transactions(1);
            Message m = get.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(k, m.getEntries().size());
            c.ack(m.getId());
            // timeout 0: block until the batch is full (two transactions)
            var blocking = pool.submit(() -> c.getWithoutAck(2 * k, 0L, TimeUnit.MILLISECONDS));
            transactions(1);
            assertTrue(!blocking.isDone() || blocking.get().getEntries().size() == 2 * k, "not answered with half a batch");
            transactions(1);
            assertEquals(2 * k, blocking.get(WAIT.toSeconds(), TimeUnit.SECONDS).getEntries().size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Entries up to the second TRANSACTIONEND, acknowledged. */
    private static List<CanalEntry.Entry> twoTransactions(CanalConnector c) {
        List<CanalEntry.Entry> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.stream().filter(e -> e.getEntryType() == CanalEntry.EntryType.TRANSACTIONEND).count() < 2) {
            Message m = c.getWithoutAck(100, 200L, TimeUnit.MILLISECONDS);
            got.addAll(m.getEntries());
            if (m.getId() != -1) {
                c.ack(m.getId());
            }
            assertTrue(System.nanoTime() < deadline, "two transactions' ends within " + WAIT + ": " + got);
        }
        return got;
    }

    @Test
    void aClientsFilterReplacesTheDestinationsForThatClient() throws Exception {
        startRelay(tmp.resolve("filter"));
        CanalConnector c = connect("example", "canalpw");
        c.subscribe("crm\\..*");
        CanalConnector unfiltered = subscribed("audit");
        transactions(2);
        List<CanalEntry.Entry> got = twoTransactions(c);
        assertTrue(got.stream().noneMatch(e -> e.getHeader().getSchemaName().equals("shop") && !e.getHeader().getTableName().isEmpty()),
                "shop.t's rows are filtered out for this client: " + got);
        List<CanalEntry.Entry> all = twoTransactions(unfiltered);
        assertEquals(2, all.stream().filter(e -> e.getEntryType() == CanalEntry.EntryType.ROWDATA
                && e.getHeader().getTableName().equals("t")).count(), "the unfiltered client has shop.t's rows: " + all);
        assertEquals("crm\\..*", relay.store().canalCursors().get("example", "1001").orElseThrow().filter());
    }

    @Test
    void manyClientsAtOnceEachGetEveryTransaction() throws Exception {
        startRelay(tmp.resolve("many"));
        List<CanalConnector> clients = new ArrayList<>();
        for (int i = 1; i <= MANY; i++) {
            clients.add(subscribed("app" + i));
        }
        int k = perTransaction(clients.get(0));
        for (CanalConnector c : clients.subList(1, MANY)) {
            assertEquals(k, drainOneTransaction(c));
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(MANY);
        try {
            List<java.util.concurrent.Future<List<String>>> reads = new ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                CanalConnector c = clients.get(i);
                int size = 1 + i; // each at its own batch size
                reads.add(pool.submit(() -> {
                    List<Message> got = batches(c, size, 20 * k);
                    got.forEach(m -> c.ack(m.getId()));
                    return all(got);
                }));
            }
            transactions(20);
            List<String> first = reads.get(0).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(20, ends(first));
            for (var r : reads) {
                assertEquals(first, r.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(MANY, relay.canal().attachedClients());
    }

    @Test
    void retentionKeepsTheFileAClientHasNotAcknowledged() throws Exception {
        RelayConfig config = config(tmp.resolve("retention"));
        config.storage.retention = new RelayConfig.Retention();
        config.storage.retention.maxBytes = "1"; // everything but the newest file goes, unless a client holds it
        config.storage.retention.checkInterval = "1h"; // checked here, by hand
        startRelay(config);
        CanalConnector c = subscribed("example");
        int k = perTransaction(c);
        String held = relay.store().canalCursors().get("example", "1001").orElseThrow().file();
        c.disconnect(); // no open reader: only the stored cursor holds the file
        for (int i = 0; i < 2; i++) {
            primary.execute("FLUSH BINARY LOGS");
            transactions(1);
        }
        relay.retention().check();
        List<String> files = relay.store().files().stream().map(f -> f.name()).toList();
        assertEquals(held, files.get(0), "the client's file stays, the ones before it go: " + files);
        assertTrue(files.size() >= 3, files.toString());

        CanalConnector again = subscribed("example");
        List<Message> got = batches(again, 100, 2 * k);
        got.forEach(m -> again.ack(m.getId()));
        again.disconnect(); // at once: the acks sent before closing still count
        String newest = files.get(files.size() - 1);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!relay.store().canalCursors().get("example", "1001").orElseThrow().file().equals(newest)) {
            assertTrue(System.nanoTime() < deadline, "the acks sent before the disconnect were not applied within " + WAIT);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        relay.retention().check();
        List<String> after = relay.store().files().stream().map(f -> f.name()).toList();
        assertEquals(1, after.size(), "acknowledged: only the newest file stays: " + after);
    }
}
