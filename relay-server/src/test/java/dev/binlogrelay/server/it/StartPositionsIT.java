package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * upstream.start: a relay started from a file/position, from the primary's current position or from a GTID
 * position stores the primary's binlog from exactly there, under the same coordinates.
 */
class StartPositionsIT {
    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    static String firstFile;
    static long tenthTransactionEnd;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        firstFile = primary.binlogFiles().get(0);
        RelayHarness.createAppTable(primary);
        StockReplicasIT.workload0(primary, 40);
        tenthTransactionEnd = xidEnd(10);
    }

    @AfterAll
    static void stop() {
        if (primary != null) {
            primary.close();
        }
    }

    private static long xidEnd(int n) {
        int xids = 0;
        for (List<String> r : primary.query("SHOW BINLOG EVENTS IN '" + firstFile + "'")) {
            if (r.get(2).equals("Xid") && ++xids == n) {
                return Long.parseLong(r.get(4));
            }
        }
        throw new AssertionError("fewer than " + n + " transactions");
    }

    @Test
    void fromAFileAndPosition() throws Exception {
        try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("file-pos"), 9101,
                firstFile + ":" + tenthTransactionEnd))) {
            RelayHarness.awaitCaughtUp(relay, primary, java.time.Duration.ofSeconds(60));
            BinlogFileInfo first = relay.store().files().get(0);
            assertEquals(new BinlogPosition(firstFile, tenthTransactionEnd), new BinlogPosition(first.name(), first.firstPosition()));
            sameEventsFrom(relay, firstFile, tenthTransactionEnd);
        }
    }

    @Test
    void fromTheCurrentPosition() throws Exception {
        try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("current"), 9102, "current"))) {
            RelayHarness.awaitStreaming(relay, java.time.Duration.ofSeconds(30));
            BinlogPosition current = RelayHarness.masterStatus(primary); // nothing was written since the relay asked
            StockReplicasIT.workload0(primary, 5);
            RelayHarness.awaitCaughtUp(relay, primary, java.time.Duration.ofSeconds(60));
            BinlogFileInfo first = relay.store().files().get(0);
            assertEquals(current, new BinlogPosition(first.name(), first.firstPosition()));
            sameEventsFrom(relay, current.file(), current.position());
        }
    }

    @Test
    void fromAGtidPosition() throws Exception {
        String gtid = primary.queryString("SELECT BINLOG_GTID_POS('" + firstFile + "', " + tenthTransactionEnd + ")");
        try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("gtid"), 9103, gtid))) {
            RelayHarness.awaitCaughtUp(relay, primary, java.time.Duration.ofSeconds(60));
            BinlogFileInfo first = relay.store().files().get(0);
            assertEquals(firstFile, first.name());
            assertEquals(tenthTransactionEnd, first.firstPosition(), "stored from the group after " + gtid);
            List<String> relayed = BinlogConnectorIT.sameThroughRelay(relay, primary,
                    () -> withoutPreamble(BinlogConnectorIT.readAll(primary.port(), null, 0, gtid)),
                    () -> withoutPreamble(BinlogConnectorIT.readAll(relay.port(), null, 0, gtid)));
            assertTrue(relayed.size() > 50, "events after " + gtid + ": " + relayed.size());
        }
    }

    private static void sameEventsFrom(Relay relay, String file, long position) throws Exception {
        List<String> relayed = BinlogConnectorIT.sameThroughRelay(relay, primary,
                () -> BinlogConnectorIT.readAll(primary.port(), file, position, null),
                () -> BinlogConnectorIT.readAll(relay.port(), file, position, null));
        assertTrue(relayed.size() > 3, "events from " + file + ":" + position + ": " + relayed);
    }

    private static List<String> withoutPreamble(List<String> events) {
        int first = 0;
        while (first < events.size() && !events.get(first).startsWith("MARIADB_GTID ")) {
            first++;
        }
        return events.subList(first, events.size());
    }
}
