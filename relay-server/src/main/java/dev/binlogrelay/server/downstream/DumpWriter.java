package dev.binlogrelay.server.downstream;

import dev.binlogrelay.server.memory.PendingWriteBudget;
import dev.binlogrelay.core.protocol.FramedPackets;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.command.SemiSyncAck;
import dev.binlogrelay.core.protocol.command.SemiSyncHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The send path of one dump: packs event packets into buffers, hands them to the reader's channel and counts
 * the memory behind them until they are written.
 *
 * <pre>
 *   event(bytes) ──► batch (pooled direct buffer, up to 64 KiB of framed packets)
 *                      │ a batch using less than half its buffer that would wait behind other writes is copied
 *                      │ into an exactly-sized one (one that the socket takes at once is not)
 *                      ▼
 *   channel.write(FramedPackets, progressive promise) ── counted: channel watermark (by capacity, see
 *                      │                                  {@link CapacityEstimator}) and the global budget
 *                      ▼
 *   promise done ──► budget released; failed ──► onFailure (the session closes the reader)
 * </pre>
 *
 * <p>Memory: what a reader holds is its pending writes (at most {@code write_buffer_high} by capacity, plus one
 * pump's worth, before {@link #canWrite()} says stop) and the batch being filled during a pump (64 KiB, handed
 * over or released at the end of every pump). A reader that holds pending writes and drains none of them for
 * {@code downstream.write_timeout} (or for {@link #PRESSURE_IDLE_NANOS} while the global budget is spent and
 * other readers wait for it) is reported to {@code onStall}.
 *
 * <p>Threading: event loop of the channel only (promise listeners run there too), except the budget's wake-up.
 */
final class DumpWriter {
    /** Size of a batch buffer: one write for many small events, and what a pump hands over at a time. */
    static final int BATCH_BYTES = 64 * 1024;
    /**
     * Under memory pressure (the budget spent, readers waiting for it) a reader that has drained nothing of its
     * pending writes for this long is disconnected before its write timeout.
     */
    static final long PRESSURE_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How often a reader holding pending writes is looked at while it is paused. */
    private static final long STALL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] OK_BYTE = {0};
    /** Before each event of a semi-sync dump: the OK byte and the {@link SemiSyncHeader}, without and with the ack flag. */
    private static final byte[] SEMI_SYNC_NO_ACK = {0, (byte) SemiSyncAck.MAGIC, 0};
    private static final byte[] SEMI_SYNC_ACK = {0, (byte) SemiSyncAck.MAGIC, (byte) SemiSyncHeader.ACK_REQUESTED};

    private final Channel channel;
    private final PacketSequence sequence;
    private final PendingWriteBudget budget;
    private final long writeTimeoutNanos;
    private final Consumer<Throwable> onFailure;
    private final StallListener onStall;
    private final Runnable wake;
    private final AtomicBoolean waitingForRoom = new AtomicBoolean();
    private ByteBuf batch;
    /** Capacity of this reader's writes not yet completed. */
    private long pendingBytes;
    private long lastProgressNanos;
    private ScheduledFuture<?> stallCheck;
    private boolean closed;
    /** The reader set @rpl_semi_sync_slave: every event packet carries the semi-sync header. */
    private boolean semiSync;

    /**
     * @param wake      called (from any thread) when the budget has room again after {@link #canWrite()} found none
     * @param onFailure a write failed (called on the event loop; the session ends the reader)
     * @param onStall   the reader held pending writes without draining any of them for the write timeout, or
     *                  for {@link #PRESSURE_IDLE_NANOS} while the global budget is spent and others wait
     */
    DumpWriter(Channel channel, PacketSequence sequence, PendingWriteBudget budget, long writeTimeoutNanos,
               Runnable wake, Consumer<Throwable> onFailure, StallListener onStall) {
        this.channel = channel;
        this.sequence = sequence;
        this.budget = budget;
        this.writeTimeoutNanos = writeTimeoutNanos;
        this.wake = wake;
        this.onFailure = onFailure;
        this.onStall = onStall;
    }

    /**
     * True while the reader may be sent more: its channel is under its high watermark and the global budget has
     * room. When not, the reader is paused: it is woken by the channel becoming writable or (see {@code wake})
     * by room in the budget, and a reader holding pending writes starts its write-timeout clock.
     */
    boolean canWrite() {
        if (closed || !channel.isWritable()) {
            armStallCheck();
            return false;
        }
        if (!budget.hasRoom()) {
            armStallCheck();
            if (waitingForRoom.compareAndSet(false, true)) {
                budget.whenRoom(() -> {
                    waitingForRoom.set(false);
                    wake.run();
                });
            }
            return false;
        }
        return true;
    }

    /**
     * Queues one event packet. Events are packed, already framed, into a pooled buffer of up to
     * {@link #BATCH_BYTES} that goes out as one write (one copy of the event, no per-event buffers); an event
     * too large for one packet goes through the packet encoder, which splits it (its bytes are wrapped, not
     * copied).
     */
    void event(byte[] event) {
        event(event, false);
    }

    /**
     * From now on every event packet carries the semi-sync header (0xEF and flags after the OK byte), as a primary
     * sends it to a replica that set {@code @rpl_semi_sync_slave}.
     */
    void semiSync() {
        semiSync = true;
    }

    /**
     * Queues one event packet; in a semi-sync dump with {@code ackRequested} its header asks the reader for an ack,
     * and the packet numbering restarts after it as a primary's does (the reader's ack is packet 0 of its own).
     */
    void event(byte[] event, boolean ackRequested) {
        event(ByteBuffer.wrap(event), ackRequested);
    }

    /**
     * As {@link #event(byte[], boolean)} for an event given as a buffer (position to limit; e.g. a view of the
     * store's mapped event file), copied once into the batch.
     */
    void event(ByteBuffer event, boolean ackRequested) {
        if (closed) {
            return; // a write failed (and ended the reader) while this pump was still sending
        }
        byte[] head = !semiSync ? OK_BYTE : ackRequested ? SEMI_SYNC_ACK : SEMI_SYNC_NO_ACK;
        int length = event.remaining();
        if (head.length + length >= PacketDecoder.MAX_CHUNK) {
            handOverBatch();
            if (!closed) {
                handOver(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(head), Unpooled.wrappedBuffer(event)), (long) head.length + length);
                restartAfterAck(head);
            }
            return;
        }
        if (batch != null && batch.writableBytes() < length + 4 + head.length) {
            handOverBatch();
            if (closed) {
                return;
            }
        }
        if (batch == null) {
            batch = channel.alloc().directBuffer(Math.max(BATCH_BYTES, length + 4 + head.length));
        }
        FramedPackets.append(batch, sequence, head, event);
        restartAfterAck(head);
        if (batch.readableBytes() >= BATCH_BYTES) {
            handOverBatch();
        }
    }

    private void restartAfterAck(byte[] head) {
        if (head == SEMI_SYNC_ACK) {
            sequence.restartAt(1);
        }
    }

    /**
     * Sends one packet on its own in a buffer of exactly its size (heartbeats: a few dozen bytes, not a batch)
     * and flushes, if the reader may be sent more; otherwise sends nothing (a reader that does not drain what it
     * has does not need to hear that the relay is alive).
     *
     * @return whether it was sent
     */
    boolean single(byte[] event) {
        if (closed || !channel.isWritable() || (!budget.hasRoom() && pendingBytes > 0)) {
            armStallCheck();
            return false;
        }
        handOverBatch();
        byte[] head = semiSync ? SEMI_SYNC_NO_ACK : OK_BYTE;
        int size = 4 + head.length + event.length;
        ByteBuf b = channel.alloc().buffer(size, size);
        FramedPackets.append(b, sequence, head, event);
        handOver(new FramedPackets(b), b.capacity());
        channel.flush();
        return true;
    }

    /** Hands the batch being filled to the channel and flushes. */
    void flush() {
        if (batch != null && wasteful(batch)) {
            // the end of a pump, typically one commit for a tail reader: if its socket takes everything queued so
            // far, the batch goes out at once too and is released, and copying it would only cost CPU
            channel.flush();
            if (closed) {
                return;
            }
            handOverBatch(hasQueuedWrites());
        } else {
            handOverBatch();
        }
        if (!closed) {
            channel.flush();
            if (!channel.isWritable() || !budget.hasRoom()) {
                armStallCheck(); // this flush paused the reader: no pump looks at it again until it drains
            }
        }
    }

    private static boolean wasteful(ByteBuf b) {
        return b.readableBytes() * 2 < b.capacity();
    }

    /** Whether writes wait in the channel for the socket (after a flush: the socket did not take them all). */
    private boolean hasQueuedWrites() {
        var queue = channel.unsafe().outboundBuffer();
        return queue == null || queue.totalPendingWriteBytes() > 0;
    }

    private void handOverBatch() {
        handOverBatch(true);
    }

    /**
     * Hands the packed packets to the channel (written, not flushed). A mostly empty buffer that will wait in
     * the channel is first copied into one of its own size, so a reader that does not read holds what it was
     * sent, not 64 KiB per commit.
     */
    private void handOverBatch(boolean trim) {
        if (batch == null) {
            return;
        }
        int n = batch.readableBytes();
        if (trim && wasteful(batch)) {
            // a small flush (a few events of one commit) would otherwise hold a whole 64 KiB buffer until written
            ByteBuf exact = channel.alloc().directBuffer(n, n);
            exact.writeBytes(batch);
            batch.release();
            batch = exact;
        }
        ByteBuf b = batch;
        batch = null;
        handOver(new FramedPackets(b), b.capacity());
    }

    private void handOver(Object msg, long bytes) {
        if (pendingBytes == 0) {
            lastProgressNanos = System.nanoTime(); // the reader starts holding memory now
        }
        pendingBytes += bytes;
        budget.reserve(bytes);
        ChannelProgressivePromise promise = channel.newProgressivePromise();
        promise.addListener(new Completion(bytes));
        channel.write(msg, promise);
    }

    /** Bytes of this reader's writes not yet written to its socket (by buffer capacity). */
    long pendingBytes() {
        return pendingBytes;
    }

    /** Releases the batch being filled (event loop only); pending writes are released as Netty fails them. */
    void close() {
        closed = true;
        if (batch != null) {
            batch.release();
            batch = null;
        }
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
    }

    private void armStallCheck() {
        if (writeTimeoutNanos > 0 && stallCheck == null && pendingBytes > 0 && !closed) {
            long idle = System.nanoTime() - lastProgressNanos;
            long delay = Math.max(0, Math.min(writeTimeoutNanos - idle, STALL_CHECK_NANOS));
            stallCheck = channel.eventLoop().schedule(this::checkStall, delay, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * While the reader holds pending writes: ends it once it has drained nothing for the write timeout, or
     * sooner, for {@link #PRESSURE_IDLE_NANOS}, while the global budget is spent and other readers wait for it
     * (stalled readers would otherwise keep the healthy ones paused for the whole write timeout).
     */
    private void checkStall() {
        stallCheck = null;
        if (closed || pendingBytes == 0) {
            return;
        }
        long idle = System.nanoTime() - lastProgressNanos;
        if (idle >= writeTimeoutNanos) {
            onStall.stalled(pendingBytes, idle, false);
        } else if (idle >= Math.min(PRESSURE_IDLE_NANOS, writeTimeoutNanos) && budget.underPressure()) {
            onStall.stalled(pendingBytes, idle, true);
        } else {
            armStallCheck();
        }
    }

    /** What the session does with a reader that holds memory without reading. */
    @FunctionalInterface
    interface StallListener {
        /**
         * @param heldBytes     what its pending writes hold
         * @param idleNanos     how long it has drained nothing
         * @param underPressure the global budget is spent and other readers wait (else: the write timeout passed)
         */
        void stalled(long heldBytes, long idleNanos, boolean underPressure);
    }

    /** One write's completion: counts progress, releases its bytes, reports a failure. */
    private final class Completion implements ChannelProgressiveFutureListener {
        private final long bytes;

        Completion(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
            lastProgressNanos = System.nanoTime();
        }

        @Override
        public void operationComplete(ChannelProgressiveFuture future) {
            pendingBytes -= bytes;
            budget.release(bytes);
            if (future.isSuccess()) {
                lastProgressNanos = System.nanoTime();
            } else {
                close(); // nothing more goes out after a failed write, whatever the caller is doing
                onFailure.accept(future.cause());
            }
        }
    }
}
