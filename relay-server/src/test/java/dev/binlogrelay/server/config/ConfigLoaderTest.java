package dev.binlogrelay.server.config;

import dev.binlogrelay.server.wiring.ConfigFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private String valid() {
        return """
                server_id: 9001
                data_dir: %s
                upstream:
                  host: 127.0.0.1
                  port: 3306
                  user: repl
                  password: secret
                  start: earliest
                downstream:
                  listen: 127.0.0.1:3307
                  users:
                    - user: repl
                      password: secret
                """.formatted(tmp.resolve("data"));
    }

    private Path write(String yaml) throws IOException {
        return new ConfigFiles(tmp).write(yaml);
    }

    private String error(String yaml) throws IOException {
        return new ConfigFiles(tmp).error(yaml);
    }

    @Test
    void theIssueContractLoads() throws IOException {
        RelayConfig c = ConfigLoader.load(write(valid()));
        assertEquals(9001L, c.serverId);
        assertEquals("127.0.0.1", c.upstream.host);
        assertEquals(3306, c.upstream.port);
        assertEquals("repl", c.downstream.users.get(0).user);
        assertTrue(Files.isDirectory(tmp.resolve("data")));
    }

    @Test
    void theShippedExampleLoads() throws IOException {
        Path example = Path.of("..", "conf", "relay.yaml");
        String yaml = Files.readString(example).replace("/var/lib/binlog-relay", tmp.resolve("example").toString());
        RelayConfig c = ConfigLoader.load(write(yaml));
        assertEquals("earliest", c.upstream.start);
    }

    @Test
    void semiSyncIsOffUnlessConfiguredAndMustBeABoolean() throws IOException {
        assertEquals(false, ConfigLoader.load(write(valid())).upstream.semiSync);
        assertEquals(false, dev.binlogrelay.server.wiring.UpstreamConfig.settings(ConfigLoader.load(write(valid()))).semiSync());
        RelayConfig on = ConfigLoader.load(write(valid().replace("  start: earliest", "  start: earliest\n  semi_sync: true")));
        assertEquals(true, on.upstream.semiSync);
        assertTrue(dev.binlogrelay.server.wiring.UpstreamConfig.settings(on).semiSync());
        String msg = error(valid().replace("  start: earliest", "  start: earliest\n  semi_sync: sometimes"));
        assertTrue(msg.contains("semi_sync"), msg);
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        assertTrue(error(valid().replace("  user: repl\n  password: secret\n  start", "  password: secret\n  start"))
                .contains("missing key 'upstream.user'"));
        assertTrue(error(valid().replace("server_id: 9001\n", "")).contains("missing key 'server_id'"));
        assertTrue(error(valid().replace("  listen: 127.0.0.1:3307\n", "")).contains("'downstream.listen'"));
    }

    @Test
    void sqlBackendIsOffUnlessConfiguredAndItsKeysAreChecked() throws IOException {
        org.junit.jupiter.api.Assertions.assertNull(ConfigLoader.load(write(valid())).downstream.sqlBackend);
        String backend = valid() + "  sql_backend:\n    host: 10.0.0.5\n    port: 3306\n    user: reader\n";
        RelayConfig c = ConfigLoader.load(write(backend + "    password: pw\n    ssl_mode: required\n"));
        assertEquals("10.0.0.5", c.downstream.sqlBackend.host);
        assertEquals(3306, c.downstream.sqlBackend.port);
        assertEquals("reader", c.downstream.sqlBackend.user);
        assertEquals("pw", c.downstream.sqlBackend.password);
        assertEquals("required", c.downstream.sqlBackend.sslMode);
        assertEquals("", ConfigLoader.load(write(backend)).downstream.sqlBackend.password);
        assertTrue(error(backend.replace("    host: 10.0.0.5\n", "")).contains("missing key 'downstream.sql_backend.host'"));
        assertTrue(error(backend.replace("    user: reader\n", "")).contains("missing key 'downstream.sql_backend.user'"));
        assertTrue(error(backend.replace("port: 3306\n    user", "port: 0\n    user")).contains("downstream.sql_backend.port"));
        String unknown = error(backend + "    database: x\n");
        assertTrue(unknown.contains("unknown key 'downstream.sql_backend.database'"), unknown);
    }

    @Test
    void unknownKeyIsNamed() throws IOException {
        String msg = error(valid().replace("  start: earliest", "  start: earliest\n  colour: blue"));
        assertTrue(msg.contains("unknown key 'upstream.colour'"), msg);
    }

    @Test
    void heartbeatPeriodsOutOfRangeOrNotANumberAreNamed() throws IOException {
        for (String bad : new String[]{".nan", "-1", "5000000"}) {
            String up = error(valid().replace("  start: earliest\n", "  start: earliest\n  heartbeat_period: " + bad + "\n"));
            assertTrue(up.contains("upstream.heartbeat_period"), bad + ": " + up);
            String down = error(valid().replace("  listen: 127.0.0.1:3307\n",
                    "  listen: 127.0.0.1:3307\n  default_heartbeat_period: " + bad + "\n"));
            assertTrue(down.contains("downstream.default_heartbeat_period"), bad + ": " + down);
        }
    }

    @Test
    void badPortIsNamed() throws IOException {
        String msg = error(valid().replace("port: 3306", "port: 70000"));
        assertTrue(msg.contains("upstream.port"), msg);
        String notNumber = error(valid().replace("port: 3306", "port: many"));
        assertTrue(notNumber.contains("upstream.port"), notNumber);
        String listen = error(valid().replace("127.0.0.1:3307", "127.0.0.1:99999"));
        assertTrue(listen.contains("downstream.listen"), listen);
    }

    @Test
    void unreadableDataDirIsNamed() throws IOException {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        String msg = error(valid().replace(tmp.resolve("data").toString(), file.resolve("sub").toString()));
        assertTrue(msg.contains("data_dir"), msg);
    }
}
