package dev.binlogrelay.server.it;

import com.alibaba.otter.canal.client.CanalConnector;
import com.alibaba.otter.canal.client.CanalConnectors;
import com.alibaba.otter.canal.instance.manager.CanalInstanceWithManager;
import com.alibaba.otter.canal.instance.manager.model.Canal;
import com.alibaba.otter.canal.instance.manager.model.CanalParameter;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.Message;
import com.alibaba.otter.canal.server.embedded.CanalServerWithEmbedded;
import com.alibaba.otter.canal.server.netty.CanalServerWithNetty;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13: batch ids, acks and rollbacks side by side with a real Canal server. One live MariaDB 10.11 primary;
 * a real canal.server 1.1.7 in-process behind its Netty front end ({@link CanalServerWithNetty}, instance from
 * {@link CanalOracle#instance}, ITEMSIZE batches) and a relay with a {@code canal:} section both read it; one stock
 * canal.client 1.1.8 on each goes through the same sequence of calls ({@link #script}), the workload written once
 * between steps. What each client observes (batch ids, entries by position, exceptions and their messages) is
 * written as a transcript line per step; the two transcripts must be equal except where docs/canal.md lists a
 * difference on purpose, which is asserted as such.
 */
@Tag("canal")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CanalSideBySideIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DESTINATION = "example";

    Path tmp;
    MariaDbServer primary;
    Relay relay;
    CanalServerWithEmbedded embedded;
    CanalServerWithNetty netty;
    int canalPort;
    final AtomicInteger ids = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        tmp = Files.createTempDirectory("canal-side-by-side");
        primary = MariaDbLine.MARIADB_10_11.builder().name("primary").serverId(1).extraArg("--binlog-format=ROW").start();
        CanalOracle.createUser(primary);
        primary.execute("CREATE DATABASE d", "CREATE TABLE d.a (id INT PRIMARY KEY)", "CREATE TABLE d.b (id INT PRIMARY KEY)");
        RelayConfig config = RelayHarness.config(primary, tmp.resolve("relay"), 9641, "earliest");
        config.canal = new RelayConfig.Canal();
        config.canal.listen = "127.0.0.1:0";
        RelayConfig.CanalDestination d = new RelayConfig.CanalDestination();
        d.name = DESTINATION;
        config.canal.destinations = List.of(d);
        relay = Relay.start(config);
        RelayHarness.awaitStreaming(relay, WAIT);
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        BinlogPosition from = RelayHarness.masterStatus(primary);
        Canal canal = CanalOracle.instance(primary, DESTINATION, 4331L, from.file(), from.position(),
                CanalParameter.BatchMode.ITEMSIZE);
        embedded = new CanalServerWithEmbedded();
        embedded.setCanalInstanceGenerator(dest -> new CanalInstanceWithManager(canal, ""));
        embedded.start();
        embedded.start(DESTINATION);
        try (ServerSocket s = new ServerSocket(0)) {
            canalPort = s.getLocalPort();
        }
        netty = CanalServerWithNetty.instance();
        netty.setEmbeddedServer(embedded);
        netty.setIp("127.0.0.1");
        netty.setPort(canalPort);
        netty.start();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (netty != null) {
                netty.stop();
            }
            if (embedded != null && embedded.isStart()) { // the Netty front end's stop stops it too
                embedded.stop();
            }
        } finally {
            RelayHarness.closeAll(relay, primary);
            if (tmp != null) {
                try (var files = Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    /** One side: its client and the transcript of what it observed. */
    static final class Side {
        final String name;
        final int port;
        CanalConnector client;
        final List<String> log = new ArrayList<>();

        Side(String name, int port) {
            this.name = name;
            this.port = port;
        }

        void connect() {
            client = CanalConnectors.newSingleConnector(new InetSocketAddress("127.0.0.1", port), DESTINATION, "canal", "canalpw");
            client.connect();
        }

        /** Runs a call and writes what it gave (or threw) as the step's line. */
        Object record(String step, Callable<Object> call) {
            Object result;
            String line;
            try {
                result = call.call();
                line = describe(result);
            } catch (Exception e) {
                result = e;
                line = e.getClass().getSimpleName() + ": " + rootMessage(e);
            }
            log.add(step + " -> " + line);
            return result;
        }
    }

    static String rootMessage(Throwable e) {
        String m = e.getMessage();
        return m == null ? "" : m.replaceAll("\\s+", " ").trim();
    }

    static String describe(Object o) {
        if (o instanceof Message m) {
            List<String> entries = new ArrayList<>();
            for (CanalEntry.Entry e : m.getEntries()) {
                CanalEntry.Header h = e.getHeader();
                entries.add(switch (e.getEntryType()) {
                    case ROWDATA -> h.getEventType() + " " + h.getTableName() + "@" + h.getLogfileOffset();
                    default -> e.getEntryType() + "@" + h.getLogfileOffset();
                });
            }
            return "batch " + m.getId() + " " + entries;
        }
        return o == null ? "ok" : o.toString();
    }

    /**
     * A one-row insert into d.{@code table} per given table, each its own transaction; waits for the relay to store
     * them and for Canal to have parsed them (its event store holds an entry of the last transaction: Canal's parser
     * hands a transaction to its store whole).
     */
    private void write(String... tables) throws Exception {
        BinlogPosition lastStart = null;
        for (String t : tables) {
            lastStart = RelayHarness.masterStatus(primary);
            primary.execute("INSERT INTO d." + t + " VALUES (" + ids.incrementAndGet() + ")");
        }
        RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            var p = embedded.getCanalInstances().get(DESTINATION).getEventStore().getLatestPosition();
            if (p instanceof com.alibaba.otter.canal.protocol.position.LogPosition lp && lp.getPostion() != null
                    && lp.getPostion().getJournalName().equals(lastStart.file())
                    && lp.getPostion().getPosition() > lastStart.position()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "Canal did not parse past " + lastStart + " within " + WAIT + ": " + p);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
    }

    private static long id(Object message) {
        return message instanceof Message m ? m.getId() : -2;
    }

    /** The same sequence on both sides, step by step (Canal's first), writes in between done once. */
    private void script(Side canal, Side ours) throws Exception {
        List<Side> both = List.of(canal, ours);
        for (Side s : both) {
            s.connect();
            s.record("subscribe()", () -> {
                s.client.subscribe();
                return null;
            });
            s.record("rollback()", () -> {
                s.client.rollback();
                return null;
            });
        }
        write("a", "a", "a", "a", "a", "a");
        for (Side s : both) {
            Object g1 = s.record("get 3 #1", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("get 3 #2", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            Object g3 = s.record("get 3 #3", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("ack #1", () -> {
                s.client.ack(id(g1));
                return null;
            });
            s.record("ack #3 (out of order)", () -> {
                s.client.ack(id(g3));
                return null;
            });
            s.record("get 3 after the bad ack", () -> s.client.getWithoutAck(3, 2L, TimeUnit.SECONDS));
            s.record("get 3 once more", () -> s.client.getWithoutAck(3, 2L, TimeUnit.SECONDS));
            s.record("get 3 a third time", () -> s.client.getWithoutAck(3, 2L, TimeUnit.SECONDS));
        }
        for (Side s : both) {
            reconnect(s, "reconnect after the errors");
            Object h1 = s.record("get 3 #h1", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            Object h2 = s.record("get 3 #h2", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("rollback(#h2) (not the oldest)", () -> {
                s.client.rollback(id(h2));
                return null;
            });
            s.record("get 3 after the bad rollback", () -> s.client.getWithoutAck(3, 2L, TimeUnit.SECONDS));
            reconnect(s, "reconnect after the bad rollback");
            Object h3 = s.record("get 3 #h3", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("get 3 #h4", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("rollback(#h3)", () -> {
                s.client.rollback(id(h3));
                return null;
            });
            s.record("get 3 after rollback(#h3)", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("get 3 #h5", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("rollback() all", () -> {
                s.client.rollback();
                return null;
            });
            s.record("get 3 after rollback()", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.client.disconnect();
            s.connect();
            s.record("reconnect without ack: subscribe()", () -> {
                s.client.subscribe();
                return null;
            });
            Object again = s.record("get 3 after the reconnect", () -> s.client.getWithoutAck(3, 5L, TimeUnit.SECONDS));
            s.record("ack it", () -> {
                s.client.ack(id(again));
                return null;
            });
            drain(s, "drain");
            s.record("get 5 with 500 ms on an empty stream", () -> {
                long t0 = System.nanoTime();
                Message m = s.client.getWithoutAck(5, 500L, TimeUnit.MILLISECONDS);
                return describe(m) + (System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(500) ? " after the timeout" : " early");
            });
            s.record("ack 9999 (unknown)", () -> {
                s.client.ack(9999);
                return null;
            });
            s.record("get 5 after the unknown ack", () -> s.client.getWithoutAck(5, 500L, TimeUnit.MILLISECONDS));
            s.record("get 5 once more", () -> s.client.getWithoutAck(5, 500L, TimeUnit.MILLISECONDS));
            reconnect(s, "reconnect after the unknown ack");
            s.record("subscribe(d\\.a)", () -> {
                s.client.subscribe("d\\.a");
                return null;
            });
        }
        write("a", "b");
        for (Side s : both) {
            drain(s, "after subscribe(d\\.a), a and b written");
            s.record("subscribe(d\\.b)", () -> {
                s.client.subscribe("d\\.b");
                return null;
            });
        }
        write("a", "b");
        for (Side s : both) {
            drain(s, "after subscribe(d\\.b), a and b written");
            s.record("subscribe(d\\.a) again", () -> {
                s.client.subscribe("d\\.a");
                return null;
            });
        }
        write("a", "b");
        for (Side s : both) {
            s.record("subscribe(d\\.b) with a and b written and not read", () -> {
                s.client.subscribe("d\\.b");
                return null;
            });
            drain(s, "after the filter changed over unread rows");
            s.client.disconnect();
        }
    }

    private static void reconnect(Side s, String step) {
        s.client.disconnect();
        s.connect();
        s.record(step + ": subscribe(), rollback()", () -> {
            s.client.subscribe();
            s.client.rollback();
            return null;
        });
    }

    /** Gets (100 entries, 1 s) and acks until a get finds nothing; one line with every batch. */
    private static void drain(Side s, String step) {
        s.record(step, () -> {
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Message m = s.client.getWithoutAck(100, 1L, TimeUnit.SECONDS);
                got.add(describe(m));
                if (m.getId() == -1) {
                    return got;
                }
                s.client.ack(m.getId());
            }
            return got;
        });
    }

    /**
     * The two transcripts, equal but for what docs/canal.md lists ("Side by side with Canal's server"):
     * <ul>
     *   <li>a refused ack or rollback: Canal's server writes the error at once, the client reads it as the answer
     *       to its next get and that get's batch as the answer to the get after; Canal has carried out the get the
     *       error answered, so it handed out one batch id more than the relay (which does not carry out a request
     *       it answers with the error). The entries each call returns are the same; the ids differ by the number
     *       of such gets (1 after the bad ack, 2 after the bad rollback; after the ack of an unknown id the stream
     *       was empty, so no id);</li>
     *   <li>the error text: Canal's netty front end wraps the message ("something goes wrong with channel:[...],
     *       exception=...CanalMetaManagerException: "); the relay sends the message alone;</li>
     *   <li>Canal's sink drops the TRANSACTIONEND of a transaction whose rows the filter took out when it passed
     *       one less than 5 s before (its empty-transaction filter); the relay always gives it;</li>
     *   <li>a new filter over rows written but not yet read: Canal filters when it parses, so the rows it parsed
     *       before the new subscription keep the old filter; the relay filters when it reads, so the new filter
     *       applies from the client's position on.</li>
     * </ul>
     */
    @Test
    void theSameCallsGiveTheSameBatchesAndErrors() throws Exception {
        Side canal = new Side("canal", canalPort);
        Side ours = new Side("relay", relay.canalPort());
        script(canal, ours);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.max(canal.log.size(), ours.log.size()); i++) {
            b.append(i < canal.log.size() ? canal.log.get(i) : "-").append('\n')
                    .append(i < ours.log.size() ? ours.log.get(i) : "-").append("\n\n");
        }
        System.out.println(b);
        assertEquals(canal.log.size(), ours.log.size());
        for (Side s : List.of(canal, ours)) {
            long last = 0;
            for (String line : s.log) {
                for (long id : batchIds(line)) {
                    assertTrue(id > last, s.name + ": batch ids only grow (no restart after a rollback or a reconnect): " + line);
                    last = id;
                }
            }
        }
        int offset = 0;
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < canal.log.size(); i++) {
            String step = ours.log.get(i).substring(0, ours.log.get(i).indexOf(" -> "));
            if (step.startsWith("reconnect after the errors") || step.startsWith("reconnect after the bad rollback")) {
                offset++;
            }
            expected.add(withoutEmptyTransactionEnds(canal.log.get(i).replaceAll(
                    "something goes wrong with channel:\\[[^\\]]*\\], exception=[\\w.]+: ", "")));
            actual.add(withoutEmptyTransactionEnds(shiftIds(ours.log.get(i), offset)));
        }
        int changed = expected.size() - 1;
        assertTrue(expected.get(changed).startsWith("after the filter changed over unread rows -> ")
                && expected.get(changed).contains("INSERT a@") && !expected.get(changed).contains("INSERT b@"),
                "Canal: rows parsed before the new subscription keep the old filter: " + expected.get(changed));
        assertTrue(actual.get(changed).contains("INSERT b@") && !actual.get(changed).contains("INSERT a@"),
                "the relay: the new filter from the client's position on: " + actual.get(changed));
        assertEquals(String.join("\n", expected.subList(0, changed)), String.join("\n", actual.subList(0, changed)));
        assertTrue(canal.log.stream().anyMatch(l -> l.contains("exception=com.alibaba.otter.canal.meta.exception."
                + "CanalMetaManagerException: batchId:")), "Canal's wrapped message");
        assertTrue(ours.log.get(ours.log.size() - 1).matches(".*QUERY @\\d+, TRANSACTIONEND@\\d+, QUERY .*"),
                "the relay gives the end of the transaction the filter emptied: " + ours.log.get(ours.log.size() - 1));
    }

    private static List<Long> batchIds(String line) {
        List<Long> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("batch (\\d+)").matcher(line);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** The relay's batch ids (in batches and in "not the firstly" errors) shifted by {@code offset}. */
    private static String shiftIds(String line, int offset) {
        String batches = java.util.regex.Pattern.compile("batch (\\d+)").matcher(line)
                .replaceAll(r -> "batch " + (Long.parseLong(r.group(1)) + offset));
        return java.util.regex.Pattern.compile("batchId:(\\d+) is not the firstly:(\\d+)").matcher(batches)
                .replaceAll(r -> "batchId:" + (Long.parseLong(r.group(1)) + offset) + " is not the firstly:"
                        + (Long.parseLong(r.group(2)) + offset));
    }

    /** A transaction with no row entry (its rows filtered out): its TRANSACTIONEND left out, on either side. */
    private static String withoutEmptyTransactionEnds(String line) {
        return line.replaceAll("(QUERY @\\d+), TRANSACTIONEND@\\d+", "$1");
    }
}
