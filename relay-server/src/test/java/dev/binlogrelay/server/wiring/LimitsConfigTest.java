package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.downstream.DownstreamLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downstream limit keys of issue 16: defaults, values, and refusals naming the key. */
class LimitsConfigTest {
    @TempDir
    Path tmp;

    private String config(String downstreamKeys) {
        return new ConfigFiles(tmp).minimal(downstreamKeys.indent(2));
    }

    @Test
    void defaults() throws IOException {
        DownstreamLimits l = LimitsConfig.limits(ConfigCheck.load(new ConfigFiles(tmp).write(config(""))).downstream);
        assertEquals(16L << 20, l.maxPacket());
        assertEquals(64L << 10, l.maxLoginPacket());
        assertEquals(Duration.ofSeconds(10), l.connectTimeout());
        assertEquals(Duration.ofSeconds(28800), l.idleTimeout());
        assertEquals(4096, l.maxConnections());
        assertEquals(128, l.maxUnauthenticatedPerHost());
        assertEquals(10, l.authFailureThreshold());
        assertEquals(Duration.ofSeconds(30), l.authFailureMaxDelay());
        assertEquals(1L << 20, l.maxUserVariablesBytes());
        assertEquals(Duration.ofSeconds(5), l.startWait());
    }

    @Test
    void values() throws IOException {
        DownstreamLimits l = LimitsConfig.limits(ConfigCheck.load(new ConfigFiles(tmp).write(config("""
                max_packet: 1048576
                connect_timeout: 500ms
                idle_timeout: 2
                max_connections: 10
                max_unauthenticated_per_host: 3
                max_login_packet: 4096
                auth_failure_threshold: 0
                auth_failure_max_delay: 1m
                max_user_variables_bytes: 0
                start_wait: 30s
                """))).downstream);
        assertEquals(Duration.ofSeconds(30), l.startWait());
        assertEquals(1L << 20, l.maxPacket());
        assertEquals(Duration.ofMillis(500), l.connectTimeout());
        assertEquals(Duration.ofSeconds(2), l.idleTimeout());
        assertEquals(10, l.maxConnections());
        assertEquals(3, l.maxUnauthenticatedPerHost());
        assertEquals(4096, l.maxLoginPacket());
        assertEquals(0, l.authFailureThreshold());
        assertEquals(Duration.ofMinutes(1), l.authFailureMaxDelay());
        assertEquals(0, l.maxUserVariablesBytes());
    }

    @Test
    void badValuesNameTheKey() throws IOException {
        ConfigFiles files = new ConfigFiles(tmp);
        assertTrue(files.error(config("connect_timeout: 0")).contains("downstream.connect_timeout must be more than 0"));
        assertTrue(files.error(config("idle_timeout: soon")).contains("bad value for 'downstream.idle_timeout'"));
        assertTrue(files.error(config("max_connections: 0")).contains("downstream.max_connections must be 1 or more"));
        assertTrue(files.error(config("max_unauthenticated_per_host: -1")).contains("downstream.max_unauthenticated_per_host"));
        assertTrue(files.error(config("max_login_packet: 100")).contains("downstream.max_login_packet must be between"));
        assertTrue(files.error(config("max_packet: 4096\nmax_login_packet: 8192")).contains("downstream.max_login_packet"));
        assertTrue(files.error(config("auth_failure_threshold: -2")).contains("downstream.auth_failure_threshold"));
        assertTrue(files.error(config("auth_failure_max_delay: 5 parsecs")).contains("downstream.auth_failure_max_delay"));
        assertTrue(files.error(config("max_packet: 2147483648")).contains("downstream.max_packet must be between"));
        assertTrue(files.error(config("start_wait: 2h")).contains("downstream.start_wait must be at most 1h"));
        assertTrue(files.error(config("start_wait: later")).contains("bad value for 'downstream.start_wait'"));
        assertEquals(Duration.ZERO, LimitsConfig.limits(ConfigCheck.load(files.write(config("start_wait: 0"))).downstream).startWait(),
                "0: a dump from a start the relay lacks is refused at once");
        assertTrue(files.error(config("max_conections: 5")).contains("unknown key 'downstream.max_conections'"));
    }
}
