package dev.binlogrelay.server.it;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.network.ServerException;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2 acceptance: mysql-binlog-connector-java (Debezium's reader) reads the same sequence of events
 * (type, file, position) through the relay as from the primary, from the first file and from a GTID.
 */
class BinlogConnectorIT {
    @TempDir
    Path tmp;

    @Test
    void connectorSeesTheSameEventsThroughTheRelayAsFromThePrimary() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            String firstFile = primary.binlogFiles().get(0);
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 50);
            primary.execute("FLUSH BINARY LOGS");
            StockReplicasIT.workload0(primary, 30);
            try (Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"))) {
                List<String> relayed = sameThroughRelay(relay, primary, () -> readAll(primary.port(), firstFile, 4, null),
                        () -> readAll(relay.port(), firstFile, 4, null));
                assertTrue(relayed.size() > 100, "workload produced " + relayed.size() + " events");

                // from a GTID in the middle
                String gtid = primary.queryString("SELECT BINLOG_GTID_POS('" + firstFile + "', "
                        + midTransactionBoundary(primary, firstFile) + ")");
                List<String> relayedGtid = sameThroughRelay(relay, primary, () -> withoutPreamble(readAll(primary.port(), null, 0, gtid)),
                        () -> withoutPreamble(readAll(relay.port(), null, 0, gtid)));
                assertTrue(relayedGtid.size() > 20 && relayedGtid.size() < relayed.size(), "GTID start read " + relayedGtid.size());
            }
        }
    }

    interface Read {
        List<String> read() throws Exception;
    }

    /**
     * Reads from the primary and through the relay and asserts both saw the same. The primary may append an
     * event on its own between the two reads (MariaDB writes BINLOG_CHECKPOINT asynchronously after a
     * rotate), so a mismatch is retried after the relay caught up again, a bounded number of times.
     */
    static List<String> sameThroughRelay(Relay relay, MariaDbServer primary, Read direct, Read relayed) throws Exception {
        List<String> d = null;
        List<String> r = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            d = direct.read();
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            r = relayed.read();
            if (d.equals(r)) {
                return r;
            }
        }
        assertEquals(d, r);
        return r;
    }

    /** The position after the 10th transaction of the file. */
    private static long midTransactionBoundary(MariaDbServer primary, String file) {
        List<List<String>> rows = primary.query("SHOW BINLOG EVENTS IN '" + file + "'");
        int xids = 0;
        for (List<String> r : rows) {
            if (r.get(2).equals("Xid") && ++xids == 10) {
                return Long.parseLong(r.get(4));
            }
        }
        throw new AssertionError("fewer than 10 transactions in " + file);
    }

    /** What a GTID dump sends before the first real group differs between servers only in artificial events. */
    private static List<String> withoutPreamble(List<String> events) {
        List<String> out = new ArrayList<>();
        boolean started = false;
        for (String e : events) {
            if (e.startsWith("MARIADB_GTID ")) {
                started = true;
            }
            if (started) {
                out.add(e);
            }
        }
        return out;
    }

    /** Reads the binlog with a non-blocking dump; each event as "TYPE file:nextPosition". */
    static List<String> readAll(int port, String file, long position, String gtid) throws Exception {
        BinaryLogClient client = new BinaryLogClient("127.0.0.1", port, RelayHarness.USER, RelayHarness.PASSWORD);
        client.setServerId(7000 + port % 1000);
        client.setBlocking(false);
        client.setKeepAlive(false);
        if (gtid != null) {
            client.setGtidSet(gtid);
        } else {
            client.setBinlogFilename(file);
            client.setBinlogPosition(position);
        }
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        String[] currentFile = {file};
        client.registerEventListener((Event e) -> {
            EventHeaderV4 h = e.getHeader();
            if (e.getData() instanceof RotateEventData r) {
                currentFile[0] = r.getBinlogFilename();
            }
            events.add(h.getEventType() + " " + currentFile[0] + ":" + h.getNextPosition());
        });
        runToEnd(client, port);
        return new ArrayList<>(events);
    }

    /**
     * Runs a non-blocking dump to its EOF on a thread of its own, bounded to 60 s, and fails the test if the
     * reader reported a communication or deserialization failure.
     */
    static void runToEnd(BinaryLogClient client, int port) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
            }

            @Override
            public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
            }

            @Override
            public void onDisconnect(BinaryLogClient c) {
                done.countDown();
            }
        });
        Thread t = new Thread(() -> {
            try {
                client.connect();
            } catch (Exception e) {
                failure.set(e);
                done.countDown();
            }
        }, "binlog-client-" + port);
        t.start();
        boolean finished = done.await(60, TimeUnit.SECONDS);
        if (!finished) {
            client.disconnect();
        }
        t.join(10_000);
        assertTrue(finished, "non-blocking dump from port " + port + " did not end within 60 s");
        assertNull(failure.get(), () -> "reader on port " + port + " failed: " + failure.get());
    }

    /**
     * A dump by mysql-binlog-connector-java (by file and position, or by GTID when {@code gtid} is set) that the
     * server on {@code port} must refuse: the server's error.
     */
    static ServerException refusedDump(int port, long serverId, String file, long position, String gtid) {
        BinaryLogClient client = new BinaryLogClient("127.0.0.1", port, RelayHarness.USER, RelayHarness.PASSWORD);
        client.setServerId(serverId);
        if (gtid != null) {
            client.setGtidSet(gtid);
        } else {
            client.setBinlogFilename(file);
            client.setBinlogPosition(position);
        }
        client.setKeepAlive(false);
        client.setBlocking(false);
        AtomicReference<Exception> failure = new AtomicReference<>();
        client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
            }
        });
        try {
            client.connect();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
        Exception e = failure.get();
        assertTrue(e instanceof ServerException, "expected a server error, got " + e);
        return (ServerException) e;
    }
}
