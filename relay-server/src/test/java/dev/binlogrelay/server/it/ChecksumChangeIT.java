package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * binlog_checksum changed between files (CRC32, NONE, CRC32): a MariaDB replica reading across the changes gets the
 * same stream from the relay as from the primary, artificial events included. The fake rotate that announces a new
 * file is made with the algorithm of the file before it, as the primary makes it; with the new file's algorithm
 * (before the fix) a stock 10.11 replica stopped with error 1595 at the first file whose algorithm differs.
 */
class ChecksumChangeIT {
    @TempDir
    Path tmp;

    @Test
    void theStreamAcrossChecksumChangesIsThePrimarys() throws Exception {
        try (MariaDbServer p = MariaDbServer.builder().name("primary").serverId(1).start()) {
            RelayHarness.createAppTable(p);
            StockReplicasIT.workload0(p, 3);
            p.execute("SET GLOBAL binlog_checksum = 'NONE'");
            StockReplicasIT.workload0(p, 3);
            p.execute("SET GLOBAL binlog_checksum = 'CRC32'");
            StockReplicasIT.workload0(p, 3);
            Relay relay = Relay.start(RelayHarness.config(p, tmp.resolve("relay"), 9701, "earliest"));
            try {
                RelayHarness.awaitCaughtUp(relay, p, Duration.ofSeconds(30));
                String first = p.binlogFiles().get(0);
                List<String> direct = described(p.port(), first);
                List<String> relayed = described(relay.port(), first);
                assertTrue(direct.stream().filter(d -> d.startsWith("ROTATE") && d.contains("artificial")).count() >= 3, direct.toString());
                assertEquals(direct, relayed);
            } finally {
                relay.close();
            }
        }
    }

    /** Type, end position, length, artificial flag and whether a CRC32 checks out, per event, as a MariaDB replica reads them. */
    private static List<String> described(int port, String firstFile) throws Exception {
        List<String> out = new ArrayList<>();
        try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @mariadb_slave_capability=4");
            c.query("SET @master_binlog_checksum='CRC32'");
            for (byte[] e : c.dumpAll(firstFile, 4, 0x7ffffff0L, 1)) {
                int type = Events.type(e);
                if (type == EventType.HEARTBEAT || (type == EventType.MARIA_BINLOG_CHECKPOINT)) {
                    continue; // the primary may add checkpoints between the two reads
                }
                out.add(EventType.name(type) + " end " + Events.logPos(e) + " len " + e.length
                        + (Events.isArtificial(e) ? " artificial" : "") + (Events.crcMatches(e) ? " crc" : " no-crc"));
            }
        }
        return out;
    }
}
