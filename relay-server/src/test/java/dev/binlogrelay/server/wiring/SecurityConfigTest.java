package dev.binlogrelay.server.wiring;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.server.config.RelayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The auth and TLS keys of the config: they load, and a bad one stops start-up with a line naming it. Key and
 * certificate files made with openssl: {@link SecurityConfigFilesIT}.
 */
class SecurityConfigTest {
    @TempDir
    Path tmp;

    private String base(String upstreamExtra, String downstreamExtra, String users) {
        return base(tmp, upstreamExtra, downstreamExtra, users);
    }

    /** A config with the store under {@code tmp/data} and these extra upstream and downstream lines and users. */
    static String base(Path tmp, String upstreamExtra, String downstreamExtra, String users) {
        return """
                server_id: 9001
                data_dir: %s
                upstream:
                  host: 127.0.0.1
                  port: 3306
                  user: repl
                  password: secret
                %sdownstream:
                  listen: 127.0.0.1:3307
                %s  users:
                %s""".formatted(tmp.resolve("data"), upstreamExtra, downstreamExtra, users);
    }

    static final String REPL = "    - user: repl\n      password: secret\n";

    private Path write(String yaml) throws IOException {
        return new ConfigFiles(tmp).write(yaml);
    }

    private String error(String yaml) throws IOException {
        return new ConfigFiles(tmp).error(yaml);
    }

    @Test
    void usersByStoredHash() throws IOException {
        String sha2 = CachingSha2Hash.create("pw").format();
        RelayConfig c = ConfigCheck.load(write(base("", "", REPL
                + "    - user: a\n      password_hash: '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'\n"
                + "    - user: b\n      password_hash: '" + sha2 + "'\n      auth_plugin: caching_sha2_password\n"
                + "    - user: c\n      password_hash: ['*14E65567ABDB5135D0CFD9A70B3032C179A49EE7', '"
                + CachingSha2Hash.create("pw").formatHex() + "']\n")));
        assertEquals(1, c.downstream.users.get(1).passwordHash.size());
        assertEquals(2, c.downstream.users.get(3).passwordHash.size());
        var users = SecurityConfig.users(c.downstream);
        assertTrue(users.account("b").orElseThrow().credentials().supports(dev.binlogrelay.core.auth.AuthPlugin.CACHING_SHA2_PASSWORD));
        assertTrue(users.nativeHash("a").isPresent());
        assertTrue(users.nativeHash("b").isEmpty());
    }

    @Test
    void badUserKeysAreNamed() throws IOException {
        assertTrue(error(base("", "", "    - user: a\n")).contains("missing key 'downstream.users[0].password' (or downstream.users[0].password_hash)"));
        String both = error(base("", "", "    - user: a\n      password: x\n      password_hash: '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'\n"));
        assertTrue(both.contains("downstream.users[0]: give password or password_hash, not both"), both);
        String hash = error(base("", "", REPL + "    - user: a\n      password_hash: secret\n"));
        assertTrue(hash.contains("bad value for 'downstream.users[1].password_hash'"), hash);
        String plugin = error(base("", "", "    - user: a\n      password: x\n      auth_plugin: dialog\n"));
        assertTrue(plugin.contains("bad value for 'downstream.users[0].auth_plugin'"), plugin);
        String mismatch = error(base("", "", "    - user: a\n      password_hash: '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7'\n"
                + "      auth_plugin: caching_sha2_password\n"));
        assertTrue(mismatch.contains("bad value for 'downstream.users[0].auth_plugin'"), mismatch);
        String tls = error(base("", "  tls: off\n", "    - user: a\n      password: x\n      require_tls: true\n"));
        assertTrue(tls.contains("downstream.users[0].require_tls needs TLS"), tls);
        String twice = error(base("", "", REPL + REPL));
        assertTrue(twice.contains("listed twice"), twice);
        assertTrue(error(base("", "  default_auth_plugin: sha256_password\n", REPL)).contains("'downstream.default_auth_plugin'"));
    }

    @Test
    void rolesAreAdminOrReplicationWhichIsTheDefault() throws IOException {
        RelayConfig c = ConfigCheck.load(write(base("", "", REPL + "    - user: op\n      password: x\n      role: admin\n"
                + "    - user: cdc\n      password: x\n      role: Replication\n")));
        var users = SecurityConfig.users(c.downstream);
        assertTrue(users.isAdmin("op"));
        assertTrue(!users.isAdmin("repl") && !users.isAdmin("cdc") && !users.isAdmin("nobody") && !users.isAdmin(null));
        String bad = error(base("", "", REPL + "    - user: op\n      password: x\n      role: superuser\n"));
        assertTrue(bad.contains("bad value for 'downstream.users[1].role': 'superuser' is not admin or replication"), bad);
    }

    @Test
    void theShippedExampleStillLoadsWithDefaults() throws IOException {
        RelayConfig c = ConfigCheck.load(write(base("", "", REPL)));
        assertEquals(dev.binlogrelay.server.upstream.SslMode.PREFERRED, SecurityConfig.upstream(c.upstream).sslMode());
        assertNotNull(SecurityConfig.downstream(c.downstream, tmp.resolve("data")).tls(), "TLS is on by default");
    }

    @Test
    void withoutTlsKeysTheRelayMakesItsOwnCertificateOnceAndKeepsIt() throws IOException {
        RelayConfig c = ConfigCheck.load(write(base("", "", REPL + "    - user: t\n      password: x\n      require_tls: true\n")));
        Path data = tmp.resolve("data");
        var first = SecurityConfig.downstream(c.downstream, data);
        assertNotNull(first.tls());
        Path cert = data.resolve("tls/cert.pem");
        Path key = data.resolve("tls/key.pem");
        assertTrue(Files.isRegularFile(cert) && Files.isRegularFile(key));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        var again = SecurityConfig.downstream(c.downstream, data);
        assertTrue(java.util.Arrays.equals(first.tlsFingerprint(), again.tlsFingerprint()), "the same certificate after a restart");
        var x509 = dev.binlogrelay.core.auth.Pem.certificates(Files.readString(cert)).get(0);
        assertTrue(java.util.Arrays.equals(dev.binlogrelay.core.auth.TlsPasswordProof.fingerprint(x509), first.tlsFingerprint()));
        assertEquals(x509.getSubjectX500Principal(), x509.getIssuerX500Principal(), "self-signed");
    }

    @Test
    void tlsOffTurnsTlsOffAndOtherWordsAreRefused() throws IOException {
        for (String off : new String[]{"off", "false", "'off'", "disabled"}) {
            RelayConfig c = ConfigCheck.load(write(base("", "  tls: " + off + "\n", REPL)));
            assertEquals(null, SecurityConfig.downstream(c.downstream, tmp.resolve("data")).tls(), "tls: " + off);
        }
        String word = error(base("", "  tls: sometimes\n", REPL));
        assertTrue(word.contains("downstream.tls") && word.contains("sometimes"), word);
        String on = error(base("", "  tls: true\n", REPL));
        assertTrue(on.contains("downstream.tls"), on);
        String requireTls = error(base("", "  tls: off\n", REPL + "    - user: t\n      password: x\n      require_tls: true\n"));
        assertTrue(requireTls.contains("require_tls") && requireTls.contains("off"), requireTls);
    }
}
