package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.ReplicaMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 16, finding 1: a failure in one reader's send path (here a buffer allocation throwing
 * {@link OutOfMemoryError}, injected with a {@link FailingAllocator} on that reader's channel) ends that reader's
 * connection, and nothing after the failed event reaches it: what it received is a gap-free prefix of the
 * binlog, so a stock GTID replica that reconnects converges with the primary. The other readers are not touched.
 *
 * <p>Before the fix the error escaped the commit fan-out after the reader's cursor had moved on: the reader
 * stayed connected and its stream silently lost events (a stock replica stopped with error 1595 or diverged).
 */
class SendPathFailureIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String[] TABLES = {"app.t_rows", "app.t_json", "app.t_blob"};
    private static final long HEALTHY_REPLICA = 2;
    private static final long FAULTY_REPLICA = 3;
    private static final long FAULTY_RAW = 7777;
    /** How many of the faulty replica's connections get an allocator that fails. */
    private static final int FAULTY_CONNECTIONS = 3;

    @TempDir
    Path tmp;

    @Test
    void anAllocationFailureEndsOnlyThatReaderAndItsStreamHasNoGap() throws Exception {
        Map<Long, AtomicInteger> dumps = new ConcurrentHashMap<>();
        List<FailingAllocator> injected = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        WarningsAndErrors logged = new WarningsAndErrors();
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"));
             MariaDbServer healthy = MariaDbServer.builder().name("replica-healthy").serverId(HEALTHY_REPLICA).start();
             MariaDbServer faulty = MariaDbServer.builder().name("replica-faulty").serverId(FAULTY_REPLICA).start()) {
            String firstFile = primary.binlogFiles().get(0);
            primary.execute("CREATE DATABASE app",
                    "CREATE TABLE app.t_rows (id INT PRIMARY KEY, v VARCHAR(64), n BIGINT) ENGINE=InnoDB",
                    "CREATE TABLE app.t_json (id INT PRIMARY KEY, doc JSON) ENGINE=InnoDB",
                    "CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB");
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            java.util.Random random = new java.util.Random(16);
            relay.downstream().onDumpStarting((serverId, channel) -> {
                int n = dumps.computeIfAbsent(serverId, k -> new AtomicInteger()).incrementAndGet();
                boolean fails = serverId == FAULTY_RAW || (serverId == FAULTY_REPLICA && n <= FAULTY_CONNECTIONS);
                if (fails) {
                    // fail one allocation a little into the stream: after the preamble, in the middle of the workload
                    FailingAllocator a = new FailingAllocator(4 + random.nextInt(12));
                    injected.add(a);
                    channel.config().setAllocator(a);
                }
            });
            // the healthy replica by file and position (never cut, so never resumed inside a statement), the faulty
            // one by GTID: it reconnects after each injected failure and resumes from what it has
            healthy.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                    ReplicaMode.FILE_POS, firstFile, 4);
            faulty.startReplica("127.0.0.1", relay.port(), RelayHarness.USER, RelayHarness.PASSWORD,
                    ReplicaMode.SLAVE_POS, null, 0);
            List<byte[]> rawEvents = java.util.Collections.synchronizedList(new ArrayList<>());
            Future<Throwable> raw = pool.submit(() -> {
                try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                    c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                    c.sendDump(firstFile, 4, FAULTY_RAW, 0); // blocking: only the relay ends it
                    while (true) {
                        byte[] e = c.readEvent();
                        if (e == null) {
                            return new AssertionError("the blocking dump ended with EOF");
                        }
                        rawEvents.add(e);
                    }
                } catch (Throwable t) {
                    return t;
                }
            });

            // a live workload until every failing allocator has failed and the faulty replica has come back after
            // each failure (within its 1 s connect retry), bounded; then some more
            long deadline = System.nanoTime() + WAIT.toNanos();
            int from = 0;
            while (System.nanoTime() < deadline && !(injectedFailures(injected) == FAULTY_CONNECTIONS + 1
                    && dumps.getOrDefault(FAULTY_REPLICA, new AtomicInteger()).get() > FAULTY_CONNECTIONS)) {
                StockReplicasIT.workload(primary, from, from + 20);
                from += 20;
            }
            StockReplicasIT.bigRow(primary, 1, 3 * 1024 * 1024);
            StockReplicasIT.workload(primary, from, from + 40);
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);

            // the raw reader was disconnected, and everything it got is the binlog from its start, without a gap
            List<byte[]> all;
            try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                all = c.dumpAll(firstFile, 4, 7778);
            }
            List<byte[]> got = new ArrayList<>(rawEvents);
            for (int i = 0; i < got.size() && i < all.size(); i++) {
                if (!Arrays.equals(all.get(i), got.get(i))) {
                    fail("event " + i + " of the faulty reader's stream is not the binlog's event " + i
                            + ": an event was skipped (" + got.size() + " events received, " + all.size() + " stored)");
                }
            }
            assertTrue(got.size() < all.size(), "the faulty reader was cut before the end: " + got.size() + " of " + all.size());
            Throwable end = raw.get(10, TimeUnit.SECONDS);
            if (end instanceof SocketTimeoutException || !(end instanceof IOException)) {
                throw new AssertionError("the faulty raw reader was not disconnected", end);
            }
            assertTrue(injectedFailures(injected) == FAULTY_CONNECTIONS + 1, "every failing allocator failed once: "
                    + injectedFailures(injected) + "; dumps " + dumps);

            String target = primary.gtidBinlogPos();
            healthy.awaitReplicaCaughtUp(target, WAIT);
            faulty.awaitReplicaCaughtUp(target, WAIT);
            for (String t : TABLES) {
                String expected = primary.checksumTable(t);
                assertEquals(expected, healthy.checksumTable(t), "healthy replica, " + t);
                assertEquals(expected, faulty.checksumTable(t), "faulty replica, " + t);
            }
            assertEquals(1, dumps.get(HEALTHY_REPLICA).get(), "the healthy replica was never disconnected: " + dumps);
            assertTrue(dumps.get(FAULTY_REPLICA).get() > FAULTY_CONNECTIONS,
                    "the faulty replica was disconnected at each failure and came back: " + dumps);
            assertTrue(relay.metrics().sendFailures() >= FAULTY_CONNECTIONS + 1,
                    "each failure was counted: " + relay.metrics().sendFailures());
            // one WARN line per failure, without a stack trace, and nothing else escaped
            List<ch.qos.logback.classic.spi.ILoggingEvent> lines = logged.events();
            List<ch.qos.logback.classic.spi.ILoggingEvent> failures = lines.stream()
                    .filter(e -> e.getFormattedMessage().contains("after a failure in its send path")).toList();
            assertEquals(FAULTY_CONNECTIONS + 1, failures.size(), "one line per injected failure: " + failures);
            assertTrue(failures.stream().allMatch(e -> e.getThrowableProxy() == null && e.getLevel() == ch.qos.logback.classic.Level.WARN),
                    "WARN lines without a stack trace");
            List<String> others = lines.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR
                    || e.getFormattedMessage().contains("A task raised an exception")).map(e -> e.getFormattedMessage()).toList();
            assertEquals(List.of(), others, "no error escaped the send path");
        } finally {
            logged.close();
            pool.shutdownNow();
        }
    }

    /** WARN and ERROR events logged in this JVM (the relay runs in it) while the test runs. */
    private static final class WarningsAndErrors implements AutoCloseable {
        private final ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();

        WarningsAndErrors() {
            ch.qos.logback.classic.filter.ThresholdFilter warn = new ch.qos.logback.classic.filter.ThresholdFilter();
            warn.setLevel("WARN");
            warn.start();
            appender.addFilter(warn);
            appender.start();
            root.addAppender(appender);
        }

        List<ch.qos.logback.classic.spi.ILoggingEvent> events() {
            synchronized (appender) { // AppenderBase appends under this lock
                return new ArrayList<>(appender.list);
            }
        }

        @Override
        public void close() {
            root.detachAppender(appender);
            appender.stop();
        }
    }

    private static int injectedFailures(List<FailingAllocator> injected) {
        synchronized (injected) {
            return injected.stream().mapToInt(FailingAllocator::failures).sum();
        }
    }
}
