package dev.binlogrelay.core.binlog;

import dev.binlogrelay.core.Hex;
import dev.binlogrelay.core.gtid.MariaGtid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArtificialEventsTest {
    private static final long SERVER_ID = 0xFFFF_FFF0L;

    /** Header checks every built event must pass, with the CRC present exactly when {@code alg} is CRC32. */
    private static void assertWellFormed(byte[] e, int type, ChecksumAlgorithm alg) {
        Events.checkHeader(e);
        assertEquals(type, Events.type(e));
        assertEquals(SERVER_ID, Events.serverId(e));
        assertEquals(0, Events.timestamp(e));
        if (alg == ChecksumAlgorithm.CRC32) {
            assertTrue(Events.crcMatches(e), "valid CRC");
        }
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void fakeRotateParsesBack(ChecksumAlgorithm alg) {
        String file = "mariadb-bin.000123";
        long position = 5_000_000_000L; // past 4 GiB: the rotate's position field is 64-bit
        byte[] e = ArtificialEvents.fakeRotate(SERVER_ID, file, position, alg);
        assertWellFormed(e, EventType.ROTATE, alg);
        assertEquals(Events.HEADER_SIZE + 8 + file.length() + alg.trailerSize(), e.length);
        assertEquals(0, Events.logPos(e));
        assertTrue(Events.isArtificial(e));
        assertEquals(new ArtificialEvents.RotateTarget(file, position), ArtificialEvents.parseRotate(e, alg));
    }

    @Test
    void fakeRotateWithANonAsciiName() {
        byte[] e = ArtificialEvents.fakeRotate(SERVER_ID, "binlög.000001", 4, ChecksumAlgorithm.CRC32);
        assertEquals("binlög.000001", ArtificialEvents.parseRotate(e, ChecksumAlgorithm.CRC32).file());
    }

    @Test
    void crcOfAFakeRotateDiffersOnlyByTheTrailer() {
        byte[] none = ArtificialEvents.fakeRotate(SERVER_ID, "f.000001", 4, ChecksumAlgorithm.NONE);
        byte[] crc = ArtificialEvents.fakeRotate(SERVER_ID, "f.000001", 4, ChecksumAlgorithm.CRC32);
        assertEquals(Hex.of(none), Hex.of(Events.withoutCrc(crc)));
    }

    @Test
    void parseRotateReadsARealRotate() {
        List<byte[]> events = BinlogFiles.parseResource("mariadb-10.11-mixed.000002").events();
        byte[] rotate = events.get(events.size() - 1);
        assertEquals(EventType.ROTATE, Events.type(rotate));
        assertFalse(Events.isArtificial(rotate), "a rotate written at the end of a file is real");
        assertEquals(new ArtificialEvents.RotateTarget("mariadb-bin.000003", 4),
                ArtificialEvents.parseRotate(rotate, ChecksumAlgorithm.CRC32));
    }

    @Test
    void parseRotateRejectsATruncatedBody() {
        byte[] e = TestEvents.event(EventType.ROTATE, new byte[7], ChecksumAlgorithm.NONE);
        assertThrows(BinlogFormatException.class, () -> ArtificialEvents.parseRotate(e, ChecksumAlgorithm.NONE));
        byte[] withCrc = TestEvents.event(EventType.ROTATE, new byte[8], ChecksumAlgorithm.CRC32);
        assertEquals(new ArtificialEvents.RotateTarget("", 0), ArtificialEvents.parseRotate(withCrc, ChecksumAlgorithm.CRC32));
        assertThrows(BinlogFormatException.class, () -> ArtificialEvents.parseRotate(
                TestEvents.event(EventType.ROTATE, new byte[7], ChecksumAlgorithm.CRC32), ChecksumAlgorithm.CRC32));
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void heartbeatNamesTheFileAndCarriesThePositionInLogPos(ChecksumAlgorithm alg) {
        byte[] e = ArtificialEvents.heartbeat(SERVER_ID, "mariadb-bin.000002", 2006, alg);
        assertWellFormed(e, EventType.HEARTBEAT, alg);
        assertEquals(2006, Events.logPos(e));
        assertEquals(0, Events.flags(e));
        assertEquals("mariadb-bin.000002", new String(e, Events.HEADER_SIZE,
                e.length - Events.HEADER_SIZE - alg.trailerSize(), StandardCharsets.UTF_8));
    }

    @Test
    void heartbeatPositionPast4GiBWrapsIn32BitLogPos() {
        byte[] e = ArtificialEvents.heartbeat(SERVER_ID, "f", 0x1_0000_0010L, ChecksumAlgorithm.CRC32);
        assertEquals(0x10, Events.logPos(e));
        assertTrue(Events.crcMatches(e));
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void fakeGtidListParsesBack(ChecksumAlgorithm alg) {
        List<MariaGtid> gtids = List.of(new MariaGtid(0, 1, 100), new MariaGtid(7, 0xFFFF_FFFFL, -1L),
                new MariaGtid(0xFFFF_FFFFL, 2, Long.MIN_VALUE));
        byte[] e = ArtificialEvents.fakeGtidList(SERVER_ID, gtids, 4242, alg);
        assertWellFormed(e, EventType.MARIA_GTID_LIST, alg);
        assertEquals(Events.HEADER_SIZE + 4 + 16 * 3 + alg.trailerSize(), e.length);
        assertEquals(4242, Events.logPos(e));
        assertTrue(Events.isArtificial(e));
        assertEquals(gtids, MariaGtidEvent.gtidList(e, alg));
    }

    @Test
    void emptyFakeGtidList() {
        byte[] e = ArtificialEvents.fakeGtidList(SERVER_ID, List.of(), 0, ChecksumAlgorithm.CRC32);
        assertEquals(Events.HEADER_SIZE + 4 + 4, e.length);
        assertTrue(Events.crcMatches(e));
        assertEquals(List.of(), MariaGtidEvent.gtidList(e, ChecksumAlgorithm.CRC32));
    }

    @Test
    void fakeGtidListHasTheLayoutOfARealOne() {
        // the GTID_LIST MariaDB wrote at the start of a file: one GTID, 0-1-9
        byte[] real = BinlogFiles.parseResource("mariadb-10.11-active.000003").events().get(1);
        assertEquals(EventType.MARIA_GTID_LIST, Events.type(real));
        List<MariaGtid> gtids = MariaGtidEvent.gtidList(real, ChecksumAlgorithm.CRC32);
        assertEquals(List.of(new MariaGtid(0, 1, 9)), gtids);
        byte[] ours = ArtificialEvents.fakeGtidList(SERVER_ID, gtids, Events.logPos(real), ChecksumAlgorithm.CRC32);
        assertEquals(real.length, ours.length);
        assertEquals(Hex.of(Arrays.copyOfRange(real, Events.HEADER_SIZE, real.length - 4)),
                Hex.of(Arrays.copyOfRange(ours, Events.HEADER_SIZE, ours.length - 4)), "same body");
    }
}
