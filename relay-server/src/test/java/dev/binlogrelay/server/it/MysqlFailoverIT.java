package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.BinlogFile;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.GroupTracker;
import dev.binlogrelay.core.binlog.MysqlGtidEvent;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.importer.BinlogImporter;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static dev.binlogrelay.server.it.DownstreamAuthIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11's failover on the MySQL flavor, against relays presenting MySQL (there is no mysqld here): relays A1 and
 * A2 serve the same recorded MySQL 8.0 binlog with GTIDs, A1 its first two transactions and A2 all five, each with
 * its own server_id; relay B has {@code upstream.hosts: [A1, A2]}. A1 goes away: B takes A2 for the primary, resumes
 * there by its GTID set, and continues in its own next file with its own positions (log_pos and CRC32 rewritten),
 * holding every transaction once. Then A2 goes away and a relay A3 that lacks B's last transactions answers at A1's
 * address: B refuses it, naming the missing GTIDs, and keeps serving what it holds.
 */
class MysqlFailoverIT {
    private static final String FIXTURE = "blackbeam-rust_mysql_common/mysql-enum-string-set.000001"; // MySQL 8.0.28, 5 GTIDs
    private static final String FILE = "binlog.000001";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private final List<Relay> relays = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = relays.size() - 1; i >= 0; i--) {
            relays.get(i).close();
        }
    }

    /** A relay presenting what {@code file} holds (imported), on {@code port} (0: any), with an admin user "chain". */
    private Relay source(String name, long serverId, byte[] file, int port) throws Exception {
        Path data = tmp.resolve(name);
        Path copy = Files.createDirectories(tmp.resolve(name + "-file")).resolve(FILE);
        Files.write(copy, file);
        try (BinlogStore store = BinlogStore.open(data, dev.binlogrelay.storage.StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(copy);
        }
        RelayConfig c = RelayHarnessAccess.config(data);
        c.serverId = serverId;
        c.downstream.listen = "127.0.0.1:" + port;
        RelayConfig.User chain = user("chain", "chain-pw", null, "mysql_native_password", false);
        chain.role = "admin"; // the primary check reads SHOW REPLICA STATUS, as on a server (REPLICATION CLIENT)
        c.downstream.users = List.of(user(RelayHarness.USER, RelayHarness.PASSWORD, null, null, false), chain);
        Relay r = Relay.start(c);
        relays.add(r);
        return r;
    }

    private void stop(Relay r) {
        relays.remove(r);
        r.close();
    }

    @Test
    void relayBFollowsAFailoverByGtidSetIntoItsOwnFileAndRefusesAFork() throws Exception {
        byte[] whole = Files.readAllBytes(Fixtures.file(FIXTURE));
        BinlogFile parsed = BinlogFile.parse(FILE, whole);
        List<List<byte[]>> groups = groups(parsed);
        String uuid = MysqlGtidEvent.gtid(groups.get(2).get(0), parsed.checksum()).orElseThrow().tsid().uuid().toString();
        byte[] firstTwo = prefix(groups, 4); // format description, PREVIOUS_GTIDS, two transactions

        Relay a1 = source("a1", 9101, firstTwo, 0);
        Relay a2 = source("a2", 9102, whole, 0);
        int a1Port = a1.port();
        RelayConfig bc = RelayHarness.config(null, tmp.resolve("b"), 9401, null);
        bc.upstream = new RelayConfig.Upstream();
        bc.upstream.hosts = List.of("127.0.0.1:" + a1Port, "127.0.0.1:" + a2.port());
        bc.upstream.user = "chain";
        bc.upstream.password = "chain-pw";
        bc.upstream.start = "earliest";
        bc.upstream.heartbeatPeriod = 1.0;
        bc.upstream.reconnectMinMs = 50L;
        bc.upstream.reconnectMaxMs = 500L;
        Relay b = Relay.start(bc);
        relays.add(b);
        await(() -> (uuid + ":1-2").equals(b.store().state().mysqlExecuted().toString()), "B holds A1's two transactions", b);
        assertEquals(List.of(FILE), names(b), "A1's coordinates so far");

        long failedAt = System.nanoTime();
        stop(a1);
        await(() -> (uuid + ":1-5").equals(b.store().state().mysqlExecuted().toString()), "B holds all five after the failover", b);
        System.out.printf("MYSQL-FAILOVER-TIME %d ms (A1 stopped -> B stored A2's last transaction)%n",
                (System.nanoTime() - failedAt) / 1_000_000);
        assertEquals(List.of(FILE, "binlog.000002"), names(b), "B continues in its own next file");
        assertTrue(b.upstream().candidates().failovers() >= 1, "a failover is counted");

        // B's own file: a format description and its own preamble, then transactions 3-5, each event at B's offsets
        List<byte[]> first = events(b, FILE);
        byte[] rotate = first.get(first.size() - 1);
        assertEquals(EventType.ROTATE, Events.type(rotate), "the old file ends with B's rotate");
        long at = 4;
        int gtids = 0;
        for (byte[] e : events(b, "binlog.000002")) {
            at += e.length;
            assertEquals(at, Events.logPos(e), "log_pos rewritten to B's offsets");
            assertTrue(Events.crcMatches(e), "CRC32 recomputed");
            if (MysqlGtidEvent.gtid(e, parsed.checksum()).isPresent()) {
                gtids++;
            }
        }
        assertEquals(3, gtids, "transactions 3-5, once each");

        // A2 goes; at A1's address answers A3, which has only the first two: B must not ingest from it
        Relay a3 = source("a3", 9103, firstTwo, a1Port);
        stop(a2);
        await(() -> b.upstream().candidates().forkRefusals() >= 1, "B refuses A3", b);
        String refusal = b.upstream().candidates().forkRefusal();
        assertTrue(refusal.contains(uuid + ":3-5"), "the missing GTIDs are named: " + refusal);
        assertEquals(uuid + ":1-5", b.store().state().mysqlExecuted().toString(), "nothing of A3 was stored");
        assertTrue(a3.port() == a1Port);

        // B still serves everything it holds, from its own file by file and position and from a GTID set
        List<String> served = RelayHarnessAccess.connectorEvents(b.port(), "binlog.000002", 4);
        assertTrue(served.stream().filter(s -> s.contains("GTID")).count() >= 3, "B serves its own file: " + served);
        List<String> byGtid = RelayHarnessAccess.connectorEvents(b.port(), "", 4, uuid + ":1-4");
        assertTrue(byGtid.stream().anyMatch(s -> s.contains("GTID")), "B serves by GTID set: " + byGtid);
    }

    private static List<List<byte[]>> groups(BinlogFile parsed) {
        List<List<byte[]>> groups = new ArrayList<>();
        GroupTracker tracker = new GroupTracker();
        List<byte[]> current = new ArrayList<>();
        for (byte[] e : parsed.events()) {
            current.add(e);
            if ((tracker.classify(e, parsed.checksum()) & GroupTracker.END) != 0) {
                groups.add(current);
                current = new ArrayList<>();
            }
        }
        return groups;
    }

    private static byte[] prefix(List<List<byte[]>> groups, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BinlogFile.MAGIC);
        groups.subList(0, count).forEach(g -> g.forEach(out::writeBytes));
        return out.toByteArray();
    }

    private static List<String> names(Relay r) {
        return r.store().files().stream().map(BinlogFileInfo::name).toList();
    }

    private static List<byte[]> events(Relay r, String file) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (BinlogCursor c = r.store().openCursor(file, 4)) {
            for (StoredEvent e; (e = c.next()) != null && e.file().equals(file); ) {
                out.add(e.bytes());
            }
        }
        return out;
    }

    private static void await(BooleanSupplier done, String what, Relay b) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " within " + WAIT + "; B holds " + b.store().state().mysqlExecuted() + ", its upstream: "
                        + b.upstream().lastError());
            }
            b.store().committedEnd().ifPresentOrElse(end -> {
                try {
                    b.store().awaitCommitBeyond(end, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, () -> java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L));
        }
    }
}
