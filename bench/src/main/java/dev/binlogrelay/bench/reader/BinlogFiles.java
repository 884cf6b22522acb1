package dev.binlogrelay.bench.reader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The expected content of a whole-binlog dump, read straight from the primary's binary log files: the same
 * totals and fingerprint that {@link DumpStreamCounter} computes over the events a dump sends.
 *
 * <pre>
 * file  : magic 0xFE 'b' 'i' 'n' (4) | event | event | ...
 * event : timestamp (4) | type (1) | server_id (4) | event_size (4) | log_pos (4) | flags (2) | ... | crc32 (4)
 * </pre>
 *
 * ANNOTATE_ROWS events are left out unless the dump asks for them (flag 2), as MariaDB's dump thread does.
 */
public final class BinlogFiles {
    static final int ANNOTATE_ROWS = 160;
    private static final int MAGIC = 4;

    private BinlogFiles() {
    }

    /** Totals of the dump of {@code files} (names, in order) found in {@code dir}. */
    public static Expected expected(Path dir, List<String> files, boolean sendAnnotate) {
        return expected(dir, files, sendAnnotate, -1);
    }

    /**
     * Totals of the dump of {@code files} up to {@code lastFileEnd} in the last one (-1: to the end of each file),
     * for a binlog that is still being written.
     */
    public static Expected expected(Path dir, List<String> files, boolean sendAnnotate, long lastFileEnd) {
        long events = 0;
        long bytes = 0;
        long fingerprint = 0;
        long fileBytes = 0;
        for (String name : files) {
            Path file = dir.resolve(name);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = lastFileEnd >= 0 && name.equals(files.get(files.size() - 1)) ? lastFileEnd : ch.size();
                fileBytes += size;
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                map.order(ByteOrder.LITTLE_ENDIAN);
                long at = MAGIC;
                while (at < size) {
                    if (at + DumpStreamCounter.EVENT_HEADER > size) {
                        throw new IllegalStateException(file + ": truncated event header at " + at);
                    }
                    int type = map.get((int) at + 4) & 0xFF;
                    long eventSize = Integer.toUnsignedLong(map.getInt((int) at + 9));
                    if (eventSize < DumpStreamCounter.EVENT_HEADER || at + eventSize > size) {
                        throw new IllegalStateException(file + ": bad event_size " + eventSize + " at " + at);
                    }
                    if (type != ANNOTATE_ROWS || sendAnnotate) {
                        int crc = map.getInt((int) (at + eventSize - 4));
                        events++;
                        bytes += eventSize;
                        fingerprint = StreamTally.mix(fingerprint, type, eventSize, crc);
                    }
                    at += eventSize;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read binary log " + file, e);
            }
        }
        return new Expected(files.size(), fileBytes, events, bytes, fingerprint);
    }

    /** What a whole-binlog dump must deliver (besides artificial events). */
    public record Expected(int files, long fileBytes, long events, long eventBytes, long fingerprint) {
        /** Null when {@code t} got exactly this, otherwise what is wrong. */
        public String check(StreamTally t) {
            if (t.problem() != null) {
                return t.problem();
            }
            if (!t.eof()) {
                return "no EOF";
            }
            if (t.crcErrors() > 0) {
                return t.crcErrors() + " events with a wrong CRC32";
            }
            if (t.realEvents() != events || t.realEventBytes() != eventBytes || t.fingerprint() != fingerprint) {
                return "got " + t.realEvents() + " events / " + t.realEventBytes() + " B / fingerprint "
                        + Long.toHexString(t.fingerprint()) + ", expected " + events + " / " + eventBytes + " B / "
                        + Long.toHexString(fingerprint);
            }
            return null;
        }
    }
}
