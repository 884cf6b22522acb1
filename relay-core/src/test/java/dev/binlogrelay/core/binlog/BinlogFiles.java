package dev.binlogrelay.core.binlog;

import dev.binlogrelay.testkit.Fixtures;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real binlog files for tests: the shared fixtures (third-party files under {@code shared/fixtures/binlog}, found by
 * the testkit's {@link Fixtures}: a missing one skips the test, or fails it under {@code RELAY_STRICT_PEERS=1}) and
 * this module's own {@code src/test/resources/binlog}.
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

    /** Every fixture binlog file (all but the README), by relative path; the fixture rule of {@link Fixtures} applies. */
    static List<Path> fixtureFiles() {
        return Fixtures.files();
    }

    /** A fixture file's bytes (gunzipped for {@code .gz}); the fixture rule of {@link Fixtures} applies. */
    static byte[] fixture(String relative) {
        Path p = Fixtures.file(relative);
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
