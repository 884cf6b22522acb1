package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.core.binlog.BinlogFile;
import dev.binlogrelay.core.binlog.GroupTracker;
import dev.binlogrelay.core.binlog.MysqlGtidEvent;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.importer.BinlogImporter;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.binlogrelay.server.it.DownstreamAuthIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 3, the MySQL chain: relay A serves a recorded MySQL 8.0 binlog with GTIDs (imported; no upstream),
 * relay B has relay A as its upstream. B detects the MySQL flavor from A's version, logs in with
 * caching_sha2_password over TLS (ssl_mode verify_ca), stores the same raw bytes as A, resumes after a restart
 * by its GTID set, and serves mysql-binlog-connector-java the same events as the connector's own file reader
 * gets from the recorded file, from file and position and from a GTID set.
 *
 * <p>Relay A first holds the file up to the end of its second transaction and later gets the rest (a longer
 * copy of the same file imported again), so relay B is restarted in the middle of the file.
 */
class MysqlRelayChainIT {
    private static final String FIXTURE = "blackbeam-rust_mysql_common/mysql-enum-string-set.000001"; // MySQL 8.0.28, 5 GTIDs
    private static final String FILE = "binlog.000001";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private final List<Relay> relays = new ArrayList<>();
    private TestCerts certs;
    private byte[] whole;
    private BinlogFile parsed;
    /** The file's events in the store's groups. */
    private List<List<byte[]>> groups;
    private MysqlGtidEvent.Gtid firstGtid;
    private Path full;
    private Relay relayA;

    @BeforeEach
    void setUp() throws Exception {
        whole = Files.readAllBytes(Fixtures.file(FIXTURE));
        parsed = BinlogFile.parse(FILE, whole);
        groups = new ArrayList<>();
        GroupTracker tracker = new GroupTracker();
        List<byte[]> current = new ArrayList<>();
        for (byte[] e : parsed.events()) {
            current.add(e);
            if ((tracker.classify(e, parsed.checksum()) & GroupTracker.END) != 0) {
                groups.add(current);
                current = new ArrayList<>();
            }
        }
        firstGtid = MysqlGtidEvent.gtid(groups.get(2).get(0), parsed.checksum()).orElseThrow();
        // copies under a binlog series name, in the test's own folder: the first two transactions, and the whole file
        full = Files.createDirectories(tmp.resolve("full")).resolve(FILE);
        Files.write(full, whole);
        Path part = Files.createDirectories(tmp.resolve("part")).resolve(FILE);
        Files.write(part, prefix(4)); // format description, PREVIOUS_GTIDS, two transactions
        certs = TestCerts.create(tmp.resolve("certs"));

        Path dataA = tmp.resolve("a");
        try (BinlogStore store = BinlogStore.open(dataA, dev.binlogrelay.storage.StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(part);
        }
        RelayConfig a = RelayHarnessAccess.config(dataA);
        TestCerts.Server cert = certs.server("mysql-relay-a", "IP:127.0.0.1", "DNS:localhost");
        a.downstream.tls = new RelayConfig.Tls();
        a.downstream.tls.cert = cert.cert().toString();
        a.downstream.tls.key = cert.key().toString();
        a.downstream.defaultAuthPlugin = "caching_sha2_password"; // what a MySQL 8 primary announces
        a.downstream.users = List.of(
                user(RelayHarness.USER, RelayHarness.PASSWORD, null, "mysql_native_password", false),
                user("chain", null, CachingSha2Hash.create("chain-pw").format(), "caching_sha2_password", true));
        relayA = started(a);
    }

    @AfterEach
    void tearDown() {
        for (int i = relays.size() - 1; i >= 0; i--) {
            relays.get(i).close();
        }
    }

    private Relay started(RelayConfig c) throws InterruptedException {
        Relay r = Relay.start(c);
        relays.add(r);
        return r;
    }

    private void stop(Relay r) {
        relays.remove(r);
        r.close();
    }

    /** The recorded file up to the end of group {@code groupCount - 1}. */
    private byte[] prefix(int groupCount) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0xFE, 'b', 'i', 'n'});
        groups.subList(0, groupCount).forEach(g -> g.forEach(out::writeBytes));
        return out.toByteArray();
    }

    /** A relay B reading relay A with caching_sha2_password over TLS, verifying A's certificate by the test CA. */
    private RelayConfig relayB(String name, long serverId, String start) {
        RelayConfig c = RelayHarness.config(null, tmp.resolve(name), serverId, null);
        c.upstream = new RelayConfig.Upstream();
        c.upstream.host = "127.0.0.1";
        c.upstream.port = relayA.port();
        c.upstream.user = "chain";
        c.upstream.password = "chain-pw";
        c.upstream.start = start;
        c.upstream.sslMode = "verify_ca";
        c.upstream.sslCa = certs.caPem().toString();
        c.upstream.heartbeatPeriod = 1.0;
        c.upstream.reconnectMinMs = 50L;
        c.upstream.reconnectMaxMs = 1000L;
        return c;
    }

    private static void awaitSameEnd(Relay b, Relay a) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Optional<BinlogPosition> target = a.store().committedEnd();
        while (System.nanoTime() < deadline) {
            Optional<BinlogPosition> end = b.store().committedEnd();
            if (end.equals(target)) {
                return;
            }
            if (end.isPresent()) {
                b.store().awaitCommitBeyond(end.get(), 100, TimeUnit.MILLISECONDS);
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
        }
        fail("relay B did not reach relay A's end " + target + " within " + WAIT + "; it is at " + b.store().committedEnd()
                + "; upstream error: " + b.upstream().lastError());
    }

    /** Every stored event of a relay, as "file:position hex". */
    private static List<String> stored(Relay r) throws Exception {
        List<String> out = new ArrayList<>();
        BinlogFileInfo first = r.store().files().get(0);
        try (BinlogCursor c = r.store().openCursor(first.name(), first.firstPosition())) {
            for (StoredEvent e; (e = c.next()) != null; ) {
                out.add(e.file() + ":" + e.position() + " " + HexFormat.of().formatHex(e.bytes()));
            }
        }
        return out;
    }

    /** The connector's file reader on the recorded file, without the groups of the transactions in {@code executed}. */
    private List<String> expectedWithout(MysqlGtidSet executed) throws Exception {
        List<String> all = ImportAndServeIT.fileReader(whole);
        List<String> expected = new ArrayList<>();
        int i = 0;
        for (List<byte[]> g : groups) {
            boolean skip = MysqlGtidEvent.gtid(g.get(0), parsed.checksum())
                    .map(x -> executed.contains(x.tsid(), x.gno())).orElse(false);
            for (int k = 0; k < g.size(); k++, i++) {
                if (!skip) {
                    expected.add(all.get(i));
                }
            }
        }
        return expected;
    }

    private static String query(Relay r, String sql) throws Exception {
        return query(r, sql, 1);
    }

    /** Column {@code column} of the first row of {@code sql}, run on the relay as the plain reader user. */
    private static String query(Relay r, String sql, int column) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + r.port()
                + "/?connectTimeout=5000&socketTimeout=10000&sslMode=DISABLED&allowPublicKeyRetrieval=true",
                RelayHarness.USER, RelayHarness.PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(column);
        }
    }

    @Test
    void relayBFollowsAMySqlRelayAndResumesByGtidSet() throws Exception {
        String uuid = firstGtid.tsid().uuid().toString();
        Relay b = started(relayB("b", 9401, "earliest"));
        awaitSameEnd(b, relayA);
        assertEquals(FILE + ":4", b.upstream().lastDumpStart(), "an empty store starts from the earliest file");
        assertEquals("8.0.28", b.store().state().serverVersion().orElse(""), "B saw A present MySQL");
        assertEquals(uuid + ":1-2", b.store().state().mysqlExecuted().toString());
        assertEquals(stored(relayA), stored(b));
        Path dataB = b.store().directory();
        stop(b);

        // relay A gets the rest of the file; relay B comes back and resumes by its GTID set
        new BinlogImporter(relayA.store()).importFile(full);
        assertEquals(whole.length, relayA.store().committedEnd().orElseThrow().position());
        RelayConfig again = relayB("b", 9401, "earliest");
        assertEquals(dataB.toString(), again.dataDir);
        b = started(again);
        awaitSameEnd(b, relayA);
        assertEquals("GTID state '" + uuid + ":1-2'", b.upstream().lastDumpStart());
        List<String> a = stored(relayA);
        assertEquals(a, stored(b), "relay B stores the same raw bytes as relay A: no transaction twice, none missing");
        assertEquals(parsed.events().size(), a.size());
        assertEquals(uuid + ":1-5", b.store().state().mysqlExecuted().toString());

        // relay A lists relay B as a replica, with the UUID B announced (@replica_uuid)
        assertEquals(dev.binlogrelay.server.admin.RelayInfo.serverUuid(9401), query(relayA,
                "SHOW REPLICAS", 5));
        assertEquals(dev.binlogrelay.server.admin.RelayInfo.serverUuid(9001), query(relayA, "SELECT @@server_uuid"));

        // relay B presents MySQL downstream
        assertEquals("8.0.28", query(b, "SELECT @@version"));
        assertEquals("ON", query(b, "SELECT @@GLOBAL.gtid_mode"));
        assertEquals(uuid + ":1-5", query(b, "SELECT @@GLOBAL.gtid_executed"));

        // mysql-binlog-connector-java on relay B: from file and position, and from a GTID set
        List<String> expected = ImportAndServeIT.fileReader(whole);
        List<String> fromFile = RelayHarnessAccess.connectorEvents(b.port(), FILE, 4);
        assertEquals(expected, fromFile, () -> ImportAndServeIT.firstDifference(expected, fromFile));
        String executed = uuid + ":1-2";
        List<String> withoutTwo = expectedWithout(MysqlGtidSet.parse(executed));
        assertTrue(withoutTwo.size() < expected.size());
        List<String> fromGtids = RelayHarnessAccess.connectorEvents(b.port(), "", 4, executed);
        assertEquals(withoutTwo, fromGtids, () -> ImportAndServeIT.firstDifference(withoutTwo, fromGtids));
    }

    /**
     * Relay B starts from a GTID set holding the first two transactions while relay A has three, so B's copy of the
     * file starts inside it; after a restart B resumes by its GTID set (the first three) and A's stream, which
     * starts at the file's beginning, must continue exactly at B's end.
     */
    @Test
    void relayBStartsFromAGtidSet() throws Exception {
        Path mid = Files.createDirectories(tmp.resolve("mid")).resolve(FILE);
        Files.write(mid, prefix(5));
        new BinlogImporter(relayA.store()).importFile(mid);
        String uuid = firstGtid.tsid().uuid().toString();
        String start = uuid + ":1-2";
        Relay b = started(relayB("b-gtid", 9402, start));
        awaitSameEnd(b, relayA);
        assertEquals("GTID state '" + start + "'", b.upstream().lastDumpStart());
        assertEquals(uuid + ":1-3", b.store().state().mysqlExecuted().toString());
        stop(b);
        new BinlogImporter(relayA.store()).importFile(full);
        b = started(relayB("b-gtid", 9402, start));
        awaitSameEnd(b, relayA);
        assertEquals("GTID state '" + uuid + ":1-3'", b.upstream().lastDumpStart());
        // B holds the file from its third transaction on, byte for byte as A holds it
        long third = 4;
        for (List<byte[]> g : groups.subList(0, 4)) {
            third += g.stream().mapToLong(e -> e.length).sum();
        }
        assertEquals(third, b.store().files().get(0).firstPosition());
        List<String> fromA = stored(relayA);
        List<String> fromB = stored(b);
        assertEquals(fromA.subList(fromA.size() - fromB.size(), fromA.size()), fromB);
        assertTrue(fromB.get(0).startsWith(FILE + ":" + third + " "), fromB.get(0));
        assertEquals(uuid + ":1-5", b.store().state().mysqlExecuted().toString());

        List<String> withoutTwo = expectedWithout(MysqlGtidSet.parse(start));
        List<String> fromGtids = RelayHarnessAccess.connectorEvents(b.port(), "", 4, start);
        // B does not hold the file's start: a reader gets the format description re-sent, then what B holds
        assertEquals(withoutTwo.subList(withoutTwo.size() - (fromGtids.size() - 1), withoutTwo.size()),
                fromGtids.subList(1, fromGtids.size()), () -> ImportAndServeIT.firstDifference(withoutTwo, fromGtids));
        assertTrue(fromGtids.get(0).startsWith("FORMAT_DESCRIPTION"), fromGtids.get(0));
        assertEquals(withoutTwo.size() - 2, fromGtids.size() - 1, "all but the format description and PREVIOUS_GTIDS");
    }

    /**
     * A relay presenting MySQL 5.7 (an imported Percona 5.7.24 binlog whose PREVIOUS_GTIDS is not empty): relay B
     * uses the pre-8.0.26 names, keeps the executed set (previous GTIDs plus the file's), and serves a GTID-set
     * reader the transactions it lacks.
     */
    @Test
    void relayBFollowsAMySql57Relay() throws Exception {
        Path fixture = Fixtures.file("easypost-rust-mysql-binlog/bin-log.000001");
        byte[] file57 = Files.readAllBytes(fixture);
        Path data = tmp.resolve("a57");
        try (BinlogStore store = BinlogStore.open(data, dev.binlogrelay.storage.StoreOptions.defaults())) {
            new BinlogImporter(store).importFile(fixture);
        }
        RelayConfig a = RelayHarnessAccess.config(data);
        a.serverId = 9011L;
        a.downstream.users = List.of(user(RelayHarness.USER, RelayHarness.PASSWORD, null, null, false),
                user("chain", "chain-pw", null, null, false));
        Relay a57 = started(a);
        RelayConfig c = relayB("b57", 9403, "earliest");
        c.upstream.port = a57.port();
        c.upstream.sslMode = "disabled";
        c.upstream.sslCa = null;
        Relay b = started(c);
        awaitSameEnd(b, a57);
        assertEquals(stored(a57), stored(b));
        BinlogFile parsed57 = BinlogFile.parse("bin-log.000001", file57);
        MysqlGtidSet executed = MysqlGtidSet.EMPTY;
        for (byte[] e : parsed57.events()) {
            executed = MysqlGtidEvent.executedAfter(executed, e, parsed57.checksum());
        }
        assertTrue(executed.toString().endsWith(":1-14919"), executed.toString());
        assertEquals(executed.toString(), b.store().state().mysqlExecuted().toString());
        assertEquals("5.7.24-27-log", query(b, "SELECT @@version"));
        assertEquals(executed.toString(), query(b, "SELECT @@GLOBAL.gtid_executed"));
        assertTrue(query(b, "SELECT @@GLOBAL.gtid_purged").endsWith(":1-14916"), "the file's previous GTIDs");
        String uuid = executed.intervals().keySet().iterator().next().uuid().toString();
        List<String> all = ImportAndServeIT.fileReader(file57);
        List<String> got = RelayHarnessAccess.connectorEvents(b.port(), "", 4, uuid + ":1-14918");
        // the reader has all but the last transaction: it gets the file's preamble and that transaction
        assertTrue(got.size() < all.size() && got.size() >= 4, got.toString());
        assertEquals(all.subList(0, 2), got.subList(0, 2));
        assertEquals(all.subList(all.size() - (got.size() - 2), all.size()), got.subList(2, got.size()));
    }
}
