package dev.binlogrelay.server.it;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventType;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2: a reader that sets @master_binlog_checksum to NONE gets events without CRC and a format
 * description that says so; a CRC32 reader gets valid CRCs on every event, artificial ones included. Both
 * streams parse with mysql-binlog-connector-java's own binlog reader.
 */
class ChecksumRewriteIT {
    @TempDir
    Path tmp;

    @Test
    void noneAndCrc32ReadersBothGetValidStreams() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            String firstFile = primary.binlogFiles().get(0);
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 30);
            try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"))) {
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
                List<byte[]> crc = dump(relay.port(), firstFile, "CRC32");
                List<byte[]> none = dump(relay.port(), firstFile, "NONE");
                assertEquals(crc.size(), none.size());
                assertTrue(crc.size() > 50);
                for (int i = 0; i < crc.size(); i++) {
                    byte[] c = crc.get(i);
                    byte[] n = none.get(i);
                    assertEquals(c.length, Events.size(c), "event " + i + " size field");
                    assertTrue(Events.crcMatches(c), "event " + i + " has a valid CRC32");
                    assertEquals(n.length, Events.size(n), "NONE event " + i + " size field");
                    if (Events.type(c) == dev.binlogrelay.core.binlog.EventType.FORMAT_DESCRIPTION) {
                        assertEquals(ChecksumAlgorithm.CRC32, FormatDescription.checksum(c));
                        assertEquals(ChecksumAlgorithm.NONE, FormatDescription.checksum(n));
                        assertEquals(c.length, n.length);
                    } else {
                        assertEquals(c.length - 4, n.length, "NONE event " + i + " lost its CRC");
                        assertArrayEquals(Events.withoutCrc(c), n);
                    }
                }
                assertEquals(parse(crc), parse(none), "the connector's file reader sees the same events");
                assertFalse(parse(none).isEmpty());
            }
        }
    }

    private static List<byte[]> dump(int port, String file, String checksum) throws Exception {
        try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @master_binlog_checksum = '" + checksum + "'");
            return c.dumpAll(file, 4, 4242);
        }
    }

    /** Event types and positions as mysql-binlog-connector-java's file reader parses the stream. */
    private static List<String> parse(List<byte[]> events) throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(new byte[]{(byte) 0xFE, 'b', 'i', 'n'});
        for (byte[] e : events.subList(1, events.size())) { // without the fake rotate, as in a file
            file.write(e);
        }
        List<String> out = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(new ByteArrayInputStream(file.toByteArray()))) {
            for (Event e; (e = reader.readEvent()) != null; ) {
                if (e.getHeader().getEventType() != EventType.ROTATE) {
                    out.add(e.getHeader().getEventType() + "@" + ((com.github.shyiko.mysql.binlog.event.EventHeaderV4) e.getHeader()).getNextPosition());
                }
            }
        }
        return out;
    }
}
