package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.binlogrelay.server.it.DownstreamAuthIT.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 3 points 2 and 3, upstream: relays log in to other relays (primary -> relay A -> relay B) with
 * caching_sha2_password and mysql_native_password, over TLS in every ssl_mode and over plain TCP with RSA, and
 * store the same bytes as the relay they read. Relay A "sha2" announces caching_sha2_password and has a
 * certificate naming 127.0.0.1; relay A "native" announces mysql_native_password (so its sha2 users are
 * reached through an auth switch), has a certificate naming another host, and RSA keys from files.
 *
 * <pre>
 * B1 -> A sha2    verify_identity with the CA   caching_sha2, stored hash, full auth over TLS
 * B2 -> A sha2    disabled                      caching_sha2, stored hash, full auth by RSA after a key request
 * B3 -> A native  disabled, server_public_key   switch to caching_sha2, RSA with the configured key
 * B4 -> A native  verify_ca with the CA         switch to caching_sha2, fast auth (password in A's config)
 * B5 -> A sha2    required                      switch to mysql_native_password (a native hash)
 * refused: verify_identity against a certificate for another host, verify_ca with another CA, a wrong password,
 *          ssl_mode required against a relay with downstream.tls: off
 * </pre>
 * A stock MariaDB replica also replicates from relay A over TLS, verifying the relay's certificate.
 */
class RelayChainTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    static TestCerts certs;
    static TestCerts.RsaPair nativeRsa;
    static Relay sha2A;
    static Relay nativeA;
    static final List<Relay> relays = new ArrayList<>();
    static String firstFile;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(tmp.resolve("certs"));
        TestCerts.Server good = certs.server("relay-a", "IP:127.0.0.1", "DNS:localhost");
        TestCerts.Server elsewhere = certs.server("relay-elsewhere", "DNS:relay-a.test");
        nativeRsa = certs.rsaPair("native-a");
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        firstFile = primary.binlogFiles().get(0);
        RelayHarness.createAppTable(primary);
        StockReplicasIT.workload0(primary, 30);

        RelayConfig a1 = RelayHarness.config(primary, tmp.resolve("a-sha2"), 9201, "earliest");
        tls(a1, good);
        a1.downstream.defaultAuthPlugin = "caching_sha2_password";
        a1.downstream.users = List.of(
                user("repl", "secret", null, "mysql_native_password", false),
                user("chain_tls", null, CachingSha2Hash.create("tls-pw").format(), null, true),
                user("chain_rsa", null, CachingSha2Hash.create("rsa-pw").format(), null, false),
                user("chain_native", null, NativePassword.formatStoredHash(NativePassword.storedHash("native-pw")), null, false),
                user("replica_tls", "replica-pw", null, "mysql_native_password", true));
        sha2A = started(a1);

        RelayConfig a2 = RelayHarness.config(primary, tmp.resolve("a-native"), 9202, "earliest");
        tls(a2, elsewhere);
        a2.downstream.rsaPrivateKey = nativeRsa.privateKey().toString();
        a2.downstream.rsaPublicKey = nativeRsa.publicKey().toString();
        a2.downstream.users = List.of(
                user("repl", "secret", null, null, false),
                user("chain_rsa", null, CachingSha2Hash.create("rsa-pw").formatHex(), null, false),
                user("chain_sha2pw", "sha2-pw", null, "caching_sha2_password", false));
        nativeA = started(a2);
        RelayHarness.awaitCaughtUp(sha2A, primary, WAIT);
        RelayHarness.awaitCaughtUp(nativeA, primary, WAIT);
    }

    @AfterAll
    static void stop() {
        try {
            for (int i = relays.size() - 1; i >= 0; i--) {
                relays.get(i).close();
            }
        } finally {
            if (primary != null) {
                primary.close();
            }
        }
    }

    private static Relay started(RelayConfig c) throws InterruptedException {
        Relay r = Relay.start(c);
        relays.add(r);
        return r;
    }

    private static void tls(RelayConfig c, TestCerts.Server server) {
        c.downstream.tls = new RelayConfig.Tls();
        c.downstream.tls.cert = server.cert().toString();
        c.downstream.tls.key = server.key().toString();
    }

    /** A relay B whose upstream is relay {@code a}. */
    private static RelayConfig chained(String name, long serverId, Relay a, String user, String password, String sslMode) {
        RelayConfig c = RelayHarness.config(primary, tmp.resolve(name), serverId, "earliest");
        c.upstream.port = a.port();
        c.upstream.user = user;
        c.upstream.password = password;
        c.upstream.sslMode = sslMode;
        return c;
    }

    /** The relay's events from the first file (non-blocking dump), without the artificial ones it makes itself. */
    private static List<String> storedEvents(Relay relay) throws Exception {
        List<String> out = new ArrayList<>();
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            for (byte[] e : c.dumpAll(firstFile, 4, 7000 + relay.port() % 1000)) {
                long logPos = (e[13] & 0xFFL) | (e[14] & 0xFFL) << 8 | (e[15] & 0xFFL) << 16 | (e[16] & 0xFFL) << 24;
                int flags = (e[17] & 0xFF) | (e[18] & 0xFF) << 8;
                if (logPos != 0 && (flags & 0x20) == 0) {
                    out.add(HexFormat.of().formatHex(e));
                }
            }
        }
        return out;
    }

    private static void assertSameStore(Relay a, Relay b) throws Exception {
        RelayHarness.awaitStreaming(b, WAIT);
        RelayHarness.awaitCaughtUp(b, primary, WAIT);
        List<String> expected = storedEvents(a);
        List<String> actual = storedEvents(b);
        assertTrue(expected.size() > 30, "relay A serves only " + expected.size() + " events");
        assertEquals(expected.size(), actual.size(), "event count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "event " + i);
        }
    }

    private static String awaitError(Relay b, String expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String e = b.upstream().lastError();
            if (e != null && e.contains(expected)) {
                assertFalse(b.upstream().isStreaming());
                return e;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        return fail("the upstream error never mentioned '" + expected + "': " + b.upstream().lastError());
    }

    @Test
    void chainsLogInWithEveryPluginAndSslModeAndStoreTheSameBytes() throws Exception {
        RelayConfig b1 = chained("b1", 9301, sha2A, "chain_tls", "tls-pw", "verify_identity");
        b1.upstream.sslCa = certs.caPem().toString();
        RelayConfig b2 = chained("b2", 9302, sha2A, "chain_rsa", "rsa-pw", "disabled");
        RelayConfig b3 = chained("b3", 9303, nativeA, "chain_rsa", "rsa-pw", "disabled");
        b3.upstream.serverPublicKey = nativeRsa.publicKey().toString();
        RelayConfig b4 = chained("b4", 9304, nativeA, "chain_sha2pw", "sha2-pw", "verify_ca");
        b4.upstream.sslCa = certs.caPem().toString();
        RelayConfig b5 = chained("b5", 9305, sha2A, "chain_native", "native-pw", "required");
        Relay[] bs = {started(b1), started(b2), started(b3), started(b4), started(b5)};
        // more transactions while the chains stream
        StockReplicasIT.workload0(primary, 20);
        RelayHarness.awaitCaughtUp(sha2A, primary, WAIT);
        RelayHarness.awaitCaughtUp(nativeA, primary, WAIT);
        assertSameStore(sha2A, bs[0]);
        assertSameStore(sha2A, bs[1]);
        assertSameStore(nativeA, bs[2]);
        assertSameStore(nativeA, bs[3]);
        assertSameStore(sha2A, bs[4]);
        // a reconnect of B1 logs in again (the digest is cached on A now: fast auth over TLS)
        bs[0].close();
        relays.remove(bs[0]);
        StockReplicasIT.workload0(primary, 5);
        Relay again = started(b1);
        assertSameStore(sha2A, again);
    }

    @Test
    void refusedLogins() throws Exception {
        RelayConfig wrongHost = chained("r1", 9311, nativeA, "chain_sha2pw", "sha2-pw", "verify_identity");
        wrongHost.upstream.sslCa = certs.caPem().toString();
        RelayConfig wrongCa = chained("r2", 9312, sha2A, "chain_rsa", "rsa-pw", "verify_ca");
        wrongCa.upstream.sslCa = certs.otherCa().toString();
        RelayConfig wrongPassword = chained("r3", 9313, nativeA, "chain_rsa", "not-it", "preferred");
        RelayConfig plainRequired = chained("r4", 9314, nativeA, "repl", "secret", "required");
        RelayConfig noTlsUpstream = RelayHarness.config(primary, tmp.resolve("r5-upstream"), 9315, "earliest");
        noTlsUpstream.downstream.tls = RelayConfig.Tls.fromWord("off");
        Relay plainRelay = started(noTlsUpstream);
        plainRequired.upstream.port = plainRelay.port();
        String e1 = awaitError(started(wrongHost), "TLS with 127.0.0.1");
        assertTrue(e1.contains("ssl_mode verify_identity"), e1);
        String e2 = awaitError(started(wrongCa), "TLS with 127.0.0.1");
        assertTrue(e2.contains("ssl_mode verify_ca"), e2);
        String e3 = awaitError(started(wrongPassword), "1045");
        assertTrue(e3.contains("Access denied for user 'chain_rsa'"), e3);
        awaitError(started(plainRequired), "does not offer TLS");
    }

    @Test
    void stockMariaDbReplicaOverTlsVerifyingTheRelay() throws Exception {
        try (MariaDbServer replica = MariaDbServer.builder().name("replica-tls").serverId(5).start()) {
            String haveSsl = replica.queryString("SELECT @@have_ssl");
            Peers.require("YES".equals(haveSsl) || "DISABLED".equals(haveSsl),
                    "a TLS library in the replica's mariadbd (have_ssl=" + haveSsl + ")", "install a MariaDB server built with TLS");
            replica.execute("STOP SLAVE", "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + sha2A.port()
                    + ", MASTER_USER='replica_tls', MASTER_PASSWORD='replica-pw', MASTER_CONNECT_RETRY=1,"
                    + " MASTER_HEARTBEAT_PERIOD=1, MASTER_USE_GTID=slave_pos, MASTER_SSL=1, MASTER_SSL_CA='" + certs.caPem()
                    + "', MASTER_SSL_VERIFY_SERVER_CERT=1", "START SLAVE");
            StockReplicasIT.workload0(primary, 10);
            RelayHarness.awaitCaughtUp(sha2A, primary, WAIT);
            replica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT);
            assertEquals(primary.checksumTable("app.t"), replica.checksumTable("app.t"));
        }
    }
}
