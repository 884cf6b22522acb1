package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.binlogrelay.server.downstream.EmbeddedRelay.command;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.frames;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.onePacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dump handler ({@link ClientSession} handing the connection to a {@link DumpSession}) on an
 * {@link EmbeddedChannel} whose "socket" the test drains by hand, over a real store holding one synthetic file
 * ({@link TestBinlog}): what a dump sends, that a reader whose channel is not writable is paused and resumed where
 * it stopped, and that a reader holding the pending-write budget without reading is ended.
 */
@Timeout(20)
class DumpSessionTest {
    private static final int EVENTS = 200;
    private static final int EVENT_SIZE = 1000;
    @TempDir
    static Path dir;
    private static BinlogStore store;
    /** The file as stored: the format description, then the events. */
    private static List<byte[]> file;
    private EmbeddedRelay relay;
    private HeldChannel ch;

    @BeforeAll
    static void fill() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withSegmentCacheBytes(0));
        file = TestBinlog.fill(store, EVENTS, EVENT_SIZE);
    }

    @AfterAll
    static void closeStore() {
        store.close();
    }

    @AfterEach
    void stop() {
        if (ch != null) {
            ch.release();
            ch.finishAndReleaseAll();
        }
        relay.close();
    }

    /** A logged-in reader declaring what a MariaDB replica declares: it takes events with their stored checksums. */
    private void connect(SendLimits limits, WriteBufferWaterMark watermark) {
        relay = new EmbeddedRelay(DownstreamLimits.defaults(16 << 20), AuthPlugin.MYSQL_NATIVE_PASSWORD, store, limits);
        ch = relay.connect(new HeldChannel());
        ch.config().setWriteBufferWaterMark(watermark);
        ch.config().setMessageSizeEstimator(CapacityEstimator.INSTANCE); // as the server's child channels count
        EmbeddedRelay.logIn(ch);
        for (String sql : List.of("SET @master_binlog_checksum = @@global.binlog_checksum", "SET @mariadb_slave_capability = 4")) {
            byte[] q = sql.getBytes(StandardCharsets.UTF_8);
            byte[] p = new byte[1 + q.length];
            p[0] = Commands.COM_QUERY;
            System.arraycopy(q, 0, p, 1, q.length);
            command(ch, p);
            assertEquals(0, onePacket(ch)[0], sql);
        }
    }

    private static byte[] dump(long position) {
        ByteBuf b = new BinlogDump(position, BinlogDump.NON_BLOCK, 3, TestBinlog.FILE).encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Where stored event {@code i} of the file ends. */
    private static long endOf(int i) {
        long end = 4;
        for (int k = 0; k <= i; k++) {
            end += file.get(k).length;
        }
        return end;
    }

    @Test
    void aNonBlockingDumpFrom4SendsARotateTheFileAsStoredAndEof() {
        connect(SendLimits.defaults(), new WriteBufferWaterMark(1 << 20, 4 << 20));
        command(ch, dump(4));
        List<EmbeddedRelay.Packet> stream = frames(ch);
        assertEquals(1 + file.size() + 1, stream.size(), "fake rotate, the file, EOF");
        for (int i = 0; i < stream.size(); i++) {
            assertEquals(i + 1, stream.get(i).seq(), "packet " + i + " follows the command");
        }
        byte[] rotate = event(stream.get(0));
        assertEquals(EventType.ROTATE, Events.type(rotate));
        assertTrue(Events.isArtificial(rotate));
        assertEquals(new ArtificialEvents.RotateTarget(TestBinlog.FILE, 4), ArtificialEvents.parseRotate(rotate, ChecksumAlgorithm.CRC32));
        for (int i = 0; i < file.size(); i++) {
            assertArrayEquals(file.get(i), event(stream.get(1 + i)), "stored event " + i + " as stored");
        }
        assertTrue(EofPacket.is(Unpooled.wrappedBuffer(stream.get(stream.size() - 1).payload())), "EOF ends a non-blocking dump");
    }

    /**
     * After a non-blocking dump's EOF the connection is in its command phase again, as on the server: the next
     * command starts at sequence id 0 (mariadb-binlog sends COM_QUIT; another client may query or dump again).
     */
    @Test
    void afterTheEofOfANonBlockingDumpTheConnectionTakesCommandsAgain() {
        connect(SendLimits.defaults(), new WriteBufferWaterMark(1 << 20, 4 << 20));
        command(ch, dump(4));
        List<EmbeddedRelay.Packet> first = frames(ch);
        assertTrue(EofPacket.is(Unpooled.wrappedBuffer(first.get(first.size() - 1).payload())), "EOF ends the dump");
        byte[] q = "SELECT 1".getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[1 + q.length];
        p[0] = Commands.COM_QUERY;
        System.arraycopy(q, 0, p, 1, q.length);
        command(ch, p);
        List<EmbeddedRelay.Packet> answer = frames(ch);
        assertEquals(1, answer.get(0).payload()[0] & 0xFF, "a result set of one column after the dump");
        assertTrue(ch.isOpen(), "the connection stays open");
        command(ch, dump(endOf(10)));
        List<EmbeddedRelay.Packet> second = frames(ch);
        assertEquals(1 + 1 + (file.size() - 11) + 1, second.size(), "rotate, format description, the rest, EOF");
        command(ch, new byte[] {(byte) Commands.COM_QUIT});
        assertFalse(ch.isOpen(), "COM_QUIT closes the connection");
    }

    /** Inside the file: the rotate names the position, and the format description is re-sent as a server does. */
    @Test
    void aDumpFromInsideTheFileResendsTheFormatDescription() {
        connect(SendLimits.defaults(), new WriteBufferWaterMark(1 << 20, 4 << 20));
        command(ch, dump(endOf(100)));
        List<EmbeddedRelay.Packet> stream = frames(ch);
        assertEquals(new ArtificialEvents.RotateTarget(TestBinlog.FILE, endOf(100)),
                ArtificialEvents.parseRotate(event(stream.get(0)), ChecksumAlgorithm.CRC32));
        assertArrayEquals(FormatDescription.asResent(file.get(0)), event(stream.get(1)));
        assertArrayEquals(file.get(101), event(stream.get(2)), "then the event at the position");
        assertEquals(2 + (file.size() - 101) + 1, stream.size());
    }

    /**
     * Back-pressure: while the reader's channel is over its high watermark the dump sends nothing more; each time
     * the socket drains, it goes on where it stopped. The stream is whole and in order at the end.
     */
    @Test
    void aReaderThatIsNotWritableIsPausedAndResumedWhereItStopped() {
        connect(SendLimits.defaults(), new WriteBufferWaterMark(8 * 1024, 16 * 1024));
        ch.hold();
        command(ch, dump(4));
        List<EmbeddedRelay.Packet> stream = new ArrayList<>();
        int pauses = 0;
        while (true) {
            ch.runPendingTasks(); // the pump a writability change scheduled
            if (ch.isWritable()) {
                ch.drain(); // under the watermark with nothing more to send: the end of the dump
                stream.addAll(frames(ch));
                break;
            }
            long held = ch.heldBytes();
            for (int i = 0; i < 3; i++) {
                ch.runPendingTasks();
            }
            assertEquals(held, ch.heldBytes(), "a paused reader is sent nothing");
            pauses++;
            assertTrue(pauses < 100, "the dump ends");
            ch.drain(); // the reader reads what it was sent: writable again, the session resumes
            stream.addAll(frames(ch));
        }
        assertTrue(EofPacket.is(Unpooled.wrappedBuffer(stream.get(stream.size() - 1).payload())), "the dump ended with EOF");
        assertTrue(pauses >= 3, EVENTS * EVENT_SIZE + " bytes through a 16 KiB window pause more than that: " + pauses);
        assertEquals(1 + file.size() + 1, stream.size());
        for (int i = 0; i < file.size(); i++) {
            assertArrayEquals(file.get(i), event(stream.get(1 + i)), "stored event " + i);
        }
        for (int i = 0; i < stream.size(); i++) {
            assertEquals((i + 1) & 0xFF, stream.get(i).seq(), "no packet lost or repeated");
        }
    }

    /**
     * The pending-write budget (downstream.max_pending_bytes) spent by a reader that reads nothing: the reader is
     * paused although its channel is writable, and ended once it has drained nothing for the write timeout; what
     * it held goes back to the budget. (Under pressure, with other readers waiting, the end comes after
     * {@link DumpWriter#PRESSURE_IDLE_NANOS} at the latest: 5 s, too long for a unit test; DumpWriterTest and
     * SendBudgetIT cover the rest.)
     */
    @Test
    void aReaderHoldingTheSpentBudgetIsPausedAndEndedAfterTheWriteTimeout() {
        connect(new SendLimits(32 * 1024, TimeUnit.MILLISECONDS.toNanos(100)), new WriteBufferWaterMark(1 << 20, 4 << 20));
        ch.hold();
        command(ch, dump(4));
        ch.runPendingTasks();
        assertTrue(ch.isActive());
        assertTrue(ch.isWritable(), "far under the channel's watermark");
        long spent = relay.server.pendingWriteBytes();
        assertTrue(spent >= 32 * 1024, "the budget is spent: " + spent);
        assertTrue(spent < EVENTS * EVENT_SIZE, "paused by the budget before the end of the file: " + spent);
        ch.runPendingTasks();
        assertEquals(spent, relay.server.pendingWriteBytes(), "a paused reader is sent nothing");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ch.isActive() && System.nanoTime() < deadline) {
            long next = ch.runScheduledPendingTasks(); // the stall check is a scheduled task of the channel's loop
            LockSupport.parkNanos(next > 0 ? Math.min(next, 50_000_000L) : 10_000_000L);
        }
        assertFalse(ch.isActive(), "ended");
        assertEquals(1.0, relay.metrics.writeTimeouts());
        assertTrue(relay.warnings().stream().anyMatch(w -> w.contains("it read nothing for") && w.contains("downstream.write_timeout")),
                relay.warnings().toString());
        assertEquals(0, relay.server.pendingWriteBytes(), "its pending writes were released with the connection");
    }

    /** The event in a dump packet (after the OK byte). */
    private static byte[] event(EmbeddedRelay.Packet p) {
        assertEquals(0, p.first(), "an event packet");
        return Arrays.copyOfRange(p.payload(), 1, p.payload().length);
    }

    /**
     * An embedded channel whose socket takes only what the test lets it: everything, or (once {@link #hold} was
     * called) only the writes waiting at each {@link #drain()}, the way a reader that reads now and then drains.
     */
    private static final class HeldChannel extends EmbeddedChannel {
        /** Writes the socket may still take. */
        private long allowance = Long.MAX_VALUE;

        void hold() {
            allowance = 0;
        }

        void release() {
            allowance = Long.MAX_VALUE;
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer in) {
            for (Object msg; allowance > 0 && (msg = in.current()) != null; allowance--) {
                ReferenceCountUtil.retain(msg);
                handleOutboundMessage(msg);
                in.remove();
            }
        }

        /** Bytes waiting for the socket. */
        long heldBytes() {
            ChannelOutboundBuffer b = unsafe().outboundBuffer();
            return b == null ? 0 : b.totalPendingWriteBytes();
        }

        /**
         * The socket takes the writes waiting now. (An embedded channel runs its pending tasks after the flush:
         * the pump the drain wakes runs at once and finds the socket holding again.)
         */
        void drain() {
            ChannelOutboundBuffer b = unsafe().outboundBuffer();
            allowance = b == null ? 0 : b.size();
            unsafe().flush();
            allowance = 0;
        }
    }
}
