package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FormatDescriptionTest {
    /** create_timestamp: after binlog_version (2) and server_version (50). */
    private static final int OFFSET_CREATE_TS = Events.HEADER_SIZE + 2 + 50;

    /** The FDE of a closed MariaDB 10.11 file: in-use flag clear, CRC32. */
    private static byte[] closedFde() {
        return BinlogFiles.parseResource("mariadb-10.11-mixed.000002").fde();
    }

    /** The FDE of a file MariaDB still had open: in-use flag set. */
    private static byte[] openFde() {
        return BinlogFiles.parseResource("mariadb-10.11-active.000003").fde();
    }

    /** Indexes where two equally long arrays differ. */
    private static String differences(byte[] a, byte[] b) {
        assertEquals(a.length, b.length, "same length");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                sb.append(sb.length() == 0 ? "" : ",").append(i);
            }
        }
        return sb.toString();
    }

    @Test
    void versionAndChecksumOfARealMariaDbFde() {
        byte[] fde = closedFde();
        FormatDescription.check(fde);
        assertEquals(252, fde.length);
        assertEquals("10.11.19-MariaDB-0+deb12u1-log", FormatDescription.serverVersion(fde));
        assertEquals(ChecksumAlgorithm.CRC32, FormatDescription.checksum(fde));
        assertTrue(Events.crcMatches(fde));
    }

    @Test
    void openFileFdeHasTheInUseFlagAndACrcComputedWithoutIt() {
        byte[] fde = openFde();
        assertEquals(Events.FLAG_BINLOG_IN_USE, Events.flags(fde) & Events.FLAG_BINLOG_IN_USE);
        assertTrue(Events.crcMatches(fde));
    }

    @Test
    void withoutInUseFlagClearsOnlyTheFlag() {
        byte[] fde = openFde();
        byte[] copy = fde.clone();
        byte[] cleared = FormatDescription.withoutInUseFlag(fde);
        assertEquals(0, Events.flags(cleared) & Events.FLAG_BINLOG_IN_USE);
        assertEquals(String.valueOf(Events.OFFSET_FLAGS), differences(fde, cleared));
        assertTrue(Events.crcMatches(cleared), "the CRC never covered the flag");
        assertArrayEquals(copy, fde, "the input is not modified");
        byte[] closed = closedFde();
        assertSame(closed, FormatDescription.withoutInUseFlag(closed), "nothing to clear: same array");
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void withChecksumKeepsTheSizeAndYieldsAValidCrc(ChecksumAlgorithm alg) {
        for (byte[] fde : new byte[][] {closedFde(), openFde()}) {
            byte[] r = FormatDescription.withChecksum(fde, alg);
            assertEquals(fde.length, r.length);
            assertEquals(fde.length, Events.size(r));
            assertEquals(alg, FormatDescription.checksum(r));
            assertTrue(Events.crcMatches(r));
            String changed = differences(fde, r);
            if (alg == ChecksumAlgorithm.CRC32) {
                assertEquals("", changed, "already CRC32: identical");
            } else {
                assertTrue(changed.startsWith(String.valueOf(fde.length - 5)), "only the algorithm byte and CRC: " + changed);
            }
            assertArrayEquals(fde, FormatDescription.withChecksum(r, ChecksumAlgorithm.CRC32), "and back");
        }
    }

    @Test
    void asResentZeroesLogPosAndCreateTimestampAndClearsTheInUseFlag() {
        byte[] fde = openFde();
        Events.put32(fde, OFFSET_CREATE_TS, 1_650_493_071L); // the first file of a server carries its start time
        Events.fixCrc(fde);
        assertResentProperly(fde);
    }

    /** Checks {@link FormatDescription#asResent} of any FDE. */
    static void assertResentProperly(byte[] fde) {
        byte[] copy = fde.clone();
        byte[] r = FormatDescription.asResent(fde);
        assertArrayEquals(copy, fde, "the input is not modified");
        assertEquals(0, Events.logPos(r));
        assertEquals(0, Events.u32(r, OFFSET_CREATE_TS));
        assertEquals(0, Events.flags(r) & Events.FLAG_BINLOG_IN_USE);
        assertEquals(Events.timestamp(fde), Events.timestamp(r), "the header timestamp is kept (servers keep it)");
        assertEquals(fde.length, r.length);
        assertTrue(Events.crcMatches(r));
        byte[] expected = fde.clone();
        Events.setLogPos(expected, 0);
        Events.put32(expected, OFFSET_CREATE_TS, 0);
        Events.setFlags(expected, Events.flags(expected) & ~Events.FLAG_BINLOG_IN_USE);
        assertArrayEquals(Arrays.copyOf(expected, fde.length - 4), Arrays.copyOf(r, r.length - 4), "nothing else changes");
    }

    @Test
    void checkRejectsOtherEventsAndShortOnes() {
        BinlogFormatException e = assertThrows(BinlogFormatException.class,
                () -> FormatDescription.check(TestEvents.xid(ChecksumAlgorithm.CRC32)));
        assertEquals("expected a FORMAT_DESCRIPTION event, got XID", e.getMessage());
        byte[] tooShort = TestEvents.event(EventType.FORMAT_DESCRIPTION, new byte[60], ChecksumAlgorithm.NONE);
        assertThrows(BinlogFormatException.class, () -> FormatDescription.checksum(tooShort));
    }

    @Test
    void unknownChecksumAlgorithmIsAnError() {
        byte[] fde = closedFde();
        fde[fde.length - 5] = 8;
        BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> FormatDescription.checksum(fde));
        assertEquals("unknown checksum algorithm 8 in format description", e.getMessage());
    }

    @Test
    void realFdeWithCreateTimestampResent() {
        byte[] fde = BinlogFiles.parseFixture("blackbeam-rust_mysql_common/mariadb-bin.000001").fde();
        assertNotEquals(0, Events.u32(fde, OFFSET_CREATE_TS));
        assertEquals("10.5.15-MariaDB-1:10.5.15+maria~focal-log", FormatDescription.serverVersion(fde));
        assertResentProperly(fde);
    }

    @Test
    void checksumNoneFileStillHasACrcOnItsFde() {
        // MySQL and MariaDB always checksum the FDE itself; binlog_checksum=NONE only affects the events after it
        byte[] fde = BinlogFiles.parseFixture("osheroff-mysql-binlog-connector-java/mysql-bin.checksum-none").fde();
        assertEquals(ChecksumAlgorithm.NONE, FormatDescription.checksum(fde));
        assertTrue(Events.crcMatches(fde));
    }

    @Test
    void pre561FdeHasNoChecksumField() {
        // MySQL 5.5 wrote no checksum_alg (the byte where it would be is a post-header length) and no CRCs
        byte[] fde = BinlogFiles.parseFixture("osheroff-mysql-binlog-connector-java/mysql-bin.sakila.gz").fde();
        assertEquals("5.5.27-log", FormatDescription.serverVersion(fde));
        assertFalse(FormatDescription.hasChecksumField(fde));
        assertEquals(ChecksumAlgorithm.NONE, FormatDescription.checksum(fde));
        assertThrows(BinlogFormatException.class, () -> FormatDescription.withChecksum(fde, ChecksumAlgorithm.CRC32));
    }
}
