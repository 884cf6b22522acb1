package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The binlog as our own raw reader gets it when it declares itself like a MariaDB replica (GTID capable, CRC32,
 * ANNOTATE_ROWS wanted, non-blocking): for comparing what the relay serves with what the primary serves, byte for
 * byte, where {@code mariadb-binlog} cannot be used (MariaDB 11.x servers; the 11.4 bundle has none). The artificial
 * events each side makes for itself (fake rotates, re-sent format descriptions, heartbeats) are left out.
 */
final class RawStreams {
    /** Waits until the relay holds what the primary has. */
    interface CatchUp {
        void await() throws Exception;
    }

    private RawStreams() {
    }

    static List<byte[]> read(int port, String firstFile) throws Exception {
        try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @mariadb_slave_capability=4");
            c.query("SET @master_binlog_checksum='CRC32'");
            List<byte[]> events = new ArrayList<>();
            for (byte[] e : c.dumpAll(firstFile, 4, 0x7ffffff0L, 1 | 2)) {
                if (!Events.isArtificial(e) && Events.type(e) != EventType.HEARTBEAT) {
                    events.add(e);
                }
            }
            return events;
        }
    }

    /**
     * Asserts the relay serves the primary's events from {@code firstFile} on, byte for byte; retries twice, since the
     * primary may append a BINLOG_CHECKPOINT on its own between the two reads. Returns the number of events.
     */
    static int assertEqual(int primaryPort, int relayPort, String firstFile, CatchUp catchUp) throws Exception {
        String difference = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            catchUp.await();
            List<byte[]> direct = read(primaryPort, firstFile);
            catchUp.await();
            List<byte[]> relayed = read(relayPort, firstFile);
            difference = direct.size() == relayed.size() ? null : direct.size() + " events from the primary vs " + relayed.size();
            for (int i = 0; difference == null && i < direct.size(); i++) {
                if (!Arrays.equals(direct.get(i), relayed.get(i))) {
                    difference = "event " + i + " (" + EventType.name(Events.type(direct.get(i))) + ") differs";
                }
            }
            if (difference == null) {
                return direct.size();
            }
        }
        return fail("the relay's raw stream differs from the primary's: " + difference);
    }
}
