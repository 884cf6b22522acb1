package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real binlog files for tests: the shared fixtures (third-party files under {@code shared/fixtures/binlog}, which
 * may be absent: tests using them are skipped then) and this module's own {@code src/test/resources/binlog}.
 */
final class BinlogFiles {
    static final byte[] MAGIC = {(byte) 0xFE, 'b', 'i', 'n'};

    /** A file split into its events. */
    record Parsed(String name, List<byte[]> events) {
        byte[] fde() {
            byte[] first = events.get(0);
            assertEquals(EventType.FORMAT_DESCRIPTION, Events.type(first), name + ": first event");
            return first;
        }

        /** False for MySQL before 5.6.1, whose FDE has neither checksum_alg nor a CRC. */
        boolean fdeHasChecksumField() {
            String version = FormatDescription.serverVersion(fde());
            return !version.matches("5\\.[015]\\..*") || version.contains("MariaDB");
        }

        /** The file's checksum algorithm (NONE when the FDE predates checksums). */
        ChecksumAlgorithm checksum() {
            return fdeHasChecksumField() ? FormatDescription.checksum(fde()) : ChecksumAlgorithm.NONE;
        }
    }

    private BinlogFiles() {
    }

    /**
     * The shared fixture folder: {@code $RELAY_FIXTURES} (the {@code binlog} folder itself or a folder holding it),
     * else the first {@code shared/fixtures/binlog} found walking up from the working directory.
     */
    static Optional<Path> fixtureDir() {
        String env = System.getenv("RELAY_FIXTURES");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            for (Path candidate : List.of(p, p.resolve("binlog"), p.resolve("fixtures/binlog"))) {
                if (Files.isRegularFile(candidate.resolve("README.md")) && Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/binlog");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The fixture folder, or the calling test is skipped. */
    static Path requireFixtureDir() {
        Optional<Path> dir = fixtureDir();
        Assumptions.assumeTrue(dir.isPresent(), "shared/fixtures/binlog not found (set RELAY_FIXTURES to run these tests)");
        return dir.get();
    }

    /** Every fixture binlog file (all but the README), by relative path. */
    static List<Path> fixtureFiles() {
        Path dir = requireFixtureDir();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md"))
                    .map(dir::relativize).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture file's bytes (gunzipped for {@code .gz}), or the calling test is skipped. */
    static byte[] fixture(String relative) {
        Path p = requireFixtureDir().resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(p), relative + " not in the fixture folder");
        try {
            byte[] raw = Files.readAllBytes(p);
            if (relative.endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                    return in.readAllBytes();
                }
            }
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file from this module's test resources ({@code src/test/resources/binlog}). */
    static byte[] resource(String name) {
        try (InputStream in = BinlogFiles.class.getResourceAsStream("/binlog/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource binlog/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Parsed parseFixture(String relative) {
        return new Parsed(relative, split(relative, fixture(relative)));
    }

    static Parsed parseResource(String name) {
        return new Parsed(name, split(name, resource(name)));
    }

    /**
     * Splits a binlog file into events: the 4-byte magic, then events chained by their event_size. Each event is
     * checked with {@link Events#checkHeader}, so a truncated file raises {@link BinlogFormatException}.
     */
    static List<byte[]> split(String name, byte[] file) {
        if (file.length < 4 || !Arrays.equals(MAGIC, Arrays.copyOf(file, 4))) {
            throw new BinlogFormatException(name + " does not start with the binlog magic");
        }
        List<byte[]> events = new ArrayList<>();
        int off = 4;
        while (off < file.length) {
            int remaining = file.length - off;
            long size = remaining >= Events.HEADER_SIZE ? Events.u32(file, off + Events.OFFSET_SIZE) : remaining;
            byte[] e = Arrays.copyOfRange(file, off, off + (int) Math.min(size, remaining));
            Events.checkHeader(e);
            events.add(e);
            off += e.length;
        }
        return events;
    }
}
