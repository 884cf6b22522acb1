package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks every real binlog file event by event: the events chain by event_size to the end of the file, every CRC32
 * verifies (the FDE's with the in-use flag cleared), stripping and re-adding a CRC gives the same bytes, and the
 * FDE rewrites keep a valid CRC.
 */
class BinlogFixturesTest {
    /** Relay logs: log_pos there is the primary's, not an offset in this file. */
    private static final int LOG_EVENT_RELAY_LOG_F = 0x40;

    @TestFactory
    Stream<DynamicTest> everyFixtureFile() {
        return BinlogFiles.fixtureFiles().stream()
                .filter(p -> !p.getFileName().toString().startsWith("binlog_truncated_"))
                .map(p -> DynamicTest.dynamicTest(p.toString(), () -> checkFile(fixture(p))));
    }

    @TestFactory
    Stream<DynamicTest> everyResourceFile() {
        return Stream.of("mariadb-10.11-mixed.000002", "mariadb-10.11-active.000003", "mariadb-10.11-compressed.000006")
                .map(name -> DynamicTest.dynamicTest(name, () -> checkFile(BinlogFiles.parseResource(name))));
    }

    private static BinlogFiles.Parsed fixture(Path relative) {
        return BinlogFiles.parseFixture(relative.toString().replace('\\', '/'));
    }

    static void checkFile(BinlogFiles.Parsed f) {
        List<byte[]> events = f.events();
        byte[] fde = f.fde();
        ChecksumAlgorithm alg = f.checksum();
        boolean relayLog = (Events.flags(fde) & LOG_EVENT_RELAY_LOG_F) != 0;
        long offset = 4;
        for (int i = 0; i < events.size(); i++) {
            byte[] e = events.get(i);
            String where = f.name() + " event " + i + " (" + EventType.name(Events.type(e)) + ") at " + offset;
            offset += e.length;
            if (!relayLog && !Events.isArtificial(e)) {
                assertEquals(offset, Events.logPos(e), where + ": log_pos is the end of the event");
            }
            if (alg == ChecksumAlgorithm.CRC32) {
                assertTrue(Events.crcMatches(e), where + ": CRC32");
                byte[] stripped = Events.withoutCrc(e);
                assertEquals(e.length - 4, Events.size(stripped), where);
                assertArrayEquals(e, Events.withCrc(stripped), where + ": withCrc(withoutCrc(e))");
            } else {
                byte[] added = Events.withCrc(e);
                assertTrue(Events.crcMatches(added), where + ": CRC added");
                assertArrayEquals(e, Events.withoutCrc(added), where + ": withoutCrc(withCrc(e))");
            }
            if (Events.type(e) == EventType.FORMAT_DESCRIPTION && f.fdeHasChecksumField()) {
                checkFde(e, where);
            }
        }
    }

    /** The FDE of any server since MySQL 5.6.1 / MariaDB 5.3 carries a CRC, even in a binlog_checksum=NONE file. */
    private static void checkFde(byte[] fde, String where) {
        assertTrue(Events.crcMatches(fde), where + ": the FDE's own CRC");
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            byte[] r = FormatDescription.withChecksum(fde, alg);
            assertEquals(fde.length, r.length, where);
            assertEquals(alg, FormatDescription.checksum(r), where);
            assertTrue(Events.crcMatches(r), where + ": withChecksum(" + alg + ")");
        }
        FormatDescriptionTest.assertResentProperly(fde);
    }

    @Test
    void eventsOfTheMariaDbFixture() {
        BinlogFiles.Parsed f = BinlogFiles.parseFixture("blackbeam-rust_mysql_common/mariadb-bin.000001");
        assertEquals(List.of(15, 163, 161, 162, 160, 19, 23, 16, 162, 160, 19, 23, 16),
                f.events().stream().map(Events::type).toList());
        assertEquals(ChecksumAlgorithm.CRC32, f.checksum());
        assertEquals(Events.FLAG_BINLOG_IN_USE, Events.flags(f.fde()), "a file that was not closed");
    }

    @Test
    void largeEventsAndChecksumNone() {
        // MySQL 5.6.4, binlog_checksum NONE, a 131 KB BEGIN_LOAD_QUERY event
        BinlogFiles.Parsed f = BinlogFiles.parseFixture("blackbeam-rust_mysql_common/ver_trunk_row_v2.001");
        assertEquals(ChecksumAlgorithm.NONE, f.checksum());
        assertEquals(131_095, f.events().stream().mapToInt(e -> e.length).max().orElseThrow());
    }

    @Test
    void gzippedSakilaFileWalksToTheEnd() {
        BinlogFiles.Parsed f = BinlogFiles.parseFixture("osheroff-mysql-binlog-connector-java/mysql-bin.sakila.gz");
        assertEquals(1462, f.events().size());
        assertEquals(1374, f.events().stream().filter(e -> Events.type(e) == EventType.WRITE_ROWS_V1).count());
    }

    @Test
    void truncatedFilesAreDetected() {
        byte[] cutHeader = BinlogFiles.fixture("blackbeam-rust_mysql_common/binlog_truncated_event.000001");
        BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> BinlogFiles.split("cut", cutHeader));
        assertEquals("event of 10 bytes is shorter than the 19-byte header", e.getMessage());

        byte[] cutBody = BinlogFiles.fixture("blackbeam-rust_mysql_common/binlog_truncated_prev_gtid_event.000001");
        e = assertThrows(BinlogFormatException.class, () -> BinlogFiles.split("cut", cutBody));
        assertEquals("event of 9 bytes is shorter than the 19-byte header", e.getMessage(), "cut inside the second header");
    }

    @Test
    void artificialRotateOfARelayLog() {
        List<byte[]> events = BinlogFiles.parseFixture("blackbeam-rust_mysql_common/rpl_unfiltered_hidden_gcol.000001").events();
        byte[] rotate = events.get(2);
        assertEquals(EventType.ROTATE, Events.type(rotate));
        assertTrue(Events.isArtificial(rotate));
        assertEquals(0, Events.logPos(rotate));
        assertFalse(Events.isArtificial(events.get(0)));
    }
}
