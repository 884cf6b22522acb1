package dev.binlogrelay.server.it;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import dev.binlogrelay.server.config.RelayConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;


/** Harness pieces for tests in other packages. */
public final class RelayHarnessAccess {
    private RelayHarnessAccess() {
    }

    /** A relay config with no upstream over an existing store. */
    public static RelayConfig config(Path dataDir) {
        return RelayHarness.config(null, dataDir, 9001, null);
    }

    /**
     * Reads a relay with mysql-binlog-connector-java (non-blocking dump from file:position) and describes each
     * event like the connector's file reader would see it, leaving out the fake rotate a dump starts with.
     */
    public static List<String> connectorEvents(int port, String file, long position) throws Exception {
        return connectorEvents(port, file, position, null);
    }

    /** As above; with a GTID set the connector dumps by GTID (COM_BINLOG_DUMP_GTID on MySQL). */
    public static List<String> connectorEvents(int port, String file, long position, String gtidSet) throws Exception {
        BinaryLogClient client = new BinaryLogClient("127.0.0.1", port, RelayHarness.USER, RelayHarness.PASSWORD);
        client.setServerId(6000 + port % 1000);
        client.setBlocking(false);
        client.setKeepAlive(false);
        client.setBinlogFilename(file);
        client.setBinlogPosition(position);
        if (gtidSet != null) {
            client.setGtidSet(gtidSet);
        }
        client.setEventDeserializer(dev.binlogrelay.server.testsupport.RawEvents.deserializer());
        client.setUseSendAnnotateRowsEvent(true); // a MariaDB reader gets ANNOTATE_ROWS only when it asks
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        client.registerEventListener(e -> {
            if (!ImportAndServeIT.isFakeRotate(e)) {
                events.add(ImportAndServeIT.describe(e));
            }
        });
        BinlogConnectorIT.runToEnd(client, port);
        return new ArrayList<>(events);
    }
}
