package dev.binlogrelay.core.flavor;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fork check's decision: which stored GTIDs a candidate primary lacks, per flavor; and where each flavor asks. */
class MissingGtidsTest {
    private static final Flavor MARIA = MariaDbFlavor.INSTANCE;
    private static final Flavor MYSQL = Flavor.fromVersion("8.0.36");

    @Test
    void mariaDbPrimaryThatHoldsEverythingOrMoreLacksNothing() {
        assertEquals(Optional.empty(), MARIA.missingGtids("0-1-120", "0-1-120"));
        assertEquals(Optional.empty(), MARIA.missingGtids("0-1-120", "0-1-150"));
        // promoted replica: its own new transactions in the domain, the old primary's up to the relay's
        assertEquals(Optional.empty(), MARIA.missingGtids("0-2-130,5-1-7", "0-1-120,0-2-135,5-1-9"));
        assertEquals(Optional.empty(), MARIA.missingGtids("", "0-1-3"));
    }

    @Test
    void mariaDbPrimaryThatWasBehindOrForkedIsNamedWithTheMissingGtids() {
        assertEquals(Optional.of("0-1-101..0-1-120"), MARIA.missingGtids("0-1-120", "0-1-100"));
        assertEquals(Optional.of("0-1-120"), MARIA.missingGtids("0-1-120", "0-1-119"));
        assertEquals(Optional.of("0-2-121..0-2-150, 7-3-9 and the earlier GTIDs of server 3 in domain 7"),
                MARIA.missingGtids("0-2-150,7-3-9", "0-1-100,0-2-120"));
        // diverged: the same sequence numbers written by another server
        assertEquals(Optional.of("0-1-120 and the earlier GTIDs of server 1 in domain 0"),
                MARIA.missingGtids("0-1-120", "0-3-125"));
        assertEquals(Optional.of("0-1-5 and the earlier GTIDs of server 1 in domain 0"), MARIA.missingGtids("0-1-5", ""));
        assertThrows(IllegalArgumentException.class, () -> MARIA.missingGtids("0-1-5", "not a gtid"));
    }

    @Test
    void mysqlPrimaryLacksTheSetDifference() {
        String a = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        String b = "4e11fa47-71ca-11e1-9e33-c80aa9429562";
        assertEquals(Optional.empty(), MYSQL.missingGtids(a + ":1-100", a + ":1-120,\n" + b + ":1-3"));
        assertEquals(Optional.of(a + ":91-100"), MYSQL.missingGtids(a + ":1-100", a + ":1-90,\n" + b + ":1-3"));
        assertEquals(Optional.of(b + ":1-2"), MYSQL.missingGtids(a + ":1-5," + b + ":1-2", a + ":1-5"));
    }

    @Test
    void eachFlavorAsksForReplicationStatusAndBinlogGtidsItsOwnWay() {
        assertEquals("SHOW ALL SLAVES STATUS", MARIA.replicationStatusQuery());
        assertEquals("SELECT @@GLOBAL.gtid_binlog_state", MARIA.binlogGtidStateQuery());
        assertEquals("SHOW REPLICA STATUS", MYSQL.replicationStatusQuery());
        assertEquals("SHOW SLAVE STATUS", Flavor.fromVersion("5.7.44").replicationStatusQuery());
        assertEquals("SELECT @@GLOBAL.gtid_executed", MYSQL.binlogGtidStateQuery());
    }
}
