package dev.binlogrelay.server.it;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, the behind reader at small scale: one reader starts ~96 MiB behind (at the first binlog file) while
 * four readers sit at the tail and a writer commits small transactions. The behind reader must get exactly the
 * events a direct dump of the primary gives, every tail reader every live transaction, and the tail readers
 * must be served from the hot-tail cache while the behind reader reads RocksDB. The cache check counts, it
 * does not time: with an 8 MiB cache, the behind reader can have hit the cache only for its events in the last
 * 8 MiB before the end it started at (the cache never holds anything older than the newest 8 MiB), so
 * {@code hits - thoseEvents} is a lower bound on the tail readers' hits, to compare with how many events they read.
 */
class BehindReaderIT {
    private static final long CACHE_BYTES = 8L << 20;
    private static final int BIG_ROWS = 96;
    private static final int LIVE_TRANSACTIONS = 2_000;
    private static final int TAIL_READERS = 4;
    private static final byte[] MARKER = "LIVE:".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aReaderFarBehindGetsThePrimarysBytesWhileTailReadersStayInTheCache() throws Exception {
        RelayConfig config;
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).maxBinlogSize(16L << 20).start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app", "CREATE TABLE app.big (id INT PRIMARY KEY, b LONGBLOB)",
                    "CREATE TABLE app.live (id INT PRIMARY KEY, tag CHAR(16) NOT NULL)");
            for (int i = 0; i < BIG_ROWS; i += 2) { // 96 MiB of binlog in six files, two 1 MiB rows per transaction
                primary.execute(String.format(Locale.ROOT, "INSERT INTO app.big VALUES (%d, REPEAT('%c', 1048576)), "
                        + "(%d, REPEAT('%c', 1048576))", i, 'a' + i % 26, i + 1, 'a' + (i + 1) % 26));
            }
            config = RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest");
            config.storage.cacheBytes = CACHE_BYTES;
            try (Relay relay = Relay.start(config)) {
                RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
                BinlogPosition end = relay.store().committedEnd().orElseThrow();
                assertTrue(primary.binlogFiles().size() >= 5, "the binlog spans several files: " + primary.binlogFiles());

                List<TailReader> tail = new ArrayList<>();
                try {
                    for (int i = 0; i < TAIL_READERS; i++) {
                        tail.add(new TailReader(relay.port(), end, 7100 + i));
                    }
                    for (TailReader t : tail) {
                        assertTrue(t.preamble.await(30, TimeUnit.SECONDS), "tail reader got its first events");
                    }
                    CacheStats before = relay.store().stats().cacheStats();
                    double hitsMetricBefore = counter(relay, "binlog_relay_cache_hits");
                    // hits while the baseline was scraped (tail readers may be reading): at most this many
                    long hitsDuringBaseline = relay.store().stats().cacheStats().minus(before).hitCount();

                    List<byte[]> behind;
                    Thread writer = new Thread(() -> writeLive(primary), "live-writer");
                    try (RawDumpClient c = dumpClient(relay.port())) {
                        c.sendDump(firstFile, 4, 7200, 0); // blocking: it will not end by itself
                        writer.start();
                        behind = realEventsUpTo(c, firstFile, end);
                    }
                    writer.join(60_000);
                    for (TailReader t : tail) {
                        t.awaitAll(Duration.ofSeconds(60));
                    }
                    CacheStats phase = relay.store().stats().cacheStats().minus(before);
                    double hitsMetric = counter(relay, "binlog_relay_cache_hits") - hitsMetricBefore;
                    // readers may still be served while the counters are read (the relay may still be pumping to the
                    // behind reader, which stopped reading at the end): each scrape is bracketed by two stats reads
                    CacheStats phaseAfterScrape = relay.store().stats().cacheStats().minus(before);

                    // 1. the behind reader got exactly what the primary serves up to where it started
                    List<byte[]> direct;
                    try (RawDumpClient c = dumpClient(primary.port(), MariaDbServer.REPL_USER, MariaDbServer.REPL_PASSWORD)) {
                        c.sendDump(firstFile, 4, 7300, 1);
                        direct = realEventsUpTo(c, firstFile, end);
                    }
                    assertEquals(direct.size(), behind.size(), "events up to " + end);
                    long behindBytes = 0;
                    for (int i = 0; i < direct.size(); i++) {
                        assertArrayEquals(direct.get(i), behind.get(i), "event " + i);
                        behindBytes += behind.get(i).length;
                    }
                    assertTrue(behindBytes >= 64L << 20, "the reader started far behind: " + behindBytes + " bytes");

                    // 2. every tail reader got every live transaction, in order
                    long tailReads = 0;
                    for (TailReader t : tail) {
                        assertNull(t.problem, t.problem);
                        assertEquals(LIVE_TRANSACTIONS, t.ids.cardinality(), "live transactions at a tail reader");
                        tailReads += t.events.get();
                    }

                    // 3. the tail readers' reads came from the hot-tail cache
                    long behindMayHit = eventsWithin(behind, CACHE_BYTES);
                    long tailHitsAtLeast = phase.hitCount() - behindMayHit;
                    assertTrue(tailReads >= (long) LIVE_TRANSACTIONS * TAIL_READERS * 3,
                            "a live transaction is at least GTID, table map, rows, XID: " + tailReads);
                    assertTrue(tailHitsAtLeast >= 0.95 * tailReads, "tail readers' hits at least " + tailHitsAtLeast
                            + " of their " + tailReads + " reads (" + phase + "; the behind reader read " + behind.size()
                            + " events, " + behindMayHit + " of them in the last " + CACHE_BYTES + " bytes)");
                    assertTrue(phase.missCount() >= behind.size() - behindMayHit - 2L,
                            "the behind reader's older events came from RocksDB: " + phase);
                    assertTrue(phase.hitCount() - hitsDuringBaseline <= hitsMetric + 0.5
                                    && hitsMetric <= phaseAfterScrape.hitCount() + 0.5,
                            "binlog_relay_cache_hits_total counts the same hits: " + hitsMetric + " scraped, the store counted "
                                    + phase.hitCount() + " (" + hitsDuringBaseline + " while the baseline was scraped, "
                                    + (phaseAfterScrape.hitCount() - phase.hitCount()) + " while the count was)");
                } finally {
                    for (TailReader t : tail) {
                        t.close();
                    }
                }
            }
        }
    }

    private static void writeLive(MariaDbServer primary) {
        try (Connection c = primary.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO app.live VALUES (?, ?)")) {
            for (int i = 0; i < LIVE_TRANSACTIONS; i++) {
                ps.setInt(1, i);
                ps.setString(2, String.format(Locale.ROOT, "LIVE:%08d", i));
                ps.executeUpdate();
            }
        } catch (Exception e) {
            throw new IllegalStateException("live writer failed", e);
        }
    }

    private static double counter(Relay relay, String name) {
        return relay.metrics().registry().scrape().stream().filter(s -> s.getMetadata().getName().equals(name))
                .map(s -> ((CounterSnapshot) s).getDataPoints().get(0).getValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }

    private static RawDumpClient dumpClient(int port) throws IOException {
        return dumpClient(port, RelayHarness.USER, RelayHarness.PASSWORD);
    }

    private static RawDumpClient dumpClient(int port, String user, String password) throws IOException {
        RawDumpClient c = new RawDumpClient(port, user, password);
        c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
        c.query("SET @mariadb_slave_capability = 4");
        return c;
    }

    /**
     * The events from the binlog files (artificial ones and heartbeats left out) up to and including the one
     * ending at {@code end}, following rotate events from {@code firstFile}.
     */
    static List<byte[]> realEventsUpTo(RawDumpClient c, String firstFile, BinlogPosition end) throws IOException {
        List<byte[]> out = new ArrayList<>();
        String file = firstFile;
        for (byte[] e; (e = c.readEvent()) != null; ) {
            int type = Events.type(e);
            if (type == EventType.ROTATE) {
                file = ArtificialEvents.parseRotate(e, ChecksumAlgorithm.CRC32).file();
            }
            if (Events.isArtificial(e) || type == EventType.HEARTBEAT) {
                continue;
            }
            out.add(e);
            if (file.equals(end.file()) && Events.logPos(e) == end.position()) {
                return out;
            }
        }
        throw new AssertionError("the dump ended before " + end + " after " + out.size() + " events");
    }

    /** How many of the last events of {@code events} lie within the last {@code bytes} bytes. */
    static long eventsWithin(List<byte[]> events, long bytes) {
        long n = 0;
        long sum = 0;
        for (int i = events.size() - 1; i >= 0; i--) {
            sum += events.get(i).length;
            if (sum > bytes) {
                break;
            }
            n++;
        }
        return n + 1; // the event straddling the boundary may be cached in part of its window
    }

    /** A blocking dump from the tail on its own thread, collecting the ids of the live rows it receives. */
    private static final class TailReader implements AutoCloseable {
        final RawDumpClient client;
        final Thread thread;
        final CountDownLatch preamble = new CountDownLatch(1);
        final BitSet ids = new BitSet();
        final AtomicLong events = new AtomicLong();
        volatile String problem;
        private volatile boolean closing;

        TailReader(int port, BinlogPosition at, long serverId) throws IOException {
            client = dumpClient(port);
            client.sendDump(at.file(), at.position(), serverId, 0);
            thread = new Thread(this::run, "tail-reader-" + serverId);
            thread.start();
        }

        private void run() {
            try {
                boolean fdeSeen = false;
                for (byte[] e; !closing && (e = client.readEvent()) != null; ) {
                    preamble.countDown(); // the dump has started (fake rotate, then the format description)
                    int type = Events.type(e);
                    if (Events.isArtificial(e) || type == EventType.HEARTBEAT) {
                        continue;
                    }
                    if (!fdeSeen && type == EventType.FORMAT_DESCRIPTION) {
                        fdeSeen = true; // sent at the start of the dump, not a live event
                        continue;
                    }
                    events.incrementAndGet();
                    int id = liveId(e);
                    if (id >= 0) {
                        synchronized (ids) {
                            ids.set(id);
                        }
                    }
                }
                if (!closing) {
                    problem = "the blocking dump ended";
                }
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    problem = "tail reader failed: " + e;
                }
            } finally {
                preamble.countDown();
            }
        }

        void awaitAll(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (problem == null && System.nanoTime() < deadline) {
                synchronized (ids) {
                    if (ids.cardinality() == LIVE_TRANSACTIONS) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }

        private static int liveId(byte[] e) {
            outer:
            for (int i = Events.HEADER_SIZE; i + MARKER.length + 8 <= e.length; i++) {
                for (int k = 0; k < MARKER.length; k++) {
                    if (e[i + k] != MARKER[k]) {
                        continue outer;
                    }
                }
                return Integer.parseInt(new String(e, i + MARKER.length, 8, StandardCharsets.US_ASCII));
            }
            return -1;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            closing = true;
            client.close();
            thread.join(10_000);
        }
    }
}
