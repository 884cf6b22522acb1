package dev.binlogrelay.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
    void missingKeyIsNamed() throws IOException {
        assertTrue(error(valid().replace("  user: repl\n  password: secret\n  start", "  password: secret\n  start"))
                .contains("missing key 'upstream.user'"));
        assertTrue(error(valid().replace("server_id: 9001\n", "")).contains("missing key 'server_id'"));
        assertTrue(error(valid().replace("  listen: 127.0.0.1:3307\n", "")).contains("'downstream.listen'"));
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

    @Test
    void startPositionsParse() {
        assertInstanceOf(ConfigLoader.StartPosition.Earliest.class, ConfigLoader.StartPosition.parse("earliest"));
        assertInstanceOf(ConfigLoader.StartPosition.Current.class, ConfigLoader.StartPosition.parse("current"));
        assertEquals(new ConfigLoader.StartPosition.FilePosition("mariadb-bin.000002", 1234),
                ConfigLoader.StartPosition.parse("mariadb-bin.000002:1234"));
        assertEquals("0-1-100,1-2-3", ((ConfigLoader.StartPosition.Gtid) ConfigLoader.StartPosition.parse("0-1-100,1-2-3"))
                .position().toString());
        assertThrows(IllegalArgumentException.class, () -> ConfigLoader.StartPosition.parse("yesterday"));
    }

    @Test
    void mysqlGtidSetStarts() {
        String uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        // a single transaction looks like FILE:POSITION to a naive parser; the UUID decides
        for (String text : new String[] {uuid + ":5", uuid + ":1-100", uuid + ":1-100:200," + uuid.replace('3', '4') + ":1-3",
                uuid + ":tx:1-5", " " + uuid.toUpperCase() + ":1-2 "}) {
            ConfigLoader.StartPosition p = ConfigLoader.StartPosition.parse(text);
            assertInstanceOf(ConfigLoader.StartPosition.MysqlGtids.class, p, text);
            assertEquals(dev.binlogrelay.core.gtid.MysqlGtidSet.parse(text.trim()).toString(),
                    ((ConfigLoader.StartPosition.GtidStart) p).text());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.StartPosition.parse(uuid + ":5-1"));
        assertTrue(e.getMessage().contains("not a MySQL GTID set"), e.getMessage());
        // file names that merely contain hex and dashes stay file positions
        assertInstanceOf(ConfigLoader.StartPosition.FilePosition.class, ConfigLoader.StartPosition.parse("binlog.000001:4"));
    }
}
