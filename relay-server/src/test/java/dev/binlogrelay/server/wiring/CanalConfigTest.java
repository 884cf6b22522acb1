package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.canal.CanalSettings;
import dev.binlogrelay.server.config.RelayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The canal: section, the issue's contract first, then each key's refusal naming it. */
class CanalConfigTest {
    @TempDir
    Path tmp;

    private static final String CONTRACT = """
            canal:
              listen: 127.0.0.1:11111
              destinations:
                - name: example
                  filter: "shop\\\\..*"       # optional server-side default filter
              users:                        # optional; absent = no authentication
                - user: canal
                  password: canalpw
            """;

    private ConfigFiles files() {
        return new ConfigFiles(tmp);
    }

    private String error(String canal) throws IOException {
        return files().error(files().minimal(canal));
    }

    @Test
    void theIssueContractLoads() throws IOException {
        RelayConfig c = ConfigCheck.load(files().write(files().minimal(CONTRACT)));
        CanalSettings s = CanalConfig.settings(c.canal);
        assertEquals("127.0.0.1", s.host());
        assertEquals(11111, s.port());
        assertEquals("shop\\..*", s.destinations().get("example").filter().text());
        assertTrue(s.destinations().get("example").filter().matches("shop", "orders"));
        assertFalse(s.destinations().get("example").filter().matches("crm", "orders"));
        assertFalse(s.destinations().get("example").startEarliest());
        assertEquals(Map.of("canal", "canalpw"), s.users());
        assertEquals(Duration.ofDays(7), s.holdFilesFor());
        assertEquals(16L << 20, s.maxBatchBytes());
        assertEquals(1024, s.maxConnections());
    }

    @Test
    void theSectionIsOptionalAndSoAreUsersAndFilters() throws IOException {
        assertNull(CanalConfig.settings(ConfigCheck.load(files().write(files().minimal(""))).canal));
        RelayConfig c = ConfigCheck.load(files().write(files().minimal("""
                canal:
                  listen: 127.0.0.1:0
                  destinations:
                    - name: a
                      start: earliest
                    - name: b
                      filter: "audit\\\\.log_\\\\d{1,2},shop\\\\..*"
                  hold_files_for: 2d
                  max_batch_bytes: 1M
                  max_pending_bytes: 64M
                """)));
        CanalSettings s = CanalConfig.settings(c.canal);
        assertTrue(s.users().isEmpty());
        assertTrue(s.destinations().get("a").filter().matches("any", "table"));
        assertTrue(s.destinations().get("a").startEarliest());
        assertTrue(s.destinations().get("b").filter().matches("audit", "log_12"), "a comma inside {} belongs to its expression");
        assertFalse(s.destinations().get("b").filter().matches("audit", "log_123"));
        assertEquals(Duration.ofDays(2), s.holdFilesFor());
        assertEquals(1L << 20, s.maxBatchBytes());
        assertEquals(64L << 20, s.maxPendingBytes());
    }

    @Test
    void eachBadKeyIsNamed() throws IOException {
        assertTrue(error("canal:\n  destinations:\n    - name: a\n").contains("missing key 'canal.listen'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:11111\n").contains("missing key 'canal.destinations'"));
        assertTrue(error("canal:\n  listen: nowhere\n  destinations:\n    - name: a\n").contains("'canal.listen'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - filter: x\n")
                .contains("missing key 'canal.destinations[0].name'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n    - name: a\n")
                .contains("canal.destinations[1].name repeats the destination 'a'"));
        String bad = error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n      filter: \"shop\\\\.(\"\n");
        assertTrue(bad.contains("'canal.destinations[0].filter'") && bad.contains("is not a regular expression"), bad);
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n      start: latest\n")
                .contains("'canal.destinations[0].start'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  users:\n    - user: u\n")
                .contains("missing key 'canal.users[0].password'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  hold_files_for: soon\n")
                .contains("'canal.hold_files_for'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  max_batch_bytes: 10\n")
                .contains("canal.max_batch_bytes must be between 1K and 1G"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  max_pending_bytes: 1K\n")
                .contains("canal.max_pending_bytes must be between 1M and 1T"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  max_pending_bytes: lots\n")
                .contains("'canal.max_pending_bytes'"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  max_connections: 0\n")
                .contains("canal.max_connections must be between 1 and 1000000"));
        assertTrue(error("canal:\n  listen: 127.0.0.1:1\n  destinations:\n    - name: a\n  colour: red\n")
                .contains("unknown key 'canal.colour'"));
    }
}
