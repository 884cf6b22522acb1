package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15: TLS by default. A relay configured without any TLS key makes its own certificate and offers TLS; MariaDB
 * Connector/J verifying the server certificate with no CA (sslMode=verify-full, as MariaDB 11.4 clients do by default)
 * accepts it through the password proof in the final OK packet, for mysql_native_password users given by password or
 * by hash, and refuses it where no such proof can exist (a caching_sha2_password user), as against MariaDB 11.4.
 * {@code downstream.tls: off} offers no TLS.
 */
class ZeroConfigTlsIT {
    @TempDir
    static Path tmp;
    static Relay relay;
    static Relay plain;

    @BeforeAll
    static void start() throws Exception {
        relay = Relay.start(config(tmp.resolve("relay"), 9301, null));
        RelayConfig.Tls off = RelayConfig.Tls.fromWord("off");
        plain = Relay.start(config(tmp.resolve("plain"), 9302, off));
    }

    @AfterAll
    static void stop() {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            if (plain != null) {
                plain.close();
            }
        }
    }

    private static RelayConfig config(Path dir, long serverId, RelayConfig.Tls tls) {
        RelayConfig c = RelayHarness.config(null, dir, serverId, null);
        c.downstream.tls = tls;
        c.downstream.users = List.of(
                DownstreamAuthIT.user("repl", "secret", null, null, false),
                DownstreamAuthIT.user("native_hash", null, NativePassword.formatStoredHash(NativePassword.storedHash("native-pw")), null, false),
                DownstreamAuthIT.user("sha2", null, CachingSha2Hash.create("sha2-pw").format(), "caching_sha2_password", false),
                DownstreamAuthIT.user("tls_only", "tls-pw", null, null, tls == null));
        return c;
    }

    private static String url(Relay r, String options) {
        return "jdbc:mariadb://127.0.0.1:" + r.port() + "/?connectTimeout=5000&socketTimeout=10000&" + options;
    }

    private static String login(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             ResultSet rs = c.createStatement().executeQuery("SELECT @@server_id")) {
            assertTrue(rs.next());
            return "ok:" + rs.getLong(1);
        }
    }

    @Test
    void aClientVerifyingWithoutCaAcceptsTheGeneratedCertificateByThePasswordProof() throws Exception {
        assertTrue(Files.isRegularFile(tmp.resolve("relay/tls/cert.pem")), "the certificate is kept in data_dir/tls");
        assertEquals("ok:9301", login(url(relay, "sslMode=verify-full"), "repl", "secret"));
        assertEquals("ok:9301", login(url(relay, "sslMode=verify-ca"), "native_hash", "native-pw"));
        assertEquals("ok:9301", login(url(relay, "sslMode=verify-full"), "tls_only", "tls-pw"));
        // a wrong password is still refused by the relay, before any proof
        SQLException wrong = assertThrows(SQLException.class, () -> login(url(relay, "sslMode=verify-full"), "repl", "guess"));
        assertEquals(1045, wrong.getErrorCode(), wrong.getMessage());
    }

    @Test
    void withoutAProofTheVerifyingClientRefusesTheCertificate() {
        // caching_sha2_password hands the password to the server, so MariaDB clients take no proof for it
        SQLException e = assertThrows(SQLException.class, () -> login(url(relay, "sslMode=verify-full&restrictedAuth=caching_sha2_password,mysql_native_password"), "sha2", "sha2-pw"));
        assertTrue(e.getMessage().contains("Self signed certificates"), e.getMessage());
    }

    @Test
    void theCertificateCanAlsoBeTrustedAsACa() throws Exception {
        Path cert = tmp.resolve("relay/tls/cert.pem");
        assertEquals("ok:9301", login(url(relay, "sslMode=verify-full&serverSslCert=" + cert), "sha2", "sha2-pw"));
    }

    @Test
    void tlsOffOffersNoTls() throws Exception {
        assertEquals("ok:9302", login(url(plain, "sslMode=disable"), "repl", "secret"));
        SQLException e = assertThrows(SQLException.class, () -> login(url(plain, "sslMode=trust"), "repl", "secret"));
        assertTrue(e.getMessage().toLowerCase().contains("ssl"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("plain/tls")), "no certificate made with tls: off");
    }
}
