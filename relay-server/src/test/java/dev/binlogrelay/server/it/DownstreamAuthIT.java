package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3 points 2 and 3, downstream: real clients (MySQL Connector/J, MariaDB Connector/J) log in to the relay
 * with caching_sha2_password over TLS, over plain TCP with RSA (public-key retrieval), from the fast-auth cache,
 * and with mysql_native_password; users given by stored hashes; wrong passwords get ERR 1045 in every mode; a
 * require_tls user is refused over plain TCP. Two relays without an upstream: one presenting a MariaDB version
 * and announcing mysql_native_password (the MariaDB default), one presenting a MySQL 8.0 version (as a relay
 * of a MySQL primary does) and announcing caching_sha2_password.
 *
 * <p>MySQL Connector/J takes any server below 5.5.16 for one that sends AuthMoreData without its 0x01 header,
 * and MariaDB's version string reads as 5.5.5; so Connector/J's caching_sha2_password exchanges run against the
 * MySQL-version relay, and against the MariaDB-version one Connector/J uses mysql_native_password.
 */
class DownstreamAuthIT {
    @TempDir
    static Path tmp;
    static TestCerts certs;
    static Relay nativeRelay;
    static Relay mysqlRelay;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(tmp.resolve("certs"));
        TestCerts.Server server = certs.server("relay", "IP:127.0.0.1", "DNS:localhost");
        nativeRelay = Relay.start(config(tmp.resolve("native"), 9101, server, null, false));
        mysqlRelay = Relay.start(config(tmp.resolve("mysql"), 9102, server, "caching_sha2_password", true));
        // the version a relay of a MySQL 8.0 primary presents (read by every new connection)
        mysqlRelay.store().state().recordUpstreamServer(java.util.Map.of("version", "8.0.36"));
    }

    @AfterAll
    static void stop() {
        try {
            if (nativeRelay != null) {
                nativeRelay.close();
            }
        } finally {
            if (mysqlRelay != null) {
                mysqlRelay.close();
            }
        }
    }

    private static RelayConfig config(Path dir, long serverId, TestCerts.Server server, String defaultPlugin, boolean pkcs1Key) {
        RelayConfig c = RelayHarness.config(null, dir, serverId, null);
        c.downstream.tls = new RelayConfig.Tls();
        c.downstream.tls.cert = server.cert().toString();
        c.downstream.tls.key = (pkcs1Key ? server.pkcs1Key() : server.key()).toString();
        c.downstream.defaultAuthPlugin = defaultPlugin;
        List<RelayConfig.User> users = new ArrayList<>();
        users.add(user("repl", "secret", null, null, false));
        users.add(user("sha2", "sha2-pw", null, "caching_sha2_password", false));
        users.add(user("hashed", null, CachingSha2Hash.create("hashed-pw").format(), null, false));
        users.add(user("hashed_tls", null, CachingSha2Hash.create("tls-pw").formatHex(), null, false));
        users.add(user("cached", null, CachingSha2Hash.create("cached-pw").format(), null, false));
        users.add(user("wrong_sha2", null, CachingSha2Hash.create("right").format(), null, false));
        users.add(user("native_hash", null, NativePassword.formatStoredHash(NativePassword.storedHash("native-pw")), null, false));
        users.add(user("tls_only", "tls-only-pw", null, "caching_sha2_password", true));
        users.add(user("maria_rsa", null, CachingSha2Hash.create("maria-pw").format(), null, false));
        c.downstream.users = users;
        return c;
    }

    static RelayConfig.User user(String name, String password, String hash, String plugin, boolean requireTls) {
        RelayConfig.User u = new RelayConfig.User();
        u.user = name;
        u.password = password;
        u.passwordHash = hash == null ? null : List.of(hash);
        u.authPlugin = plugin;
        u.requireTls = requireTls;
        return u;
    }

    private static String mysql(Relay relay, String options) {
        return "jdbc:mysql://127.0.0.1:" + relay.port() + "/?connectTimeout=5000&socketTimeout=10000&" + options;
    }

    private static String mariadb(Relay relay, String options) {
        return "jdbc:mariadb://127.0.0.1:" + relay.port() + "/?connectTimeout=5000&socketTimeout=10000&" + options;
    }

    /** Logs in, asks for @@server_id, and returns it. */
    private static long login(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             ResultSet rs = c.createStatement().executeQuery("SELECT @@server_id")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    private static SQLException refused(String url, String user, String password) {
        return assertThrows(SQLException.class, () -> login(url, user, password), url + " as " + user);
    }

    @Test
    void connectorJCachingSha2OverTls() throws Exception {
        // password in config: fast auth over TLS
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=REQUIRED"), "sha2", "sha2-pw"));
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=REQUIRED"), "repl", "secret"));
        // stored caching_sha2 hash (hex form), nothing cached: full auth, the password in clear over TLS
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=REQUIRED"), "hashed_tls", "tls-pw"));
    }

    @Test
    void connectorJCachingSha2OverPlainTcpWithRsaKeyRetrieval() throws Exception {
        // stored hash, nothing cached: 0x01 0x04, the client asks for the key (0x02), then sends RSA-OAEP
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "hashed", "hashed-pw"));
    }

    @Test
    void fastAuthFromTheCacheAfterOneFullAuth() throws Exception {
        String plain = mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=false");
        SQLException first = refused(plain, "cached", "cached-pw");
        assertTrue(first.getMessage().contains("Public Key Retrieval"), first.getMessage());
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "cached", "cached-pw"));
        // now the digest is cached: plain TCP without RSA works (0x01 0x03)
        assertEquals(9102, login(plain, "cached", "cached-pw"));
        // a wrong password against a cached digest goes to full auth (as on MySQL), where it is refused: without the
        // server's key the client stops by itself, with it the relay answers 1045
        SQLException noKey = refused(plain, "cached", "cached-pw!");
        assertTrue(noKey.getMessage().contains("Public Key Retrieval"), noKey.getMessage());
        assertEquals(1045, refused(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "cached", "cached-pw!")
                .getErrorCode());
        // the password is in the config for repl: its digest is known from the start
        assertEquals(9102, login(plain, "repl", "secret"));
    }

    @Test
    void connectorJNativePassword() throws Exception {
        String nat = mysql(nativeRelay, "sslMode=DISABLED&defaultAuthenticationPlugin=mysql_native_password");
        assertEquals(9101, login(nat, "repl", "secret"));
        assertEquals(9101, login(nat, "native_hash", "native-pw"));
        assertEquals(9101, login(mysql(nativeRelay, "sslMode=REQUIRED"), "repl", "secret"));
        // a client offering caching_sha2_password is switched to the only plugin a native hash allows
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=DISABLED"), "native_hash", "native-pw"));
        assertEquals(9101, login(mysql(nativeRelay, "sslMode=REQUIRED&defaultAuthenticationPlugin=caching_sha2_password"),
                "native_hash", "native-pw"));
    }

    @Test
    void mariadbConnectorJPlainAndTls() throws Exception {
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=disable"), "repl", "secret"));
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=trust"), "repl", "secret"));
        // verify-full: the relay's certificate chains to the test CA and names 127.0.0.1
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=verify-full&serverSslCert=" + certs.caPem()), "repl", "secret"));
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=disable"), "native_hash", "native-pw"));
        // caching_sha2_password with MariaDB Connector/J: fast auth, full auth over TLS, full auth by RSA
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=trust"), "sha2", "sha2-pw"));
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=trust"), "tls_only", "tls-only-pw"));
        assertEquals(9101, login(mariadb(nativeRelay, "sslMode=disable&allowPublicKeyRetrieval=true"), "maria_rsa", "maria-pw"));
        assertEquals(9102, login(mariadb(mysqlRelay, "sslMode=disable"), "repl", "secret"));
        assertEquals(9102, login(mariadb(mysqlRelay, "sslMode=verify-full&serverSslCert=" + certs.caPem()), "hashed_tls", "tls-pw"));
    }

    @Test
    void wrongPasswordsAre1045InEveryMode() {
        record Attempt(String url, String user, String password) {
        }
        List<Attempt> attempts = List.of(
                // caching_sha2_password: fast auth (digest known) over TLS and plain TCP, full auth over TLS and RSA
                new Attempt(mysql(mysqlRelay, "sslMode=REQUIRED"), "sha2", "wrong"),
                // (a wrong scramble goes to full auth as on MySQL: over plain TCP the client needs the RSA key for it)
                new Attempt(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "sha2", "wrong"),
                new Attempt(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "repl", "wrong"),
                new Attempt(mysql(mysqlRelay, "sslMode=REQUIRED"), "repl", ""),
                new Attempt(mysql(mysqlRelay, "sslMode=REQUIRED"), "wrong_sha2", "wrong"),
                new Attempt(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "wrong_sha2", "wrong"),
                // mysql_native_password, by password and by hash
                new Attempt(mysql(nativeRelay, "sslMode=DISABLED&defaultAuthenticationPlugin=mysql_native_password"), "repl", "wrong"),
                new Attempt(mysql(nativeRelay, "sslMode=REQUIRED"), "native_hash", "wrong"),
                new Attempt(mysql(mysqlRelay, "sslMode=REQUIRED"), "native_hash", "wrong"),
                // MariaDB Connector/J
                new Attempt(mariadb(nativeRelay, "sslMode=disable"), "repl", "wrong"),
                new Attempt(mariadb(nativeRelay, "sslMode=trust"), "repl", "wrong"),
                new Attempt(mariadb(nativeRelay, "sslMode=trust"), "wrong_sha2", "wrong"),
                new Attempt(mariadb(nativeRelay, "sslMode=disable&allowPublicKeyRetrieval=true"), "wrong_sha2", "wrong"),
                new Attempt(mariadb(mysqlRelay, "sslMode=disable&allowPublicKeyRetrieval=true"), "sha2", "wrong"),
                // unknown user
                new Attempt(mysql(mysqlRelay, "sslMode=REQUIRED"), "nobody", "secret"));
        for (Attempt a : attempts) {
            SQLException e = refused(a.url(), a.user(), a.password());
            assertEquals(1045, e.getErrorCode(), a + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("Access denied for user '" + a.user() + "'"), a + ": " + e.getMessage());
        }
    }

    @Test
    void requireTlsUserIsRefusedOverPlainTcp() throws Exception {
        SQLException e = refused(mysql(mysqlRelay, "sslMode=DISABLED&allowPublicKeyRetrieval=true"), "tls_only", "tls-only-pw");
        assertEquals(1045, e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("requires TLS"), e.getMessage());
        SQLException maria = refused(mariadb(nativeRelay, "sslMode=disable"), "tls_only", "tls-only-pw");
        assertEquals(1045, maria.getErrorCode(), maria.getMessage());
        assertEquals(9102, login(mysql(mysqlRelay, "sslMode=REQUIRED"), "tls_only", "tls-only-pw"));
    }

    @Test
    void theTlsHandshakeMayArriveWithTheSslRequest() throws Exception {
        // the SSL request and the ClientHello in one write: the relay must hand the bytes its packet decoder
        // already holds to the TLS layer
        assertEquals("OK", TlsRawClient.login(nativeRelay.port(), "repl", "secret", true));
        assertEquals("OK", TlsRawClient.login(nativeRelay.port(), "repl", "secret", false));
        assertTrue(TlsRawClient.login(nativeRelay.port(), "repl", "nope", true).contains("1045"));
    }
}
