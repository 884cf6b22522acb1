package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.server.admin.SqlSession;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Closes a logged-in connection that is not dumping and has sent no command for its wait timeout: the session's
 * {@code @@wait_timeout} if the client set one (as MariaDB does; 1 s to one year), else downstream.idle_timeout.
 * Like MySQL 8.0.24+ it sends ERR 4031 before closing. A dumping reader is never closed by it. One timer per
 * connection, re-armed by every command (commands are rare: a dumping reader sends none); runs on the channel's
 * event loop, and its clock is the event loop's (so tests can advance it).
 */
final class IdleTimer {
    private static final long MAX_WAIT_TIMEOUT_SECONDS = 31_536_000;

    private final ChannelHandlerContext ctx;
    private final DownstreamServer server;
    private final SqlSession sql;
    private final BooleanSupplier dumping;
    private ScheduledFuture<?> timer;
    private boolean stopped;

    IdleTimer(ChannelHandlerContext ctx, DownstreamServer server, SqlSession sql, BooleanSupplier dumping) {
        this.ctx = ctx;
        this.server = server;
        this.sql = sql;
        this.dumping = dumping;
        arm(timeoutNanos());
    }

    void activity() {
        if (timer != null) {
            timer.cancel(false);
        }
        arm(timeoutNanos());
    }

    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void arm(long nanos) {
        if (!stopped) {
            timer = ctx.executor().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        if (stopped || !ctx.channel().isActive() || dumping.getAsBoolean()) {
            return;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(timeoutNanos());
        server.metrics().connectionRefused("idle_timeout");
        server.rejections().warn("closing {}: no command for {} s (wait_timeout / downstream.idle_timeout)",
                ctx.channel().remoteAddress(), seconds);
        ctx.writeAndFlush(new ErrPacket(ErrorCodes.ER_CLIENT_INTERACTION_TIMEOUT, ErrorCodes.STATE_GENERAL,
                "The client was disconnected by the server because of inactivity. See wait_timeout and interactive_timeout"
                        + " for configuring this behavior.").encode(ctx.alloc())).addListener(f -> ctx.close());
    }

    private long timeoutNanos() {
        String set = sql.sessionVariable("wait_timeout");
        if (set != null) {
            try {
                long seconds = Long.parseLong(set.strip());
                return TimeUnit.SECONDS.toNanos(Math.max(1, Math.min(seconds, MAX_WAIT_TIMEOUT_SECONDS)));
            } catch (NumberFormatException e) {
                // not a number: the configured timeout
            }
        }
        return server.limits().idleTimeout().toNanos();
    }
}
