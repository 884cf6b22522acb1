package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.SqlBackendSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code downstream.sql_backend} turned into {@link SqlBackendSettings}; a bad TLS key is named. */
class SqlBackendConfigTest {
    @TempDir
    Path tmp;

    private String config(String backendExtra) {
        return SecurityConfigTest.base(tmp, "", "  sql_backend:\n    host: db1\n    port: 3306\n    user: reader\n"
                + "    password: pw\n" + backendExtra, SecurityConfigTest.REPL);
    }

    @Test
    void offWithoutTheKey() throws IOException {
        RelayConfig c = ConfigCheck.load(new ConfigFiles(tmp).write(SecurityConfigTest.base(tmp, "", "", SecurityConfigTest.REPL)));
        assertNull(SqlBackendConfig.settings(c.downstream));
    }

    @Test
    void settingsAndTlsModes() throws IOException {
        SqlBackendSettings s = SqlBackendConfig.settings(ConfigCheck.load(new ConfigFiles(tmp).write(config(""))).downstream);
        assertEquals("db1:3306", s.address());
        assertEquals("reader", s.user());
        assertEquals("pw", s.password());
        assertNotNull(s.tls()); // preferred, as upstream.ssl_mode
        assertFalse(s.tlsRequired());
        SqlBackendSettings plain = SqlBackendConfig.settings(
                ConfigCheck.load(new ConfigFiles(tmp).write(config("    ssl_mode: disabled\n"))).downstream);
        assertNull(plain.tls());
        SqlBackendSettings required = SqlBackendConfig.settings(
                ConfigCheck.load(new ConfigFiles(tmp).write(config("    ssl_mode: REQUIRED\n"))).downstream);
        assertTrue(required.tlsRequired());
    }

    @Test
    void badTlsKeysAreNamed() throws IOException {
        String mode = new ConfigFiles(tmp).error(config("    ssl_mode: sometimes\n"));
        assertTrue(mode.contains("downstream.sql_backend.ssl_mode"), mode);
        String ca = new ConfigFiles(tmp).error(config("    ssl_mode: verify_ca\n    ssl_ca: " + tmp.resolve("none.pem") + "\n"));
        assertTrue(ca.contains("downstream.sql_backend.ssl_ca"), ca);
        String caWithoutVerify = new ConfigFiles(tmp).error(config("    ssl_ca: " + tmp.resolve("none.pem") + "\n"));
        assertTrue(caWithoutVerify.contains("downstream.sql_backend.ssl_ca"), caWithoutVerify);
    }
}
