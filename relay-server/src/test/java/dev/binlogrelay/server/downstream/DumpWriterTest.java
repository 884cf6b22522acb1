package dev.binlogrelay.server.downstream;

import dev.binlogrelay.server.memory.PendingWriteBudget;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dump send path on an {@link EmbeddedChannel}: what is counted, what is trimmed, what a failure does. */
class DumpWriterTest {
    private static final int HIGH = 64 * 1024;
    private final List<Throwable> failures = new ArrayList<>();
    private final List<Long> stalls = new ArrayList<>();
    private int wakes;
    private EmbeddedChannel channel;

    private DumpWriter writer(PendingWriteBudget budget, io.netty.channel.ChannelHandler... handlers) {
        channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(HIGH / 2, HIGH));
        channel.config().setMessageSizeEstimator(CapacityEstimator.INSTANCE);
        channel.pipeline().addLast(handlers);
        PacketSequence sequence = new PacketSequence();
        channel.pipeline().addLast(new PacketEncoder(sequence));
        return new DumpWriter(channel, sequence, budget, 0, () -> wakes++, failures::add, (held, idle, pressure) -> stalls.add(held));
    }

    @AfterEach
    void releaseOutput() {
        if (channel != null) {
            for (Object o; (o = channel.readOutbound()) != null; ) {
                io.netty.util.ReferenceCountUtil.release(o);
            }
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aSmallFlushThatTheSocketTakesIsNotCopied() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        DumpWriter w = writer(budget);
        w.event(new byte[300]);
        w.flush();
        ByteBuf out = channel.readOutbound();
        try {
            assertEquals(305, out.readableBytes(), "header, OK byte, event");
            assertEquals(DumpWriter.BATCH_BYTES, out.capacity(), "written at once, released at once: no copy");
        } finally {
            out.release();
        }
        assertEquals(0, budget.used(), "written: released");
        assertEquals(DumpWriter.BATCH_BYTES, budget.peak());
        assertEquals(0, w.pendingBytes());
        assertTrue(failures.isEmpty());
    }

    @Test
    void aSmallFlushThatWaitsIsCopiedIntoABufferOfItsOwnSize() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        channel = new FullSocketChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(HIGH / 2, HIGH));
        channel.config().setMessageSizeEstimator(CapacityEstimator.INSTANCE);
        PacketSequence sequence = new PacketSequence();
        channel.pipeline().addLast(new PacketEncoder(sequence));
        DumpWriter w = new DumpWriter(channel, sequence, budget, 0, () -> wakes++, failures::add, (held, idle, pressure) -> stalls.add(held));
        for (int commit = 0; commit < 10; commit++) {
            w.event(new byte[300]);
            w.flush();
        }
        // the first one went to the "socket" untouched (its queue was empty), the others wait, each at its size
        assertEquals(DumpWriter.BATCH_BYTES + 9 * 305, w.pendingBytes());
        assertEquals(w.pendingBytes(), budget.used());
        long watermarkCount = channel.unsafe().outboundBuffer().totalPendingWriteBytes();
        assertTrue(watermarkCount >= w.pendingBytes() && watermarkCount < w.pendingBytes() + 10 * 200,
                "the watermark counts capacity too (plus Netty's per-write overhead): " + watermarkCount);
        assertFalse(channel.isWritable(), "over the 64 KiB high watermark");
        ((FullSocketChannel) channel).drain();
        assertEquals(0, w.pendingBytes());
        assertEquals(0, budget.used());
    }

    @Test
    void aReaderPausedByTheLastFlushOfAPumpIsTimedOutWhenItDrainsNothing() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        channel = new FullSocketChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(HIGH / 2, HIGH));
        channel.config().setMessageSizeEstimator(CapacityEstimator.INSTANCE);
        PacketSequence sequence = new PacketSequence();
        channel.pipeline().addLast(new PacketEncoder(sequence));
        DumpWriter w = new DumpWriter(channel, sequence, budget, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100),
                () -> wakes++, failures::add, (held, idle, pressure) -> stalls.add(held));
        assertTrue(w.canWrite());
        w.event(new byte[70_000]); // one event over the high watermark, handed over by the pump's last flush
        w.flush();
        assertFalse(channel.isWritable());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (stalls.isEmpty() && System.nanoTime() < deadline) {
            channel.runPendingTasks(); // the stall check is a scheduled task of the channel's loop
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
        assertEquals(List.of(w.pendingBytes()), stalls, "reported once, with what it holds");
        ((FullSocketChannel) channel).drain();
    }

    /** A channel whose socket takes nothing until {@link #drain()} (a reader that does not read). */
    private static final class FullSocketChannel extends EmbeddedChannel {
        private boolean full = true;

        @Override
        protected void doWrite(io.netty.channel.ChannelOutboundBuffer in) throws Exception {
            if (!full) {
                super.doWrite(in);
            }
        }

        void drain() {
            full = false;
            flushOutbound();
            for (Object o; (o = readOutbound()) != null; ) {
                io.netty.util.ReferenceCountUtil.release(o);
            }
        }
    }

    @Test
    void pendingWritesAreCountedByCapacityUntilWritten() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        // an outbound handler that holds writes back (a peer that does not read), releasing them on demand
        List<Object[]> held = new ArrayList<>();
        DumpWriter w = writer(budget, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                held.add(new Object[]{ctx, msg, promise});
            }
        });
        for (int i = 0; i < 20; i++) {
            w.event(new byte[4000]); // 80 KB: one full 64 KiB batch, the rest in a second (trimmed) one
        }
        w.flush();
        assertEquals(2, held.size());
        long expected = 0;
        for (Object[] h : held) {
            expected += ((ByteBuf) h[1]).capacity(); // the packet encoder passed the framed buffers on
        }
        assertTrue(expected >= 20 * 4005, String.valueOf(expected));
        assertEquals(expected, w.pendingBytes());
        assertEquals(expected, budget.used());
        for (Object[] h : held) {
            ((ChannelHandlerContext) h[0]).write(h[1], (ChannelPromise) h[2]);
        }
        channel.flush();
        assertEquals(0, w.pendingBytes());
        assertEquals(0, budget.used());
    }

    @Test
    void aFailedWriteIsReportedAndReleased() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        DumpWriter w = writer(budget, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
                promise.setFailure(new IllegalStateException("injected write failure"));
            }
        });
        w.event(new byte[100]);
        w.flush();
        assertEquals(1, failures.size());
        assertInstanceOf(IllegalStateException.class, failures.get(0));
        assertEquals(0, budget.used());
        assertEquals(0, w.pendingBytes());
    }

    @Test
    void aWriteFailingInTheMiddleOfAPumpStopsTheRest() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        int[] writes = {0};
        DumpWriter[] w = {null};
        w[0] = writer(budget, new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                writes[0]++;
                io.netty.util.ReferenceCountUtil.release(msg);
                promise.setFailure(new IllegalStateException("injected write failure"));
            }
        });
        for (int i = 0; i < 40; i++) {
            w[0].event(new byte[4000]); // the first full batch fails
        }
        w[0].flush();
        assertEquals(1, writes[0], "nothing was written after the failed write");
        assertEquals(1, failures.size());
        assertFalse(w[0].canWrite());
        assertEquals(0, budget.used());
    }

    @Test
    void anAllocationFailureLeavesNothingCountedOrLeaked() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        DumpWriter w = writer(budget);
        int[] allocations = {0};
        channel.config().setAllocator(new io.netty.buffer.AbstractByteBufAllocator(true) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                if (++allocations[0] == 3) {
                    throw new OutOfMemoryError("injected");
                }
                return Unpooled.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        });
        w.event(new byte[40_000]);
        w.event(new byte[40_000]); // the first batch goes out; the second is the second allocation
        assertThrows(OutOfMemoryError.class, () -> w.event(new byte[40_000]), "the third allocation fails");
        w.close(); // what the session does on a failure: the batch being filled is released
        assertEquals(2L * DumpWriter.BATCH_BYTES, budget.used(), "two batches handed over, not flushed");
        ByteBuf first = channel.readOutbound(); // written before the failure (not flushed: the pump did not end)
        assertNull(first, "nothing is flushed by a failed pump");
        channel.close();
        assertEquals(0, budget.used(), "the unflushed writes were failed by the close and released");
        assertEquals(0, w.pendingBytes());
    }

    @Test
    void aHeartbeatIsExactlySizedAndNotSentToAPausedReader() {
        PendingWriteBudget budget = new PendingWriteBudget(1 << 20);
        DumpWriter w = writer(budget);
        assertTrue(w.single(new byte[40]));
        ByteBuf out = channel.readOutbound();
        try {
            assertEquals(45, out.capacity());
        } finally {
            out.release();
        }
        channel.write(Unpooled.buffer(HIGH + 1).writerIndex(HIGH + 1)); // queued, not flushed: over the watermark
        assertFalse(channel.isWritable());
        assertFalse(w.single(new byte[40]), "paused: no heartbeat");
        assertFalse(w.canWrite());
    }

    @Test
    void aSpentBudgetPausesAndWakesWhenWritesDrain() {
        PendingWriteBudget budget = new PendingWriteBudget(1000);
        DumpWriter w = writer(budget);
        budget.reserve(1000); // another reader's pending writes fill the budget
        assertFalse(w.canWrite());
        assertFalse(w.canWrite());
        assertEquals(0, wakes, "not yet");
        budget.release(1000);
        assertEquals(1, wakes, "woken once, however often it asked");
        assertTrue(w.canWrite());
    }
}
