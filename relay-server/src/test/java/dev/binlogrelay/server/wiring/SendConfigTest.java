package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.downstream.SendLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** downstream.write_buffer_high/low, max_pending_bytes and write_timeout: loaded, defaulted, refused by name. */
class SendConfigTest {
    @TempDir
    Path tmp;

    private String config(String downstreamKeys) {
        return new ConfigFiles(tmp).minimal(downstreamKeys);
    }

    private SendLimits limits(String downstreamKeys) throws IOException {
        return SendSettings.limits(ConfigCheck.load(new ConfigFiles(tmp).write(config(downstreamKeys))).downstream);
    }

    private String error(String downstreamKeys) throws IOException {
        return new ConfigFiles(tmp).error(config(downstreamKeys));
    }

    @Test
    void keysLoad() throws IOException {
        SendLimits l = limits("  max_pending_bytes: 64M\n  write_timeout: 30s\n");
        assertEquals(64L << 20, l.maxPendingBytes());
        assertEquals(TimeUnit.SECONDS.toNanos(30), l.writeTimeoutNanos());
        assertEquals(100_000_000L, limits("  max_pending_bytes: 100000000\n").maxPendingBytes(), "a plain byte count");
        assertEquals(0, limits("  write_timeout: 0\n").writeTimeoutNanos(), "0: never");
    }

    @Test
    void defaultsFollowTheJvm() throws IOException {
        SendLimits l = limits("");
        assertEquals(SendLimits.defaultMaxPendingBytes(), l.maxPendingBytes());
        assertTrue(l.maxPendingBytes() <= 256L << 20 && l.maxPendingBytes() >= 16L << 20, String.valueOf(l.maxPendingBytes()));
        assertEquals(TimeUnit.SECONDS.toNanos(60), l.writeTimeoutNanos());
    }

    @Test
    void badValuesAreRefusedByName() throws IOException {
        String msg = error("  max_pending_bytes: lots\n");
        assertTrue(msg.contains("'downstream.max_pending_bytes'"), msg);
        msg = error("  write_timeout: soon\n");
        assertTrue(msg.contains("'downstream.write_timeout'"), msg);
        msg = error("  write_buffer_high: 1000\n  write_buffer_low: 2000\n");
        assertTrue(msg.contains("downstream.write_buffer_low must be between 0 and downstream.write_buffer_high"), msg);
        msg = error("  write_buffer_high: 8388608\n  max_pending_bytes: 4M\n");
        assertTrue(msg.contains("downstream.max_pending_bytes (4194304) must be at least downstream.write_buffer_high"), msg);
    }
}
