package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.it.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.binlogrelay.server.wiring.SecurityConfigTest.REPL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config's TLS and RSA key files, made by the openssl CLI (a peer: {@link TestCerts}), load, and bad ones stop
 * start-up with a line naming them. An integration test because it runs openssl; the rest of the config's security
 * keys: {@link SecurityConfigTest}.
 */
class SecurityConfigFilesIT {
    @TempDir
    Path tmp;

    private String base(String upstreamExtra, String downstreamExtra, String users) {
        return SecurityConfigTest.base(tmp, upstreamExtra, downstreamExtra, users);
    }

    private Path write(String yaml) throws IOException {
        return new ConfigFiles(tmp).write(yaml);
    }

    private String error(String yaml) throws IOException {
        return new ConfigFiles(tmp).error(yaml);
    }

    @Test
    void tlsAndRsaFilesLoadAndBadOnesAreNamed() throws Exception {
        TestCerts certs = TestCerts.create(tmp.resolve("certs"));
        TestCerts.Server server = certs.server("relay", "IP:127.0.0.1");
        TestCerts.Server other = certs.server("other", "DNS:other");
        TestCerts.RsaPair rsa = certs.rsaPair("rsa");
        String tls = "  tls:\n    cert: " + server.cert() + "\n    key: " + server.pkcs1Key() + "\n    ca: " + certs.caPem() + "\n"
                + "  rsa_private_key: " + rsa.privateKey() + "\n  rsa_public_key: " + rsa.publicKey() + "\n"
                + "  default_auth_plugin: caching_sha2_password\n";
        String up = "  ssl_mode: verify_identity\n  ssl_ca: " + certs.caPem() + "\n  server_public_key: " + rsa.publicKey() + "\n";
        RelayConfig c = ConfigCheck.load(write(base(up, tls, REPL + "    - user: t\n      password: x\n      require_tls: true\n")));
        var security = SecurityConfig.downstream(c.downstream, tmp.resolve("data"));
        assertNotNull(security.tls());
        assertEquals(dev.binlogrelay.core.auth.AuthPlugin.CACHING_SHA2_PASSWORD, security.defaultPlugin());
        assertTrue(security.rsaPublicKeyPem().equals(Files.readString(rsa.publicKey())), security.rsaPublicKeyPem());
        var upstream = SecurityConfig.upstream(c.upstream);
        assertEquals(dev.binlogrelay.server.upstream.SslMode.VERIFY_IDENTITY, upstream.sslMode());
        assertNotNull(upstream.serverPublicKey());

        String missing = error(base("", "  tls:\n    cert: " + tmp.resolve("nope.pem") + "\n    key: " + server.key() + "\n", REPL));
        assertTrue(missing.contains("bad value for 'downstream.tls.cert'") && missing.contains("nope.pem"), missing);
        assertTrue(error(base("", "  tls:\n    cert: " + server.cert() + "\n", REPL)).contains("missing key 'downstream.tls.key'"));
        String notAKey = error(base("", "  tls:\n    cert: " + server.cert() + "\n    key: " + server.cert() + "\n", REPL));
        assertTrue(notAKey.contains("bad value for 'downstream.tls.key'"), notAKey);
        String wrongKey = error(base("", "  tls:\n    cert: " + server.cert() + "\n    key: " + other.key() + "\n", REPL));
        assertTrue(wrongKey.contains("bad value for 'downstream.tls.key'") && wrongKey.contains("does not belong"), wrongKey);
        String pubOnly = error(base("", "  rsa_public_key: " + rsa.publicKey() + "\n", REPL));
        assertTrue(pubOnly.contains("downstream.rsa_public_key needs downstream.rsa_private_key"), pubOnly);
        String pair = error(base("", "  rsa_private_key: " + rsa.privateKey() + "\n  rsa_public_key: " + server.cert() + "\n", REPL));
        assertTrue(pair.contains("bad value for 'downstream.rsa_public_key'"), pair);
        String mode = error(base("  ssl_mode: sometimes\n", "", REPL));
        assertTrue(mode.contains("bad value for 'upstream.ssl_mode'"), mode);
        String ca = error(base("  ssl_mode: required\n  ssl_ca: " + certs.caPem() + "\n", "", REPL));
        assertTrue(ca.contains("upstream.ssl_ca is used only with"), ca);
        String key = error(base("  server_public_key: " + server.cert() + "\n", "", REPL));
        assertTrue(key.contains("bad value for 'upstream.server_public_key'"), key);
    }
}
