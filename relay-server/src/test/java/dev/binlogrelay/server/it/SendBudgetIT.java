package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 16, findings 1 and 2: what a reader can make the relay hold is counted by the memory behind it and
 * bounded, per reader and in total; heartbeats are cheap, honour back-pressure and have a floor; a reader that
 * holds memory without reading is disconnected after {@code downstream.write_timeout}.
 *
 * <p>Memory is measured with the relay's own accounting (pending writes by buffer capacity) and with the direct
 * memory of Netty's pooled allocator, which the relay's buffers come from (the relay runs in this JVM).
 */
class SendBudgetIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final int HIGH = 256 * 1024;
    private static final int LOW = 128 * 1024;
    /** A receive buffer this small makes a reader that does not read fill its side of the connection at once. */
    private static final int SMALL_RCVBUF = 4096;
    private static MariaDbServer primary;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPrimary() {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        primary.execute("CREATE DATABASE app", "CREATE TABLE app.small (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
                "CREATE TABLE app.wide (id INT AUTO_INCREMENT PRIMARY KEY, b LONGBLOB)");
    }

    @AfterAll
    static void stopPrimary() {
        if (primary != null) {
            primary.close();
        }
    }

    private Relay relay(String name, String maxPending, String writeTimeout) throws Exception {
        RelayConfig c = RelayHarness.config(primary, tmp.resolve(name), 9001, "earliest");
        c.downstream.writeBufferHigh = HIGH;
        c.downstream.writeBufferLow = LOW;
        c.downstream.maxPendingBytes = maxPending;
        c.downstream.writeTimeout = writeTimeout;
        Relay relay = Relay.start(c);
        try {
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
        } catch (Throwable t) {
            relay.close();
            throw t;
        }
        return relay;
    }

    @Test
    void aHeartbeatPeriodBelowTheFloorIsRaisedTo100Ms() throws Exception {
        try (Relay relay = relay("floor", null, "60s");
             RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            BinlogPosition end = relay.store().committedEnd().orElseThrow();
            reader.query("SET @master_binlog_checksum = @@global.binlog_checksum");
            reader.query("SET @master_heartbeat_period = 1000000"); // 1 ms, in nanoseconds as replicas send it
            reader.sendDump(end.file(), end.position(), 4001, 0);
            int heartbeats = 0;
            long start = System.nanoTime();
            long until = start + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                byte[] e = reader.readEvent(); // idle: heartbeats keep coming, the socket timeout bounds the wait
                if (e != null && Events.type(e) == EventType.HEARTBEAT) {
                    heartbeats++;
                }
            }
            // 1.5 s at the 100 ms floor is 15 heartbeats; at the 1 ms asked for it would be hundreds
            assertTrue(heartbeats >= 5 && heartbeats <= 25, heartbeats + " heartbeats in 1.5 s");
        }
    }

    @Test
    void millisecondHeartbeatsToAReaderThatDoesNotReadHoldNoMemory() throws Exception {
        try (Relay relay = relay("heartbeats", null, "60s");
             RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF)) {
            BinlogPosition end = relay.store().committedEnd().orElseThrow();
            reader.query("SET @master_binlog_checksum = @@global.binlog_checksum");
            reader.query("SET @master_heartbeat_period = 1000000");
            reader.sendDump(end.file(), end.position(), 4002, 0); // blocking, never read
            // more than the kernel's socket buffers and the reader's share: the reader is paused
            for (int i = 0; i < 3; i++) {
                insertWide(4 * 1024 * 1024);
            }
            RelayHarness.awaitCaughtUp(relay, primary, WAIT);
            awaitPendingAbove(relay, HIGH);
            long relayBefore = relay.downstream().pendingWriteBytes();
            long directBefore = directMemory();
            Thread.sleep(3000); // the idle time is what is measured: heartbeats would be due every few ms
            long relayGrowth = relay.downstream().pendingWriteBytes() - relayBefore;
            long directGrowth = directMemory() - directBefore;
            assertTrue(relayGrowth <= 1024, "heartbeats queued for a paused reader: pending writes grew by " + relayGrowth);
            assertTrue(directGrowth < 16L * 1024 * 1024, "direct memory grew by " + directGrowth + " bytes in 3 s");
        }
    }

    @Test
    void aReaderThatDoesNotReadHoldsItsShareWhateverTheCommitsAndCatchesUpLater() throws Exception {
        try (Relay relay = relay("small-commits", null, "60s");
             RawDumpClient reader = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF)) {
            // the kernel's buffers out of the way: the relay's send buffer of this reader fixed at a few KiB (its
            // receive buffer is small too), so what the reader does not read waits in the relay from the start
            relay.downstream().onDumpStarting((serverId, ch) -> ch.config().setOption(io.netty.channel.ChannelOption.SO_SNDBUF, 4096));
            BinlogPosition end = relay.store().committedEnd().orElseThrow();
            reader.query("SET @master_binlog_checksum = @@global.binlog_checksum");
            reader.sendDump(end.file(), end.position(), 4003, 0); // blocking at the tail, not read for now
            int commits = 0;
            try (Connection c = primary.connect();
                 PreparedStatement small = c.prepareStatement("INSERT INTO app.small (v) VALUES (?)")) {
                long directBefore = directMemory();
                // then single-row commits, each a few hundred bytes for the reader: before the fix each held a
                // 64 KiB buffer counted as its few hundred bytes
                for (int i = 0; i < 3000; i++) {
                    small.setInt(1, i);
                    small.executeUpdate();
                    commits++;
                }
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                long directGrowth = directMemory() - directBefore;
                long held = relay.downstream().pendingWriteBytes();
                long peak = relay.downstream().peakPendingWriteBytes();
                // the share: the high watermark, plus at most one pump's buffer past it
                assertTrue(peak <= HIGH + 2 * 64 * 1024, "the reader's pending writes peaked at " + peak + " bytes");
                assertTrue(directGrowth < 8L * 1024 * 1024, "direct memory grew by " + directGrowth + " bytes for "
                        + "3000 small commits to a reader that does not read (it holds " + held + ")");
            }

            // it is behind, not broken: once it reads it gets every transaction, from the store
            int xids = 0;
            while (xids < commits) {
                byte[] e = reader.readEvent(); // the socket timeout bounds each wait
                if (e != null && Events.type(e) == EventType.XID) {
                    xids++;
                }
            }
            assertEquals(commits, xids);
        }
    }

    @Test
    void theGlobalBudgetBoundsReadersThatDoNotReadUntilTheWriteTimeoutDisconnectsThem() throws Exception {
        int budget = 512 * 1024;
        int rowSize = 48 * 1024;
        BinlogPosition from = RelayHarness.masterStatus(primary);
        for (int i = 0; i < 200; i++) { // 9.6 MiB: more than a socket's kernel buffers and a reader's share
            insertWide(rowSize);
        }
        try (Relay relay = relay("budget", String.valueOf(budget), "3s")) {
            List<RawDumpClient> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF);
                    stalled.add(c);
                    c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                    c.sendDump(from.file(), from.position(), 4100 + i, 0); // blocking, never read
                }
                awaitPendingAbove(relay, budget);
                // a healthy reader meanwhile: paused while the budget is spent, served once the stalled readers go
                List<byte[]> events;
                long start = System.nanoTime();
                try (RawDumpClient healthy = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                    healthy.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                    events = healthy.dumpAll(from.file(), from.position(), 4200);
                }
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                long wide = events.stream().filter(e -> Events.type(e) == EventType.WRITE_ROWS_V1
                        || Events.type(e) == EventType.WRITE_ROWS_V2).count();
                assertEquals(200, wide, "the healthy reader got every row event: " + wide + " in " + tookMs + " ms");
                // each stalled reader holds at most its share plus one pump, all of them together the budget plus
                // one pump per event loop
                long peak = relay.downstream().peakPendingWriteBytes();
                long onePump = 128 * 1024 + 2 * 64 * 1024;
                int loops = Math.max(2, Runtime.getRuntime().availableProcessors());
                assertTrue(peak <= budget + loops * onePump, "pending writes peaked at " + peak + " bytes with a budget of "
                        + budget + " (8 readers' shares would be " + 8 * (HIGH + onePump) + ")");
                awaitWriteTimeouts(relay, 8);
                for (RawDumpClient c : stalled) {
                    assertDisconnected(c);
                }
                awaitPendingAtMost(relay, 0); // nothing is held once they are gone
            } finally {
                for (RawDumpClient c : stalled) {
                    c.close();
                }
            }
        }
    }

    @Test
    void underMemoryPressureReadersThatDoNotReadAreCutLongBeforeTheirWriteTimeout() throws Exception {
        int budget = 512 * 1024;
        BinlogPosition from = RelayHarness.masterStatus(primary);
        for (int i = 0; i < 200; i++) {
            insertWide(48 * 1024);
        }
        try (Relay relay = relay("pressure", String.valueOf(budget), "60s")) {
            List<RawDumpClient> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD, SMALL_RCVBUF);
                    stalled.add(c);
                    c.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                    c.sendDump(from.file(), from.position(), 4300 + i, 0); // blocking, never read
                }
                awaitPendingAbove(relay, budget);
                long start = System.nanoTime();
                List<byte[]> events;
                try (RawDumpClient healthy = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                    healthy.query("SET @master_binlog_checksum = @@global.binlog_checksum");
                    events = healthy.dumpAll(from.file(), from.position(), 4400); // each read waits at most 30 s
                }
                long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
                assertEquals(200, events.stream().filter(e -> Events.type(e) == EventType.WRITE_ROWS_V1
                        || Events.type(e) == EventType.WRITE_ROWS_V2).count());
                // the stalled readers held the budget for about 5 s each round, not for the 60 s write timeout
                assertTrue(tookSeconds < 30, "the healthy reader took " + tookSeconds + " s");
                assertTrue(relay.metrics().writeTimeouts() >= 2, "stalled readers cut: " + relay.metrics().writeTimeouts());
            } finally {
                for (RawDumpClient c : stalled) {
                    c.close();
                }
            }
        }
    }

    private static void insertWide(int size) throws Exception {
        byte[] blob = new byte[size];
        new java.util.Random(size).nextBytes(blob);
        try (Connection c = primary.connect(); PreparedStatement ps = c.prepareStatement("INSERT INTO app.wide (b) VALUES (?)")) {
            ps.setBytes(1, blob);
            ps.executeUpdate();
        }
    }

    /** Direct memory Netty's pooled allocator holds (what the relay's buffers come from). */
    private static long directMemory() {
        return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    private static void awaitPendingAbove(Relay relay, long bytes) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (relay.downstream().pendingWriteBytes() < bytes) {
            if (System.nanoTime() > deadline) {
                fail("the readers' pending writes did not reach " + bytes + " bytes: " + relay.downstream().pendingWriteBytes());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // polling a counter, bounded above
        }
    }

    private static void awaitPendingAtMost(Relay relay, long bytes) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (relay.downstream().pendingWriteBytes() > bytes) {
            if (System.nanoTime() > deadline) {
                fail("the readers' pending writes did not fall to " + bytes + " bytes: " + relay.downstream().pendingWriteBytes());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    private static void awaitWriteTimeouts(Relay relay, int n) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (relay.metrics().writeTimeouts() < n) {
            if (System.nanoTime() > deadline) {
                fail("expected " + n + " readers disconnected by the write timeout, got " + relay.metrics().writeTimeouts());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Reads what the relay had sent before it closed the connection; ends at the close, not a timeout. */
    private static void assertDisconnected(RawDumpClient c) {
        try {
            while (c.readEvent() != null) {
                // drain
            }
            fail("a stalled reader got EOF instead of being disconnected");
        } catch (SocketTimeoutException e) {
            fail("a stalled reader is still connected");
        } catch (IOException expected) {
            // the connection was closed
        }
    }
}
