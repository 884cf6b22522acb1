package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeersTest {

    @Test
    void requireSkipsOrFailsWithWhatToInstall() {
        Peers.require(true, "anything", "nothing to do");
        Class<? extends Throwable> expected = Peers.strict() ? AssertionFailedError.class : TestAbortedException.class;
        Throwable t = assertThrows(expected, () -> Peers.require(false, "mariadb-binlog", "apt-get install -y mariadb-client"));
        assertTrue(t.getMessage().contains("mariadb-binlog not found: apt-get install -y mariadb-client"), t.getMessage());
    }

    @Test
    void toolsAreFoundOnThePathAndInSbin() {
        assertTrue(Peers.tool("no-such-tool-here", "sh").isPresent());
        assertFalse(Peers.tool("no-such-tool-here").isPresent());
    }

    @Test
    void gtidPositionsCompareByDomain() {
        assertTrue(GtidPositions.covers("0-1-10,1-2-5", "0-9-10"));
        assertTrue(GtidPositions.covers("0-1-10", ""));
        assertFalse(GtidPositions.covers("0-1-9", "0-1-10"));
        assertFalse(GtidPositions.covers("0-1-10", "0-1-10,1-1-1"));
        assertEquals(2, GtidPositions.parse(" 0-1-10, 7-2-18446744073709551615").size());
    }

    @Test
    void binlogCoordinatesOrderByFileSequenceThenPosition() {
        assertTrue(Replication.compare("mariadb-bin.000010", 4, "mariadb-bin.000009", 900) > 0);
        assertTrue(Replication.compare("mariadb-bin.000002", 100, "mariadb-bin.000002", 200) < 0);
        assertEquals(0, Replication.compare("mariadb-bin.000002", 200, "mariadb-bin.000002", 200));
    }

    @Test
    void serverOptionsOutsideTheServersLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> MariaDbServer.builder().maxAllowedPacket(2L << 30));
        assertThrows(IllegalArgumentException.class, () -> MariaDbServer.builder().maxAllowedPacket(1023));
        assertThrows(IllegalArgumentException.class, () -> MariaDbServer.builder().maxBinlogSize(0));
        assertThrows(IllegalArgumentException.class, () -> MariaDbServer.builder().binlogChecksum("MD5"));
    }
}
