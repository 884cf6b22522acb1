package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.CachingSha2Hash;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The login of {@code downstream.sql_backend} connections: TLS in its ssl_modes and caching_sha2_password over TLS
 * and over plain TCP (RSA key asked for). The backend here is another relay (it speaks the server side of the same
 * protocol, with TLS and both auth plugins, and answers SHOW DATABASES itself), so the statement forwarded comes
 * back with the backend relay's answer.
 */
class SqlBackendTlsIT {
    @TempDir
    static Path tmp;
    private static Relay tlsBackend;
    private static Relay plainBackend;
    private static final List<Relay> fronts = new ArrayList<>();
    private static TestCerts certs;

    @BeforeAll
    static void start() throws Exception {
        try {
            certs = TestCerts.create(tmp.resolve("certs"));
            TestCerts.Server server = certs.server("backend", "IP:127.0.0.1");
            RelayConfig a = backendConfig("tls-backend", 9301);
            a.downstream.tls = new RelayConfig.Tls();
            a.downstream.tls.cert = server.cert().toString();
            a.downstream.tls.key = server.key().toString();
            tlsBackend = Relay.start(a);
            RelayConfig p = backendConfig("plain-backend", 9302);
            p.downstream.tls = RelayConfig.Tls.fromWord("off");
            plainBackend = Relay.start(p);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private static RelayConfig backendConfig(String name, long serverId) {
        RelayConfig c = RelayHarness.config(null, tmp.resolve(name), serverId, "earliest");
        c.downstream.users = List.of(DownstreamAuthIT.user(RelayHarness.USER, RelayHarness.PASSWORD, null, null, false),
                DownstreamAuthIT.user("sha2", null, CachingSha2Hash.create("sha2-pw").format(), "caching_sha2_password", false));
        return c;
    }

    @AfterAll
    static void stop() {
        for (Relay r : fronts) {
            r.close();
        }
        for (Relay r : new Relay[]{tlsBackend, plainBackend}) {
            if (r != null) {
                r.close();
            }
        }
    }

    private static Relay front(Relay backend, String user, String password, String sslMode, Path ca) throws Exception {
        RelayConfig c = RelayHarness.config(null, tmp.resolve("front-" + fronts.size()), 9310 + fronts.size(), "earliest");
        RelayConfig.SqlBackend b = new RelayConfig.SqlBackend();
        b.host = "127.0.0.1";
        b.port = backend.port();
        b.user = user;
        b.password = password;
        b.sslMode = sslMode;
        b.sslCa = ca == null ? null : ca.toString();
        c.downstream.sqlBackend = b;
        Relay r = Relay.start(c);
        fronts.add(r);
        return r;
    }

    private static List<String> firstColumn(Relay r, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + r.port() + "/?user=" + RelayHarness.USER
                + "&password=" + RelayHarness.PASSWORD + "&connectTimeout=5000&socketTimeout=20000");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    @Test
    void verifyIdentityWithCachingSha2OverTls() throws Exception {
        Relay front = front(tlsBackend, "sha2", "sha2-pw", "verify_identity", certs.caPem());
        assertEquals(firstColumn(tlsBackend, "SHOW DATABASES"), firstColumn(front, "SHOW DATABASES"));
        assertEquals(List.of(String.valueOf(9310 + fronts.size() - 1)), firstColumn(front, "SELECT @@server_id"));
    }

    @Test
    void cachingSha2OverPlainTcpAsksForTheKey() throws Exception {
        Relay front = front(plainBackend, "sha2", "sha2-pw", "preferred", null);
        assertEquals(firstColumn(plainBackend, "SHOW DATABASES"), firstColumn(front, "SHOW DATABASES"));
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        Relay front = front(tlsBackend, RelayHarness.USER, RelayHarness.PASSWORD, "verify_ca", certs.otherCa());
        SQLException e = assertThrows(SQLException.class, () -> firstColumn(front, "SHOW DATABASES"));
        assertEquals(2003, e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("TLS failed"), e.getMessage());
    }

    @Test
    void requiredTlsWithoutItIsRefused() throws Exception {
        Relay front = front(plainBackend, RelayHarness.USER, RelayHarness.PASSWORD, "required", null);
        SQLException e = assertThrows(SQLException.class, () -> firstColumn(front, "SHOW DATABASES"));
        assertEquals(2003, e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("TLS is required"), e.getMessage());
    }

    @Test
    void aWrongPasswordIsNamed() throws Exception {
        Relay front = front(tlsBackend, "sha2", "wrong", "required", null);
        SQLException e = assertThrows(SQLException.class, () -> firstColumn(front, "SHOW DATABASES"));
        assertEquals(2003, e.getErrorCode(), e.getMessage());
        assertTrue(e.getMessage().contains("login as 'sha2' failed"), e.getMessage());
    }
}
