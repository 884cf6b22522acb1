package dev.binlogrelay.core.binlog;

import dev.binlogrelay.core.gtid.MariaGtid;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.binlogrelay.core.binlog.ChecksumAlgorithm.CRC32;
import static dev.binlogrelay.core.binlog.ChecksumAlgorithm.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MariaGtidEventTest {
    private static List<byte[]> ofType(List<byte[]> events, int type) {
        List<byte[]> r = new ArrayList<>();
        for (byte[] e : events) {
            if (Events.type(e) == type) {
                r.add(e);
            }
        }
        return r;
    }

    @Test
    void gtidsOfTheMariaDb105Fixture() {
        List<byte[]> events = BinlogFiles.parseFixture("blackbeam-rust_mysql_common/mariadb-bin.000001").events();
        List<MariaGtid> gtids = ofType(events, EventType.MARIA_GTID).stream().map(MariaGtidEvent::gtid).toList();
        assertEquals(List.of(MariaGtid.parse("0-1-1"), MariaGtid.parse("0-1-2")), gtids);
        for (byte[] e : ofType(events, EventType.MARIA_GTID)) {
            assertEquals(0x0C, MariaGtidEvent.flags2(e), "FL_TRANSACTIONAL | FL_ALLOW_PARALLEL, not standalone");
        }
        List<byte[]> lists = ofType(events, EventType.MARIA_GTID_LIST);
        assertEquals(1, lists.size());
        assertEquals(List.of(), MariaGtidEvent.gtidList(lists.get(0), CRC32), "the first file of a new server");
    }

    @Test
    void gtidsAndFlagsOfTheMariaDb1011Resource() {
        List<byte[]> events = BinlogFiles.parseResource("mariadb-10.11-mixed.000002").events();
        List<String> seen = new ArrayList<>();
        for (byte[] e : ofType(events, EventType.MARIA_GTID)) {
            seen.add(MariaGtidEvent.gtid(e) + String.format("/%02x", MariaGtidEvent.flags2(e)));
        }
        // 0x01 FL_STANDALONE, 0x04 FL_TRANSACTIONAL, 0x08 FL_ALLOW_PARALLEL, 0x20 FL_DDL, 0x40 FL_PREPARED_XA,
        // 0x80 FL_COMPLETED_XA
        assertEquals(List.of("0-1-1/29", "0-1-2/29", "0-1-3/0c", "0-1-4/0c", "0-1-5/29", "0-1-6/08", "0-1-7/4c",
                "0-1-8/8d", "0-1-9/29"), seen);
        List<byte[]> next = BinlogFiles.parseResource("mariadb-10.11-active.000003").events();
        assertEquals(List.of(MariaGtid.parse("0-1-9")),
                MariaGtidEvent.gtidList(ofType(next, EventType.MARIA_GTID_LIST).get(0), CRC32),
                "the next file's GTID_LIST holds the last GTID of the previous one");
    }

    @Test
    void sequenceIsUnsigned64BitAndServerIdComesFromTheHeader() {
        byte[] e = TestEvents.mariaGtid(0xFFFF_FFFFL, 0xFFFF_FFFEL, -1L, MariaGtidEvent.FL_STANDALONE, NONE);
        MariaGtid g = MariaGtidEvent.gtid(e);
        assertEquals(new MariaGtid(0xFFFF_FFFFL, 0xFFFF_FFFEL, -1L), g);
        assertEquals("4294967295-4294967294-18446744073709551615", g.toString());
        assertEquals(MariaGtidEvent.FL_STANDALONE, MariaGtidEvent.flags2(e));
    }

    @Test
    void tooShortGtidEvent() {
        byte[] e = TestEvents.event(EventType.MARIA_GTID, new byte[12], NONE);
        assertThrows(BinlogFormatException.class, () -> MariaGtidEvent.gtid(e));
    }

    @Test
    void gtidListCountIgnoresTheFlagBitsAndIsBoundsChecked() {
        List<MariaGtid> two = List.of(new MariaGtid(0, 1, 5), new MariaGtid(1, 1, 6));
        byte[] e = ArtificialEvents.fakeGtidList(1, two, 0, NONE);
        e[Events.HEADER_SIZE + 3] |= (byte) 0x10; // top 4 bits of the count field are flags
        assertEquals(two, MariaGtidEvent.gtidList(e, NONE));

        e[Events.HEADER_SIZE] = 3; // announces 3, carries 2
        BinlogFormatException x = assertThrows(BinlogFormatException.class, () -> MariaGtidEvent.gtidList(e, NONE));
        assertEquals("GTID_LIST announces 3 GTIDs but is " + e.length + " bytes", x.getMessage());

        byte[] withCrc = ArtificialEvents.fakeGtidList(1, two, 0, CRC32);
        assertThrows(BinlogFormatException.class, () -> MariaGtidEvent.gtidList(Events.withoutCrc(withCrc), CRC32),
                "a CRC32 reader must not read the last GTID's bytes as the CRC");
        assertThrows(BinlogFormatException.class,
                () -> MariaGtidEvent.gtidList(TestEvents.event(EventType.MARIA_GTID_LIST, new byte[3], NONE), NONE));
    }
}
