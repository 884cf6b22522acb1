package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.PacketSequence;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one replica connection to the primary alive: connects, and after any failure (a lost connection, a refused
 * login or dump, a bad event, an upstream error) reconnects with one bounded exponential backoff, from
 * {@code reconnect_min_ms} doubling up to {@code reconnect_max_ms}. The delay is reset only by a connection that made
 * progress (stored a transaction) or streamed for {@value #HEALTHY_STREAM_MS} ms, so a failure that repeats on every
 * connection (say an event the relay refuses) keeps backing off although each connection itself succeeds. The
 * reason is logged once per change of reason, and is in status ({@link #lastError()}, {@link #consecutiveFailures()})
 * and metrics (through {@link Listener#onReconnectScheduled}). Runs on its own single-threaded event loop, which is
 * also the store's writer thread.
 *
 * <p>With {@code upstream.hosts}: rounds over the candidates ({@link UpstreamCandidates}), the backoff between rounds; a
 * candidate not the primary ({@link NotPrimaryException}) or lacking stored transactions ({@link ForkRefusedException}).
 */
public final class UpstreamClient implements AutoCloseable, UpstreamControl {
    private static final Logger log = LoggerFactory.getLogger(UpstreamClient.class);
    /** Largest event the relay accepts from upstream (MariaDB's max_allowed_packet ceiling). */
    static final long MAX_EVENT = 1L << 30;
    /** Pipeline name of the login handler, then of the session that replaces it. */
    static final String SESSION = "session";

    /** Callbacks for status and metrics; called on the upstream thread. */
    public interface Listener {
        default void onStreaming() {
        }

        /** The dump command was sent: {@code start} says from where ("binlog.000001:4" or "GTID set '…'"). */
        default void onDumpRequested(String start) {
        }

        default void onEvent() {
        }

        /** What one network read completed was written to the store. */
        default void onFlushed() {
        }

        default void onError(Throwable cause) {
        }

        /** A reconnect is scheduled after {@code delayMs}; {@code failures} in a row without progress, why the last one. */
        default void onReconnectScheduled(long delayMs, int failures, String reason) {
        }

        /** After failures, a connection stored something again: the backoff starts over. */
        default void onRecovered() {
        }

        /**
         * The primary's identity learned at login (server_id, and server_uuid on MySQL), before anything is
         * dumped; throw {@link UpstreamRefusedException} to refuse to ingest from it.
         */
        default void onServerIdentity(java.util.Map<String, String> info) {
        }

        /** A candidate other than the last primary streams: {@code from} and {@code to} are "host:port". */
        default void onFailover(String from, String to) {
        }

        /** A candidate primary was refused for lacking stored transactions ({@link ForkRefusedException}). */
        default void onForkRefused(String message) {
        }

        /** A semi-sync dump started ({@code on}) or its connection ended (upstream.semi_sync). */
        default void onSemiSync(boolean on) {
        }

        /** A semi-sync ack went to the primary: everything up to {@code file:position} is durable in the store. */
        default void onSemiSyncAck(String file, long position) {
        }
    }

    private final UpstreamSettings settings;
    private final BinlogIngester ingester;
    private final Listener listener;
    private final EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("upstream", true));
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean closed;
    /** {@link UpstreamControl#pause}: no connection until resumed. */
    private volatile boolean paused;
    private volatile Channel channel;
    private volatile boolean streaming;
    private volatile String lastError = "";
    private volatile String lastDumpStart = "";
    private long backoffMs;
    /** A connection that streamed this long without failing counts as healthy, even without new transactions. */
    static final long HEALTHY_STREAM_MS = 30_000;
    private volatile int consecutiveFailures;
    private volatile long nextDelayMs;
    /** The reason last logged; a repeat of it is logged at debug level only. */
    private String loggedReason;
    /** What the current connection started from, and what went wrong in it (null: nothing yet). */
    private java.util.Optional<dev.binlogrelay.storage.BinlogPosition> connectionStart = java.util.Optional.empty();
    private long streamingSinceNanos;
    private Throwable connectionError;
    private volatile boolean storagePaused;
    /** Why the relay refuses to ingest from this upstream; null if it does not. */
    private volatile String refusal;
    private final UpstreamCandidates candidates;
    /** The settings of the connection being made (aimed at the current candidate). */
    private volatile UpstreamSettings current;
    /** How often ingestion paused by a storage error checks whether the store takes writes again. */
    static final long STORAGE_RETRY_MS = 1000;

    public UpstreamClient(UpstreamSettings settings, BinlogIngester ingester, Listener listener) {
        this.settings = settings;
        this.ingester = ingester;
        this.listener = listener == null ? new Listener() { } : listener;
        this.backoffMs = settings.reconnectMinMs();
        this.candidates = new UpstreamCandidates(settings);
        this.current = settings.forCandidate(0);
    }

    public void start() {
        group.execute(this::connect);
    }

    private void connect() {
        Channel open = channel;
        if (closed || paused || open != null && open.isOpen()) {
            return;
        }
        if (!storageReady()) {
            group.schedule(this::connect, STORAGE_RETRY_MS, TimeUnit.MILLISECONDS);
            return;
        }
        connects.incrementAndGet();
        UpstreamSettings target = settings.forCandidate(candidates.current());
        current = target;
        connectionError = null;
        streamingSinceNanos = 0;
        try {
            connectionStart = ingester.resumePosition();
        } catch (RuntimeException e) {
            connectionStart = java.util.Optional.empty();
        }
        PacketSequence sequence = new PacketSequence();
        Listener wrapped = new Listener() {
            @Override
            public void onStreaming() {
                streaming = true;
                streamingSinceNanos = System.nanoTime();
                candidates.streaming().ifPresent(was -> listener.onFailover(was, target.address()));
                listener.onStreaming();
            }

            @Override
            public void onDumpRequested(String start) {
                lastDumpStart = start;
                listener.onDumpRequested(start);
            }

            @Override
            public void onEvent() {
                listener.onEvent();
            }

            @Override
            public void onFlushed() {
                if (consecutiveFailures > 0 && !ingester.writtenEnd().equals(connectionStart)) { // written; visible later
                    log.info("upstream {}: ingesting again after {} failed connection(s)", target.address(),
                            consecutiveFailures);
                    consecutiveFailures = 0;
                    backoffMs = settings.reconnectMinMs();
                    loggedReason = null;
                    candidates.forgetReasons();
                    listener.onRecovered();
                }
            }

            @Override
            public void onError(Throwable cause) {
                lastError = cause.getMessage();
                connectionError = cause;
                if (cause instanceof UpstreamRefusedException) {
                    refusal = cause.getMessage();
                }
                if (cause instanceof ForkRefusedException) {
                    candidates.forkRefused(cause.getMessage());
                    listener.onForkRefused(cause.getMessage());
                }
                listener.onError(cause);
            }

            @Override
            public void onServerIdentity(java.util.Map<String, String> info) {
                listener.onServerIdentity(info);
            }

            @Override
            public void onSemiSync(boolean on) {
                listener.onSemiSync(on);
            }

            @Override
            public void onSemiSyncAck(String file, long position) {
                listener.onSemiSyncAck(file, position);
            }
        };
        Bootstrap b = UpstreamBootstrap.of(group, target, () -> new UpstreamLogin(target, ingester, sequence, wrapped),
                sequence, MAX_EVENT + 1L, SESSION);
        ChannelFuture f = b.connect(target.host(), target.port());
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                lastError = "cannot connect to " + target.address() + ": " + done.cause().getMessage();
                connectionError = new UpstreamException(lastError);
                scheduleReconnect();
            } else {
                f.channel().closeFuture().addListener(c -> {
                    if (streaming) {
                        candidates.streamEnded();
                    }
                    streaming = false;
                    scheduleReconnect();
                });
            }
        });
    }

    /**
     * After a storage error (disk full, I/O error) ingestion waits here until the store takes writes again,
     * checking every {@value #STORAGE_RETRY_MS} ms, without downloading from the primary meanwhile.
     */
    private boolean storageReady() {
        boolean ready;
        try {
            ready = ingester.storageWritable();
        } catch (RuntimeException e) {
            ready = false;
        }
        if (ready) {
            if (storagePaused) {
                log.info("storage takes writes again; resuming ingestion from {}", current.address());
                storagePaused = false;
            }
            return true;
        }
        if (!storagePaused) {
            log.error("ingestion paused until the store takes writes again (checked every {} ms): {}", STORAGE_RETRY_MS,
                    ingester.storageError().orElse("storage error"));
            storagePaused = true;
        }
        lastError = ingester.storageError().orElse(lastError);
        return false;
    }

    /** Why ingestion from this upstream was refused (its identity changed); null if it was not. */
    public String refusal() {
        return refusal;
    }

    /** True while ingestion waits for the store to take writes again. */
    public boolean storagePaused() {
        return storagePaused;
    }

    private void scheduleReconnect() {
        if (closed || paused) {
            streaming = false;
            return;
        }
        if (refusal != null) {
            log.error("not reconnecting to {}: {}", current.address(), refusal);
            return;
        }
        if (madeProgress()) {
            backoffMs = settings.reconnectMinMs();
            consecutiveFailures = 0;
            loggedReason = null;
            candidates.forgetReasons();
        }
        int tried = candidates.current();
        Throwable error = connectionError;
        String reason = error != null && error.getMessage() != null ? error.getMessage() : "the primary closed the connection";
        if (error == null) {
            lastError = reason;
        }
        consecutiveFailures++;
        long delay = 0;
        if (!candidates.advance(streamingSinceNanos != 0)) {
            delay = backoffMs;
            backoffMs = Math.min(settings.reconnectMaxMs(), backoffMs * 2);
        }
        nextDelayMs = delay;
        String where = candidates.get(tried).toString();
        String next = candidates.size() == 1 ? "reconnecting" : "trying " + candidates.currentAddress();
        if (candidates.size() > 1 ? candidates.newReason(tried, reason) : !reason.equals(loggedReason)) {
            loggedReason = reason;
            FailureLog.changed(log, error, where, reason, next, delay, consecutiveFailures);
        } else {
            FailureLog.repeated(log, where, reason, next, delay, consecutiveFailures);
        }
        listener.onReconnectScheduled(delay, consecutiveFailures, reason);
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** True when the connection that just ended stored something new, or streamed long enough to count as healthy. */
    private boolean madeProgress() {
        long since = streamingSinceNanos;
        if (since != 0 && System.nanoTime() - since >= TimeUnit.MILLISECONDS.toNanos(HEALTHY_STREAM_MS)) {
            return true;
        }
        try {
            return !ingester.resumePosition().equals(connectionStart);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The candidate primaries: which one streams, failovers, fork refusals. */
    public UpstreamCandidates candidates() {
        return candidates;
    }

    @Override
    public void pause() {
        if (!paused) {
            paused = true;
            log.info("upstream {}: ingestion stopped by the operator (readers are still served)", current.address());
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
        if (!closed) {
            group.execute(() -> { // after a connect() already running on the loop has set its channel
                Channel now = channel;
                if (paused && now != null) {
                    now.close();
                }
            });
        }
    }

    @Override
    public void resume() {
        if (paused) {
            paused = false;
            log.info("upstream {}: ingestion started by the operator", current.address());
            group.execute(this::connect);
        }
    }

    @Override
    public boolean paused() {
        return paused;
    }

    /** Failed connections in a row since the last one that made progress. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The delay of the reconnect scheduled last, ms. */
    public long nextReconnectDelayMs() {
        return nextDelayMs;
    }

    public boolean isStreaming() {
        return streaming;
    }

    public String lastError() {
        return lastError;
    }

    /** Where the last dump command asked the primary to start ("" before the first). */
    public String lastDumpStart() {
        return lastDumpStart;
    }

    public long connectAttempts() {
        return connects.get();
    }

    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
