package dev.binlogrelay.server;

import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.canal.CanalServer;
import dev.binlogrelay.server.canal.CanalSettings;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.DownstreamLimits;
import dev.binlogrelay.server.downstream.DownstreamSecurity;
import dev.binlogrelay.server.downstream.DownstreamServer;
import dev.binlogrelay.server.downstream.UserDirectory;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.server.retention.RetentionPolicy;
import dev.binlogrelay.server.retention.RetentionTask;
import dev.binlogrelay.server.schema.SchemaHistory;
import dev.binlogrelay.server.upstream.BinlogIngester;
import dev.binlogrelay.server.upstream.UpstreamClient;
import dev.binlogrelay.server.wiring.CanalConfig;
import dev.binlogrelay.server.wiring.LimitsConfig;
import dev.binlogrelay.server.wiring.RetentionConfig;
import dev.binlogrelay.server.wiring.SchemaHistoryConfig;
import dev.binlogrelay.server.wiring.SecurityConfig;
import dev.binlogrelay.server.wiring.SqlBackendConfig;
import dev.binlogrelay.server.wiring.SendSettings;
import dev.binlogrelay.server.wiring.StorageSettings;
import dev.binlogrelay.server.wiring.UpstreamConfig;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A running relay: store, upstream client and downstream server wired together. With {@code wiring} (which turns
 * each config section into the settings of the part that uses it) this is the only code that reads the config.
 */
public final class Relay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final RelayConfig config;
    private final BinlogStore store;
    private final RelayMetrics metrics = new RelayMetrics();
    private final DownstreamServer downstream;
    private final RelayControl control;
    private final RetentionTask retention;
    private final CanalServer canal;
    private final SchemaHistory schemaHistory;
    private final InetSocketAddress address;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** How long a clean shutdown (SIGTERM) lets readers take what is stored before their connections close. */
    static final java.time.Duration SHUTDOWN_DRAIN = java.time.Duration.ofSeconds(5);

    /**
     * Start-up choices of {@code run}.
     *
     * @param resetStore           {@code --reset-store}: delete the store before opening it, then fill it afresh
     * @param acceptUpstreamChange {@code --accept-upstream-change}: keep the stored binlog although the upstream
     *                             address (or, at the first login, the primary's identity) changed
     */
    public record StartOptions(boolean resetStore, boolean acceptUpstreamChange) {
        public static final StartOptions DEFAULT = new StartOptions(false, false);
    }

    private Relay(RelayConfig config, StartOptions start) throws InterruptedException {
        this.config = config;
        StoreOptions options = StorageSettings.options(config.storage);
        Path dataDir = Path.of(config.dataDir);
        if (start.resetStore()) {
            BinlogStore.destroy(dataDir);
            log.warn("--reset-store: the store in {} was deleted; filling it afresh", dataDir);
        }
        this.store = BinlogStore.open(dataDir, options);
        DownstreamServer ds = null;
        RetentionTask rt = null;
        CanalServer cs = null;
        // before the upstream starts: its first session takes the snapshot the history asks for (needed by canal:)
        this.schemaHistory = SchemaHistory.start(store, SchemaHistoryConfig.settings(config.schemaHistory, config.canal != null));
        try {
            UserDirectory users = SecurityConfig.users(config.downstream);
            this.control = new RelayControl(config, store, users, start.acceptUpstreamChange(), this::downstreamOrNull);
            ds = downstreamServer(config, users);
            this.downstream = ds;
            var listen = ConfigLoader.ListenAddress.parse(config.downstream.listen);
            this.address = ds.bind(listen.host(), listen.port());
            if (config.metrics != null) {
                var m = ConfigLoader.ListenAddress.parse(config.metrics.listen);
                int port = metrics.serve(m.host(), m.port(), new HealthChecks(store, control));
                log.info("Prometheus metrics on http://{}:{}/metrics (and /health, /ready)", m.host(), port);
            }
            log.info("relay server_id {} serving on {}:{}", config.serverId, address.getHostString(), address.getPort());
            rt = retentionTask(config);
            this.retention = rt;
            cs = CanalConfig.start(config.canal, store, schemaHistory);
            this.canal = cs;
            if (config.upstream == null) {
                log.info("no upstream configured: serving what the store holds");
            }
            control.start(() -> upstreamClient(config));
            failoverMetrics();
            RelayGauges.register(metrics, store, control, ds);
            if (cs != null) {
                RelayGauges.registerCanal(metrics, cs);
            }
        } catch (RuntimeException | InterruptedException | java.io.IOException e) {
            if (cs != null) {
                cs.close();
            }
            if (rt != null) {
                rt.close();
            }
            if (ds != null) {
                ds.close();
            }
            metrics.close();
            schemaHistory.close();
            store.close();
            if (e instanceof java.io.IOException io) {
                throw new java.io.UncheckedIOException("cannot serve metrics on " + config.metrics.listen, io);
            }
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw (RuntimeException) e;
        }
    }

    private DownstreamServer downstreamServer(RelayConfig config, UserDirectory users) {
        DownstreamSecurity security = SecurityConfig.downstream(config.downstream, Path.of(config.dataDir));
        DownstreamLimits limits = LimitsConfig.limits(config.downstream);
        StoreRelayInfo storeInfo = new StoreRelayInfo(config, store, this::downstreamReplicas, this::downstreamPort,
                this::ingestStatus, limits, control);
        storeInfo.semiSync(() -> new RelayInfo.SemiSyncStatus(metrics.semiSyncUpstreamActive(),
                (long) metrics.semiSyncAcksSent(), (long) metrics.semiSyncReadersNow(), (long) metrics.semiSyncAcksReceived()));
        RelayInfo info = storeInfo;
        metrics.gauge("binlog_relay_storage_error", "1 while a storage error (disk full, I/O error) stops ingestion",
                () -> store.storageError().isPresent() ? 1 : 0);
        metrics.gauge("binlog_relay_storage_write_failures", "Store writes and WAL syncs that failed since start-up",
                () -> store.stats().storageErrorCount());
        long hb = (long) (config.downstream.defaultHeartbeatPeriod * 1e9);
        metrics.gauge("binlog_relay_cache_hit_ratio", "Share of events served to readers from the hot-tail cache",
                () -> store.stats().cacheStats().hitRate());
        metrics.counter("binlog_relay_cache_hits", "Events served to readers from the hot-tail cache",
                () -> store.stats().cacheStats().hitCount());
        metrics.counter("binlog_relay_cache_misses", "Events served to readers from RocksDB (older than the hot tail)",
                () -> store.stats().cacheStats().missCount());
        metrics.gauge("binlog_relay_segment_loads", "256 KiB segments of older binlog read from RocksDB",
                () -> store.stats().segmentLoads());
        metrics.gauge("binlog_relay_segment_cache_bytes", "Bytes held by the shared segment cache",
                () -> store.stats().segmentCacheBytes());
        DownstreamServer server = new DownstreamServer(store, info, users, security, metrics, limits, hb,
                config.downstream.writeBufferLow, config.downstream.writeBufferHigh,
                Math.max(2, Runtime.getRuntime().availableProcessors()), SendSettings.limits(config.downstream));
        server.sqlBackend(SqlBackendConfig.settings(config.downstream));
        metrics.gauge("binlog_relay_downstream_pending_write_bytes",
                "Memory held by readers' pending writes (buffer capacity; bounded by downstream.max_pending_bytes)",
                server::pendingWriteBytes);
        return server;
    }

    /** The storage.retention task, started; null when no limit is configured. */
    private RetentionTask retentionTask(RelayConfig config) {
        metrics.gauge("binlog_relay_storage_bytes", "Stored binlog bytes (what storage.retention.max_bytes bounds)",
                () -> store.isClosed() ? 0 : store.storedBytes());
        RetentionPolicy policy = RetentionConfig.policy(config.storage.retention);
        if (!policy.limits()) {
            return null;
        }
        RetentionTask task = new RetentionTask(store, policy, java.time.Clock.systemUTC(),
                (files, bytes) -> metrics.retentionPurged(files.size(), bytes));
        CanalSettings canalSettings = CanalConfig.settings(config.canal);
        if (canalSettings != null) {
            task.holdForCanalClients(canalSettings.holdFilesFor());
        }
        task.start();
        return task;
    }

    /** The Canal server, or null without a canal section. */
    public CanalServer canal() {
        return canal;
    }

    /** The port the Canal server listens on; 0 without one. */
    public int canalPort() {
        return canal == null ? 0 : canal.address().getPort();
    }

    private UpstreamClient upstreamClient(RelayConfig config) {
        return new UpstreamClient(UpstreamConfig.settings(config), new BinlogIngester(store), new UpstreamClient.Listener() {
            @Override
            public void onStreaming() {
                metrics.upstreamStreaming(true);
            }

            @Override
            public void onEvent() {
                metrics.upstreamEvent();
            }

            @Override
            public void onError(Throwable cause) {
                metrics.upstreamError();
                metrics.upstreamStreaming(false);
            }

            @Override
            public void onReconnectScheduled(long delayMs, int failures, String reason) {
                metrics.upstreamReconnectScheduled(delayMs, failures);
            }

            @Override
            public void onRecovered() {
                metrics.upstreamReconnectScheduled(0, 0);
            }

            @Override
            public void onServerIdentity(java.util.Map<String, String> info) {
                control.origin().checkServer(info);
            }

            @Override
            public void onFailover(String from, String to) {
                metrics.failover();
            }

            @Override
            public void onForkRefused(String message) {
                metrics.forkRefusal();
            }

            @Override
            public void onSemiSync(boolean on) {
                metrics.semiSyncUpstream(on);
            }

            @Override
            public void onSemiSyncAck(String file, long position) {
                metrics.semiSyncAckSent();
            }
        });
    }

    public static Relay start(RelayConfig config) throws InterruptedException {
        return new Relay(config, StartOptions.DEFAULT);
    }

    /**
     * Starts a relay with {@code run}'s options.
     *
     * @throws dev.binlogrelay.server.config.ConfigException if the configured upstream is not what the store was filled from (see
     *                         {@link dev.binlogrelay.server.upstream.UpstreamOrigin})
     */
    public static Relay start(RelayConfig config, StartOptions options) throws InterruptedException {
        return new Relay(config, options);
    }

    public int port() {
        return address.getPort();
    }

    public BinlogStore store() {
        return store;
    }

    /** The schema history: {@link SchemaHistory#trackerAt} for row-change readers (docs/schema-history.md). */
    public SchemaHistory schemaHistory() {
        return schemaHistory;
    }

    public RelayMetrics metrics() {
        return metrics;
    }

    public DownstreamServer downstream() {
        return downstream;
    }

    /** The upstream client now (CHANGE MASTER TO replaces it), or null without an upstream. */
    public UpstreamClient upstream() {
        return control.upstream();
    }

    private DownstreamServer downstreamOrNull() {
        return downstream;
    }

    /** The storage.retention task, or null when no limit is configured. */
    public RetentionTask retention() {
        return retention;
    }

    private java.util.List<RelayInfo.RegisteredReplica> downstreamReplicas() {
        return downstream == null ? java.util.List.of() : downstream.replicas();
    }

    /** Gauges of upstream.hosts (docs/failover.md); failovers and fork refusals are counted by the listener. */
    private void failoverMetrics() {
        java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<UpstreamClient>> of = f -> {
            UpstreamClient u = control.upstream();
            return u == null ? 0 : f.applyAsDouble(u);
        };
        metrics.gauge("binlog_relay_upstream_fork_refused", "1 while ingestion is refused: the primary lacks stored transactions",
                () -> of.applyAsDouble(u -> u.candidates().forkRefusal() != null && !u.isStreaming() ? 1 : 0));
        metrics.gauge("binlog_relay_upstream_candidates", "Candidate primaries in upstream.hosts (1 for upstream.host)",
                () -> of.applyAsDouble(u -> u.candidates().size()));
    }

    /** Relay_ingest_status: see {@link RelayInfo#ingestStatus()}. */
    private String ingestStatus() {
        UpstreamClient u = control.upstream();
        if (u == null) {
            return "no upstream";
        }
        if (u.paused()) {
            return "stopped: by the operator (STOP SLAVE; START SLAVE resumes)";
        }
        if (store.storageError().isPresent()) {
            return "stopped: " + store.storageError().get();
        }
        if (u.refusal() != null) {
            return "stopped: " + u.refusal();
        }
        if (u.isStreaming()) {
            return u.candidates().followsFailover() ? "streaming from " + u.candidates().primary() : "streaming";
        }
        if (u.candidates().forkRefusal() != null) {
            return "stopped: " + u.candidates().forkRefusal();
        }
        return "connecting" + (u.lastError().isEmpty() ? "" : " (last error: " + u.lastError() + "; " + u.consecutiveFailures()
                + " failure(s) in a row, retrying after " + u.nextReconnectDelayMs() + " ms)");
    }

    private int downstreamPort() {
        return address == null ? 0 : address.getPort();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        control.close();
        if (canal != null) {
            canal.close();
        }
        if (retention != null) {
            retention.close();
        }
        downstream.close();
        metrics.close();
        schemaHistory.close();
        store.close();
        log.info("relay server_id {} stopped", config.serverId);
    }

    /**
     * A clean stop (SIGTERM): stop accepting connections, stop ingesting (no new groups), let readers take what is
     * stored for at most {@code drain}, then close readers, the store and the metrics.
     */
    public void shutdown(java.time.Duration drain) throws InterruptedException {
        if (closed.get()) {
            return;
        }
        long started = System.nanoTime();
        downstream.stopAccepting();
        control.close();
        int waiting = ShutdownDrain.await(downstream.processes(), drain);
        if (waiting > 0) {
            log.warn("shutdown: {} reader(s) still behind after {} ms; closing them (they resume where they stopped)",
                    waiting, drain.toMillis());
        }
        close();
        log.info("clean shutdown took {} ms", java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Blocks until SIGTERM or SIGINT (then {@link #shutdown}s cleanly) or another JVM exit (then closes). */
    public void awaitShutdown() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        sun.misc.SignalHandler onSignal = signal -> new Thread(() -> {
            log.info("SIG{} received: stopping", signal.getName());
            try {
                shutdown(SHUTDOWN_DRAIN);
            } catch (InterruptedException | RuntimeException e) {
                log.warn("clean shutdown failed: {}", e.toString());
                close();
            } finally {
                done.countDown();
            }
        }, "relay-shutdown").start();
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), onSignal);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), onSignal);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "relay-exit"));
        done.await();
    }
}
