package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.testkit.Fixtures;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The recorded binlogs (shared/fixtures/binlog, found by the testkit's {@link Fixtures}: a missing one skips the
 * test, or fails it under RELAY_STRICT_PEERS=1) decoded through a {@link RowsStream}.
 */
final class RowsFixtures {
    private RowsFixtures() {
    }

    static byte[] file(String relative) {
        Path p = Fixtures.file(relative);
        try {
            if (relative.endsWith(".gz")) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                    return in.readAllBytes();
                }
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events of a binlog file (after the 4-byte magic), chained by event_size. */
    static List<byte[]> events(byte[] file) {
        List<byte[]> out = new ArrayList<>();
        int off = 4;
        while (off + Events.HEADER_SIZE <= file.length) {
            int size = (int) Events.u32(file, off + Events.OFFSET_SIZE);
            out.add(java.util.Arrays.copyOfRange(file, off, off + size));
            off += size;
        }
        return out;
    }

    /** Every rows event of a fixture file, decoded in order. */
    static List<RowsEvent> rows(String relative) {
        RowsStream s = new RowsStream(RowsFormat.DEFAULT_MAX_INFLATED);
        List<RowsEvent> out = new ArrayList<>();
        for (byte[] e : events(file(relative))) {
            out.addAll(s.accept(e));
        }
        return out;
    }

    /**
     * The statement texts a file records beside its rows: MariaDB's ANNOTATE_ROWS (160) and MySQL's ROWS_QUERY (29,
     * with binlog_rows_query_log_events), in order. These are the source statements of the rows that follow them.
     */
    static List<String> statements(String relative) {
        byte[] file = file(relative);
        List<byte[]> events = events(file);
        int crc = dev.binlogrelay.core.binlog.FormatDescription.checksum(events.get(0))
                == dev.binlogrelay.core.binlog.ChecksumAlgorithm.CRC32 ? 4 : 0;
        List<String> out = new ArrayList<>();
        for (byte[] e : events) {
            int type = Events.type(e);
            int from = type == 160 ? Events.HEADER_SIZE : type == 29 ? Events.HEADER_SIZE + 1 : -1;
            if (from > 0) {
                out.add(new String(e, from, e.length - crc - from, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
