package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** storage.retention: sizes and durations as text or numbers, optional limits, errors naming the key. */
class RetentionConfigTest {
    @TempDir
    Path tmp;

    private Path write(String storage) throws IOException {
        return new ConfigFiles(tmp).withStorage(storage);
    }

    private RetentionPolicy policy(String storage) throws IOException {
        return RetentionConfig.policy(ConfigCheck.load(write(storage)).storage.retention);
    }

    private String error(String storage) throws IOException {
        Path f = write(storage);
        return assertThrows(ConfigException.class, () -> ConfigCheck.load(f)).getMessage();
    }

    @Test
    void sizesAndDurationsAsTextOrNumbers() throws IOException {
        RetentionPolicy p = policy("""
                storage:
                  retention:
                    max_bytes: 10G
                    max_age: 7d
                """);
        assertEquals(OptionalLong.of(10L << 30), p.maxBytes());
        assertEquals(Optional.of(Duration.ofDays(7)), p.maxAge());
        assertEquals(Duration.ofSeconds(10), p.checkInterval());
        assertTrue(p.limits());

        RetentionPolicy numbers = policy("""
                storage:
                  retention:
                    max_bytes: 10737418240
                    max_age: 3600
                    check_interval: 500ms
                """);
        assertEquals(OptionalLong.of(10737418240L), numbers.maxBytes());
        assertEquals(Optional.of(Duration.ofHours(1)), numbers.maxAge());
        assertEquals(Duration.ofMillis(500), numbers.checkInterval());
    }

    @Test
    void eachLimitIsOptional() throws IOException {
        RelayConfig none = ConfigCheck.load(write(""));
        assertNull(none.storage.retention);
        assertFalse(RetentionConfig.policy(none.storage.retention).limits());
        assertEquals(OptionalLong.of(512L << 20), policy("storage:\n  retention:\n    max_bytes: 512M\n").maxBytes());
        assertEquals(Optional.empty(), policy("storage:\n  retention:\n    max_bytes: 512M\n").maxAge());
        assertEquals(Optional.of(Duration.ofHours(12)), policy("storage:\n  retention:\n    max_age: 12h\n").maxAge());
        assertFalse(policy("storage:\n  retention: {}\n").limits());
        // the existing storage keys still work beside it
        RelayConfig both = ConfigCheck.load(write("storage:\n  cache_bytes: 1024\n  sync: every_transaction\n  retention:\n    max_age: 30m\n"));
        assertEquals(1024L, both.storage.cacheBytes);
    }

    @Test
    void badValuesNameTheKey() throws IOException {
        String size = error("storage:\n  retention:\n    max_bytes: lots\n");
        assertTrue(size.contains("bad value for 'storage.retention.max_bytes'") && size.contains("'lots'"), size);
        String zero = error("storage:\n  retention:\n    max_bytes: 0\n");
        assertTrue(zero.contains("storage.retention.max_bytes must be more than 0"), zero);
        String age = error("storage:\n  retention:\n    max_age: 7 days\n");
        assertTrue(age.contains("bad value for 'storage.retention.max_age'"), age);
        String interval = error("storage:\n  retention:\n    max_age: 1d\n    check_interval: 0s\n");
        assertTrue(interval.contains("storage.retention.check_interval must be more than 0"), interval);
        String unknown = error("storage:\n  retention:\n    max_files: 3\n");
        assertTrue(unknown.contains("unknown key 'storage.retention.max_files'"), unknown);
        String huge = error("storage:\n  retention:\n    max_bytes: 99999999999T\n");
        assertTrue(huge.contains("storage.retention.max_bytes") && huge.contains("too large"), huge);
    }

    @Test
    void theShippedExampleLoadsWithItsRetentionSectionUncommented() throws IOException {
        String shipped = Files.readString(Path.of("..", "conf", "relay.yaml"))
                .replace("/var/lib/binlog-relay", tmp.resolve("example").toString());
        int section = shipped.indexOf("  # retention:");
        assertTrue(section > 0, "the example shows storage.retention");
        String yaml = shipped.substring(0, section)
                + shipped.substring(section).replace("  # retention:", "  retention:").replace("  #   ", "    ");
        Path f = tmp.resolve("example.yaml");
        Files.writeString(f, yaml);
        RetentionPolicy p = RetentionConfig.policy(ConfigCheck.load(f).storage.retention);
        assertEquals(OptionalLong.of(10L << 30), p.maxBytes());
        assertEquals(Optional.of(Duration.ofDays(7)), p.maxAge());
        assertEquals(Duration.ofSeconds(10), p.checkInterval());
    }

    @Test
    void quantities() {
        assertEquals(1, Quantities.bytes("1"));
        assertEquals(1024, Quantities.bytes("1K"));
        assertEquals(1024, Quantities.bytes("1kb"));
        assertEquals(1024, Quantities.bytes("1KiB"));
        assertEquals(3L << 40, Quantities.bytes("3T"));
        assertEquals(5, Quantities.bytes("5B"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("-1"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("1.5G"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.bytes("G"));
        assertEquals(Duration.ofSeconds(1), Quantities.duration("1s"));
        assertEquals(Duration.ofMinutes(30), Quantities.duration("30m"));
        assertEquals(Duration.ofDays(14), Quantities.duration("2w"));
        assertEquals(Duration.ofMillis(250), Quantities.duration("250ms"));
        assertEquals(Duration.ofSeconds(90), Quantities.duration("90"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.duration("1y"));
        assertThrows(IllegalArgumentException.class, () -> Quantities.duration("-5s"));
    }
}
