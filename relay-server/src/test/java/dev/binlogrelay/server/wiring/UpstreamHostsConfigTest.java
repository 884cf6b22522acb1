package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.upstream.UpstreamSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code upstream.hosts} (issue 11 §1): the candidates, in place of {@code upstream.host}/{@code port}, which keep working. */
class UpstreamHostsConfigTest {
    @TempDir
    Path tmp;

    private String upstream(String keys) {
        return new ConfigFiles(tmp).minimal("""
                upstream:
                %s
                  user: repl
                  password: secret
                """.formatted(keys));
    }

    private RelayConfig load(String yaml) throws IOException {
        return ConfigCheck.load(new ConfigFiles(tmp).write(yaml));
    }

    @Test
    void hostsAreTheCandidatesAndFollowTheFailover() throws IOException {
        RelayConfig c = load(upstream("  hosts: [\"db1:3306\", \"db2:3307\", db3, \"[::1]:3308\"]"));
        UpstreamSettings s = UpstreamConfig.settings(c);
        assertEquals(List.of(new UpstreamSettings.Candidate("db1", 3306), new UpstreamSettings.Candidate("db2", 3307),
                new UpstreamSettings.Candidate("db3", 3306), new UpstreamSettings.Candidate("::1", 3308)), s.candidates());
        assertTrue(s.followFailover());
        assertEquals("db1", s.host());
        assertEquals(3306, s.port());
        assertEquals("db2:3307", s.forCandidate(1).address());
        assertEquals("[::1]:3308", s.forCandidate(3).address());
        assertEquals("db1:3306,db2:3307,db3:3306,[::1]:3308", UpstreamConfig.address(c.upstream));
    }

    @Test
    void hostAndPortStillMeanOnePrimaryWithoutFailover() throws IOException {
        UpstreamSettings s = UpstreamConfig.settings(load(upstream("  host: 127.0.0.1\n  port: 3310")));
        assertEquals(List.of(new UpstreamSettings.Candidate("127.0.0.1", 3310)), s.candidates());
        assertFalse(s.followFailover());
    }

    @Test
    void badListsAreRefusedNamingTheKey() throws IOException {
        ConfigFiles files = new ConfigFiles(tmp);
        assertTrue(files.error(upstream("  hosts: []")).contains("upstream.hosts is empty"));
        assertTrue(files.error(upstream("  hosts: [\"db1:3306\"]\n  host: db1")).contains("replaces upstream.host"));
        String port = files.error(upstream("  hosts: [\"db1:3306\", \"db2:70000\"]"));
        assertTrue(port.contains("upstream.hosts[1]") && port.contains("70000"), port);
        assertTrue(files.error(upstream("  hosts: [\"db1:x\"]")).contains("upstream.hosts[0]"));
        assertTrue(files.error(upstream("  hosts: [\"db1:3306\", \"DB1:3306\"]")).contains("upstream.hosts[1] repeats DB1:3306"));
        assertTrue(files.error(upstream("  hosts: [\"::1:3306\"]")).contains("[address]:port"));
        assertTrue(files.error(upstream("  hosts: [\":3306\"]")).contains("names no host"));
    }
}
