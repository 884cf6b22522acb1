package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.RowsEvents;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.FaultProxy;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 16, point 8: readers cut off at random points of their stream reconnect where they stood and carry on. A
 * {@link FaultProxy} between the relay and its readers resets one dump connection (the first to receive a random number
 * of bytes more: a race between the readers) again and again, during a live workload of multi-event rows statements (binlog_row_event_max_size 1 KiB) and
 * multi-statement transactions: the cuts land inside events, statements and transactions. The readers:
 * <ul>
 *   <li>our raw reader, which resumes at the end of the last whole event it received (mid-transaction and
 *       mid-statement included): the events it collected across all its connections equal the primary's binlog
 *       byte for byte, so nothing was lost or repeated;</li>
 *   <li>a stock MariaDB GTID replica and a stock file/position replica: both end equal to the primary
 *       ({@code CHECKSUM TABLE}), the file/position one having resumed inside rows statements (counted).</li>
 * </ul>
 */
class DownstreamCutsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long CUTTING_NANOS = Duration.ofSeconds(35).toNanos();
    private static final Pattern RECONNECTED = Pattern.compile("reconnecting to retry, log '([^']+)' at position (\\d+)");

    @TempDir
    Path tmp;

    @Test
    void readersCutAtRandomPointsCarryOnWithEveryTransaction() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Relay relay = null;
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1)
                .extraArg("--binlog-row-event-max-size=1024").start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app",
                    "CREATE TABLE app.c (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(120), n INT) ENGINE=InnoDB");
            relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9621, "earliest"));
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            try (FaultProxy proxy = new FaultProxy(relay.port());
                 MariaDbServer gtidReplica = MariaDbServer.builder().name("gtid-replica").serverId(2).binlog(false).start();
                 MariaDbServer fileReplica = MariaDbServer.builder().name("file-replica").serverId(3).binlog(false).start();
                 ResumingReader raw = new ResumingReader(proxy.port(), firstFile);
                 Workload workload = new Workload(primary, seed)) {
                gtidReplica.startReplica("127.0.0.1", proxy.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.SLAVE_POS, null, 0);
                fileReplica.startReplica("127.0.0.1", proxy.port(), RelayHarness.USER, RelayHarness.PASSWORD, ReplicaMode.FILE_POS, firstFile, 4);
                raw.start();
                workload.start();

                int cuts = 0;
                long until = System.nanoTime() + CUTTING_NANOS;
                while (System.nanoTime() < until) {
                    proxy.resetOnceAfterMore(1 + random.nextInt(150_000));
                    long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                    while (proxy.resetPending() && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(10_000_000L); // polling the proxy, bounded by the deadline
                    }
                    if (!proxy.resetPending()) {
                        cuts++;
                        LockSupport.parkNanos(random.nextInt(100) * 1_000_000L); // pacing: the readers get on between cuts
                    }
                    workload.checkHealthy();
                }
                proxy.cancelPendingReset();
                workload.stop();
                assertTrue(cuts >= 10, "only " + cuts + " cuts (seed " + seed + ")");

                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                BinlogPosition end = relay.store().committedEnd().orElseThrow();
                gtidReplica.awaitReplicaCaughtUp(primary.gtidBinlogPos(), WAIT);
                fileReplica.awaitReplicaExecuted(end.file(), end.position(), WAIT);
                String expected = primary.checksumTable("app.c");
                assertEquals(expected, gtidReplica.checksumTable("app.c"), "GTID replica, seed " + seed);
                assertEquals(expected, fileReplica.checksumTable("app.c"), "file/position replica, seed " + seed);

                raw.awaitAt(end);
                List<byte[]> direct = RawStreams.read(primary.port(), firstFile);
                List<byte[]> collected = raw.events();
                assertEquals(direct.size(), collected.size(), "events from the primary vs collected across "
                        + raw.connections() + " connections (seed " + seed + ")");
                for (int i = 0; i < direct.size(); i++) {
                    if (!Arrays.equals(direct.get(i), collected.get(i))) {
                        fail("event " + i + " (" + EventType.name(Events.type(direct.get(i))) + ") differs (seed " + seed + ")");
                    }
                }

                int[] file = classify(relay, Files.readString(fileReplica.errorLog()));
                int[] gtid = classify(relay, Files.readString(gtidReplica.errorLog()));
                System.out.printf("DownstreamCutsIT: %d cuts in %d s, %d transactions (seed %d); raw reader: %d connections, "
                                + "resumed %d times inside a transaction, %d inside a rows statement, %d events equal to the "
                                + "primary's; file/position replica: %d reconnects, %d inside a rows statement; GTID replica: "
                                + "%d reconnects%n", cuts, Duration.ofNanos(CUTTING_NANOS).toSeconds(), workload.commits(), seed,
                        raw.connections(), raw.midTransaction, raw.midStatement, direct.size(), file[0], file[1], gtid[0]);
                assertNull(workload.failure.get());
            }
        } finally {
            if (relay != null) {
                relay.close();
            }
        }
    }

    /** A replica's reconnects from its error log: how many, and how many of them inside a rows statement. */
    private static int[] classify(Relay relay, String errorLog) {
        int all = 0;
        int midStatement = 0;
        Matcher m = RECONNECTED.matcher(errorLog);
        while (m.find()) {
            all++;
            Optional<StoredEvent> before = relay.store().eventEndingAt(m.group(1), Long.parseLong(m.group(2)));
            if (before.isPresent() && RowsEvents.isRowsWithinStatement(before.get().bytes())) {
                midStatement++;
            }
        }
        return new int[] {all, midStatement};
    }

    /**
     * A raw reader declaring itself like a MariaDB replica (CRC32, ANNOTATE_ROWS), blocking; when its connection
     * breaks it reconnects and dumps from the end of the last whole event it received. Keeps the events of the
     * binlog it got (artificial ones, heartbeats and re-sent format descriptions, all with log_pos 0 or flagged,
     * left out).
     */
    private static final class ResumingReader implements AutoCloseable {
        private final int port;
        private final Thread thread;
        private final List<byte[]> events = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile BinlogPosition at;
        private volatile boolean stopping;
        private volatile int connections;
        private boolean inTransaction;
        private boolean inStatement;
        int midTransaction;
        int midStatement;

        ResumingReader(int port, String firstFile) {
            this.port = port;
            this.at = new BinlogPosition(firstFile, 4);
            this.thread = new Thread(this::run, "resuming-reader");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (!stopping) {
                if (inTransaction) {
                    midTransaction++;
                }
                if (inStatement) {
                    midStatement++;
                }
                try (RawDumpClient c = new RawDumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD)) {
                    connections++;
                    c.query("SET @mariadb_slave_capability=4");
                    c.query("SET @master_binlog_checksum='CRC32'");
                    c.query("SET @master_heartbeat_period=500000000");
                    BinlogPosition from = at;
                    String file = from.file();
                    c.sendDump(from.file(), from.position(), 0x7ffffff1L, 2);
                    for (byte[] e; !stopping && (e = c.readEvent()) != null; ) {
                        file = accept(e, file);
                    }
                } catch (IOException cut) {
                    if (!stopping) {
                        LockSupport.parkNanos(20_000_000L); // a short pause before reconnecting, as replicas do
                    }
                } catch (Throwable t) {
                    failure.set(t);
                    return;
                }
            }
        }

        /** Takes one event; returns the file the stream is in. */
        private String accept(byte[] e, String file) {
            int type = Events.type(e);
            long logPos = Events.logPos(e);
            if (type == EventType.ROTATE) {
                var target = ArtificialEvents.parseRotate(e, ChecksumAlgorithm.CRC32);
                if (!Events.isArtificial(e) && logPos != 0) {
                    add(e);
                    at = new BinlogPosition(target.file(), target.position());
                }
                return target.file();
            }
            if (type == EventType.HEARTBEAT || Events.isArtificial(e) || logPos == 0) {
                return file;
            }
            add(e);
            if (type == EventType.MARIA_GTID) {
                inTransaction = (e[Events.HEADER_SIZE + 12] & 1) == 0; // FL_STANDALONE clear: a transaction follows
            } else if (type == EventType.XID || (type == EventType.QUERY && inTransaction && isCommit(e))) {
                inTransaction = false;
            }
            inStatement = RowsEvents.isRowsWithinStatement(e);
            at = new BinlogPosition(file, logPos);
            return file;
        }

        private static boolean isCommit(byte[] e) {
            String tail = new String(e, Math.max(0, e.length - 4 - 6), Math.min(6, e.length - 4), java.nio.charset.StandardCharsets.US_ASCII);
            return tail.equals("COMMIT");
        }

        private void add(byte[] e) {
            synchronized (events) {
                events.add(e);
            }
        }

        List<byte[]> events() {
            synchronized (events) {
                return new ArrayList<>(events);
            }
        }

        int connections() {
            return connections;
        }

        void awaitAt(BinlogPosition end) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!end.equals(at)) {
                if (failure.get() != null) {
                    throw new AssertionError("the raw reader failed", failure.get());
                }
                if (System.nanoTime() > deadline) {
                    fail("the raw reader is at " + at + ", not at " + end + " within " + WAIT);
                }
                LockSupport.parkNanos(20_000_000L); // polling the reader, bounded by the deadline
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            thread.interrupt();
            thread.join(10_000);
        }
    }

    /**
     * Multi-event rows statements (INSERT ... SELECT of 20 to 200 rows, range UPDATEs and DELETEs) and explicit
     * multi-statement transactions, paced a little to leave CPU to the relay and the replicas.
     */
    private static final class Workload implements AutoCloseable {
        private final MariaDbServer primary;
        private final Random random;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stopping;
        private volatile long commits;

        Workload(MariaDbServer primary, long seed) {
            this.primary = primary;
            this.random = new Random(seed ^ 0x51);
            this.thread = new Thread(this::run, "cuts-workload");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try (Connection c = primary.connect(); Statement st = c.createStatement()) {
                st.execute("SET SESSION max_recursive_iterations = 100000");
                while (!stopping) {
                    int r = random.nextInt(10);
                    int rows = 20 + random.nextInt(181);
                    if (r < 4) {
                        st.executeUpdate("INSERT INTO app.c (v, n) WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s"
                                + " WHERE k < " + rows + ") SELECT REPEAT(CHAR(65 + k % 26), 40 + k % 80), k FROM s");
                    } else if (r < 6) {
                        st.executeUpdate("UPDATE app.c SET n = n + 1, v = REVERSE(v) WHERE id BETWEEN " + randomId(st)
                                + " AND " + (randomId(st) + rows));
                    } else if (r < 7) {
                        int from = randomId(st);
                        st.executeUpdate("DELETE FROM app.c WHERE id BETWEEN " + from + " AND " + (from + 10));
                    } else {
                        c.setAutoCommit(false);
                        for (int i = 0; i < 3; i++) {
                            st.executeUpdate("INSERT INTO app.c (v, n) VALUES ('t" + i + "', " + random.nextInt(1000) + ")");
                        }
                        st.executeUpdate("UPDATE app.c SET n = n + 2 WHERE id BETWEEN " + randomId(st) + " AND " + (randomId(st) + 30));
                        c.commit();
                        c.setAutoCommit(true);
                    }
                    commits++;
                    Thread.sleep(5 + random.nextInt(15));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        private int maxId = 1;

        private int randomId(Statement st) throws java.sql.SQLException {
            if (random.nextInt(20) == 0) {
                try (var rs = st.executeQuery("SELECT COALESCE(MAX(id), 1) FROM app.c")) {
                    rs.next();
                    maxId = rs.getInt(1);
                }
            }
            return 1 + random.nextInt(Math.max(1, maxId));
        }

        long commits() {
            return commits;
        }

        void checkHealthy() {
            if (failure.get() != null) {
                throw new AssertionError("the workload failed", failure.get());
            }
        }

        void stop() throws InterruptedException {
            stopping = true;
            thread.join(30_000);
            checkHealthy();
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            thread.join(30_000);
        }
    }
}
