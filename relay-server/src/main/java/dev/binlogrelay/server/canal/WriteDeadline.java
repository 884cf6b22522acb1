package dev.binlogrelay.server.canal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One batch's write, watched: a client that stops reading its socket would otherwise hold the batch's bytes in the
 * Canal memory budget until its read-idle timeout (its {@code net_read_timeout}, up to weeks), and every other
 * client's gets would wait for room meanwhile. The connection is closed (one log line naming the client) once the
 * write has made no progress for {@code canal.write_timeout}, or for {@link #PRESSURE_NANOS} while the budget is
 * spent and other gets wait for room: a connection may not hold the budget that long while others need it, as the
 * dump path's {@code downstream.write_timeout}. Closing fails the write, whose listener gives its bytes back; the
 * client reconnects and re-reads the batch (never acknowledged). Each such close is counted once, for either reason
 * ({@link CanalClients#writeTimedOut}, {@code binlog_relay_canal_write_timeouts_total}), as the dump path counts its own.
 *
 * <p>Threading: the connection's event loop.
 */
final class WriteDeadline implements ChannelProgressiveFutureListener {
    private static final Logger log = LoggerFactory.getLogger(WriteDeadline.class);
    /** How long a write may make no progress while the budget is spent and other gets wait. */
    static final long PRESSURE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final ChannelHandlerContext ctx;
    private final Object client;
    private final long bytes;
    private final long timeoutNanos;
    private final CanalClients clients;
    private long lastProgress = System.nanoTime();
    private ScheduledFuture<?> check;
    private boolean done;

    private WriteDeadline(ChannelHandlerContext ctx, Object client, long bytes, long timeoutNanos, CanalClients clients) {
        this.ctx = ctx;
        this.client = client;
        this.bytes = bytes;
        this.timeoutNanos = timeoutNanos;
        this.clients = clients;
    }

    /**
     * Watches {@code write} (a batch of {@code bytes} to {@code client}) until it completes, with the timeout and the
     * budget of {@code clients}.
     */
    static void watch(ChannelHandlerContext ctx, ChannelProgressiveFuture write, Object client, long bytes,
                      CanalClients clients) {
        long timeoutNanos = clients.settings().writeTimeout().toNanos();
        if (timeoutNanos <= 0 || write.isDone()) {
            return;
        }
        WriteDeadline d = new WriteDeadline(ctx, client, bytes, timeoutNanos, clients);
        d.arm(Math.min(timeoutNanos, PRESSURE_NANOS));
        write.addListener(d);
    }

    private void arm(long delayNanos) {
        check = ctx.executor().schedule(this::check, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (done) {
            return;
        }
        long idle = System.nanoTime() - lastProgress;
        boolean pressure = idle >= Math.min(PRESSURE_NANOS, timeoutNanos) && clients.budget().underPressure();
        if (idle >= timeoutNanos || pressure) {
            log.warn("canal: closing {}: it read nothing of its batch of {} bytes for {} ms{}", client, bytes,
                    TimeUnit.NANOSECONDS.toMillis(idle), pressure && idle < timeoutNanos
                            ? " while the memory budget (canal.max_pending_bytes) is spent and other clients wait"
                            : " (canal.write_timeout)");
            clients.writeTimedOut();
            ctx.close();
            return;
        }
        arm(Math.min(timeoutNanos - idle, PRESSURE_NANOS));
    }

    @Override
    public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
        lastProgress = System.nanoTime();
    }

    @Override
    public void operationComplete(ChannelProgressiveFuture future) {
        done = true;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
