package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader's GTID filter: chosen once from how it asked, and what the MariaDB one leaves out and reports. */
class ReaderGtidFilterTest {
    private static final ChecksumAlgorithm CRC = ChecksumAlgorithm.CRC32;

    /** MariaDB GTID: header | sequence (8) | domain (4) | flags2 (1) | padding (6) | CRC32. */
    private static byte[] mariaGtid(long domain, long serverId, long sequence) {
        byte[] e = new byte[Events.HEADER_SIZE + 19 + CRC.trailerSize()];
        Events.writeHeader(e, 1_700_000_000L, EventType.MARIA_GTID, serverId, e.length, 0);
        Events.put64(e, Events.HEADER_SIZE, sequence);
        Events.put32(e, Events.HEADER_SIZE + 8, domain);
        Events.fixCrc(e);
        return e;
    }

    /** MySQL GTID: header | flags (1) | uuid (16, big-endian halves) | gno (8, LE) | ... | CRC32. */
    private static byte[] mysqlGtid(java.util.UUID uuid, long gno) {
        byte[] e = new byte[Events.HEADER_SIZE + 42 + CRC.trailerSize()];
        Events.writeHeader(e, 1_700_000_000L, EventType.GTID, 1, e.length, 0);
        java.nio.ByteBuffer.wrap(e, Events.HEADER_SIZE + 1, 16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        Events.put64(e, Events.HEADER_SIZE + 17, gno);
        Events.fixCrc(e);
        return e;
    }

    @Test
    void chosenOnceFromHowTheReaderAsked() {
        assertSame(ReaderGtidFilter.NONE, ReaderGtidFilter.of(new ReaderStart.AtFilePosition("mariadb-bin.000001", 4)));
        assertInstanceOf(MariaDbReaderFilter.class,
                ReaderGtidFilter.of(new ReaderStart.AtMariaGtids(MariaGtidPosition.parse("0-1-5"))));
        MysqlGtidSet set = MysqlGtidSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
        assertInstanceOf(MysqlReaderFilter.class, ReaderGtidFilter.of(new ReaderStart.AtMysqlGtids(set, "", 4)));
        assertInstanceOf(MysqlReaderFilter.class, ReaderGtidFilter.of(new ReaderStart.AtMysqlGtids(set, "binlog.000002", 4)),
                "a MySQL reader naming its file still leaves out what it has");
        assertFalse(ReaderGtidFilter.NONE.skipsGroup(mariaGtid(0, 1, 1), EventType.MARIA_GTID, CRC));
        assertNull(ReaderGtidFilter.NONE.afterSkippedGroup(1, 400, CRC));
    }

    @Test
    void mariaDbSkipsPerDomainUntilThePositionThenReportsTheGtidListOnce() {
        MariaDbReaderFilter f = new MariaDbReaderFilter(MariaGtidPosition.parse("0-1-2,1-1-7"));
        assertTrue(f.skipsGroup(mariaGtid(0, 1, 1), EventType.MARIA_GTID, CRC));
        assertNull(f.afterSkippedGroup(9, 300, CRC), "domain 1 is not passed yet");
        assertTrue(f.skipsGroup(mariaGtid(1, 1, 7), EventType.MARIA_GTID, CRC));
        assertNull(f.afterSkippedGroup(9, 400, CRC), "domain 0 is not passed yet");
        assertTrue(f.skipsGroup(mariaGtid(0, 1, 2), EventType.MARIA_GTID, CRC), "the reader's own last GTID is left out");
        byte[] list = f.afterSkippedGroup(9, 500, CRC);
        assertEquals(EventType.MARIA_GTID_LIST, Events.type(list));
        assertEquals(500, Events.u32(list, Events.OFFSET_LOG_POS));
        assertEquals(List.of(new MariaGtid(0, 1, 2), new MariaGtid(1, 1, 7)),
                MariaGtidEvent.gtidList(list, CRC).stream().sorted(java.util.Comparator.comparingLong(MariaGtid::domainId)).toList());
        assertFalse(f.skipsGroup(mariaGtid(0, 1, 3), EventType.MARIA_GTID, CRC));
        assertFalse(f.skipsGroup(mariaGtid(2, 1, 1), EventType.MARIA_GTID, CRC), "a domain the reader never saw is sent");
        assertNull(f.afterSkippedGroup(9, 600, CRC), "reported once");
        assertFalse(f.skipsGroup(new byte[Events.HEADER_SIZE], EventType.QUERY, CRC),
                "a group without a GTID event is never left out");
    }

    @Test
    void mysqlLeavesOutWhatTheReaderExecutedWhereverItStands() {
        java.util.UUID a = java.util.UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
        java.util.UUID b = java.util.UUID.fromString("4e11fa47-71ca-11e1-9e33-c80aa9429562");
        MysqlReaderFilter f = new MysqlReaderFilter(MysqlGtidSet.parse(a + ":1-3:7"));
        assertTrue(f.skipsGroup(mysqlGtid(a, 2), EventType.GTID, CRC));
        assertFalse(f.skipsGroup(mysqlGtid(a, 4), EventType.GTID, CRC));
        assertTrue(f.skipsGroup(mysqlGtid(a, 7), EventType.GTID, CRC), "a later transaction the reader has is left out too");
        assertFalse(f.skipsGroup(mysqlGtid(b, 1), EventType.GTID, CRC));
        assertFalse(f.skipsGroup(new byte[Events.HEADER_SIZE + CRC.trailerSize()], EventType.QUERY, CRC),
                "a group without a GTID (anonymous) is sent");
        assertNull(f.afterSkippedGroup(9, 500, CRC), "MySQL tells the reader nothing after a left-out transaction");
    }
}
