package dev.binlogrelay.core.binlog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzzes the import path: {@link BinlogFile#parse} on a whole file, then every event through the parsers the importer
 * applies (see {@link EventChecks}). Contract: a parsed file or {@link BinlogFormatException}; a parsed file's events
 * start with a format description, fill the file exactly and each has a matching size field.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/binlog/BinlogFileFuzzTestInputs/parse/}: small real
 * binlog files (shared/fixtures/binlog, see its README for sources and licences; this module's MariaDB 10.11 files).
 */
class BinlogFileFuzzTest {
    @FuzzTest
    @Timeout(10)
    void parse(byte[] data) {
        Optional<BinlogFile> parsed = EventChecks.parsed(() -> BinlogFile.parse("fuzz-bin.000001", data));
        if (parsed.isEmpty()) {
            return;
        }
        BinlogFile file = parsed.get();
        assertFalse(file.events().isEmpty());
        assertEquals(EventType.FORMAT_DESCRIPTION, Events.type(file.formatDescription()));
        long size = 4;
        ChecksumAlgorithm alg = ChecksumAlgorithm.NONE;
        GroupTracker tracker = new GroupTracker();
        for (byte[] e : file.events()) {
            assertEquals(e.length, Events.size(e));
            size += e.length;
            alg = EventChecks.check(e, alg, tracker);
        }
        assertEquals(data.length, size, "events fill the file");
        assertEquals(alg, file.checksum());
    }
}
