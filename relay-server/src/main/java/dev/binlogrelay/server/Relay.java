package dev.binlogrelay.server;

import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.ConfigLoader;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.DownstreamLimits;
import dev.binlogrelay.server.downstream.DownstreamSecurity;
import dev.binlogrelay.server.downstream.DownstreamServer;
import dev.binlogrelay.server.downstream.UserDirectory;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.server.retention.RetentionPolicy;
import dev.binlogrelay.server.retention.RetentionTask;
import dev.binlogrelay.server.upstream.BinlogIngester;
import dev.binlogrelay.server.upstream.UpstreamClient;
import dev.binlogrelay.server.upstream.UpstreamOrigin;
import dev.binlogrelay.server.upstream.UpstreamRefusedException;
import dev.binlogrelay.server.wiring.LimitsConfig;
import dev.binlogrelay.server.wiring.RetentionConfig;
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
    private final UpstreamClient upstream;
    private final RetentionTask retention;
    private final InetSocketAddress address;
    private UpstreamOrigin origin;

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
        try {
            if (config.upstream != null) {
                origin = checkOrigin(config.upstream, start.acceptUpstreamChange());
            }
            ds = downstreamServer(config);
            this.downstream = ds;
            var listen = ConfigLoader.ListenAddress.parse(config.downstream.listen);
            this.address = ds.bind(listen.host(), listen.port());
            if (config.metrics != null) {
                var m = ConfigLoader.ListenAddress.parse(config.metrics.listen);
                int port = metrics.serve(m.host(), m.port());
                log.info("Prometheus metrics on http://{}:{}/metrics", m.host(), port);
            }
            log.info("relay server_id {} serving on {}:{}", config.serverId, address.getHostString(), address.getPort());
            rt = retentionTask(config);
            this.retention = rt;
            this.upstream = config.upstream == null ? null : upstreamClient(config);
            if (upstream == null) {
                log.info("no upstream configured: serving what the store holds");
            } else {
                upstream.start();
            }
        } catch (RuntimeException | InterruptedException | java.io.IOException e) {
            if (rt != null) {
                rt.close();
            }
            if (ds != null) {
                ds.close();
            }
            metrics.close();
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

    /** See {@link UpstreamOrigin#checkConfig}: a refusal stops start-up like a bad config key. */
    private UpstreamOrigin checkOrigin(RelayConfig.Upstream u, boolean acceptChange) {
        try {
            return UpstreamOrigin.checkConfig(store, u.host, u.port, u.start, acceptChange);
        } catch (UpstreamRefusedException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private DownstreamServer downstreamServer(RelayConfig config) {
        UserDirectory users = SecurityConfig.users(config.downstream);
        DownstreamSecurity security = SecurityConfig.downstream(config.downstream, Path.of(config.dataDir));
        DownstreamLimits limits = LimitsConfig.limits(config.downstream);
        StoreRelayInfo storeInfo = new StoreRelayInfo(config, store, this::downstreamReplicas, this::downstreamPort,
                this::ingestStatus, limits);
        storeInfo.semiSync(() -> new RelayInfo.SemiSyncStatus(metrics.semiSyncUpstreamActive(),
                (long) metrics.semiSyncUpstreamAcks(), (long) metrics.semiSyncReadersNow(), (long) metrics.semiSyncReaderAcks()));
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
        task.start();
        return task;
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
                origin.checkServer(info);
            }

            @Override
            public void onSemiSync(boolean on) {
                metrics.semiSyncUpstream(on);
            }

            @Override
            public void onSemiSyncAck(String file, long position) {
                metrics.semiSyncUpstreamAck();
            }
        });
    }

    public static Relay start(RelayConfig config) throws InterruptedException {
        return new Relay(config, StartOptions.DEFAULT);
    }

    /**
     * Starts a relay with {@code run}'s options.
     *
     * @throws ConfigException if the configured upstream is not what the store was filled from (see
     *                         {@link UpstreamOrigin})
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

    public RelayMetrics metrics() {
        return metrics;
    }

    public DownstreamServer downstream() {
        return downstream;
    }

    public UpstreamClient upstream() {
        return upstream;
    }

    /** The storage.retention task, or null when no limit is configured. */
    public RetentionTask retention() {
        return retention;
    }

    private java.util.List<RelayInfo.RegisteredReplica> downstreamReplicas() {
        return downstream == null ? java.util.List.of() : downstream.replicas();
    }

    /** Relay_ingest_status: see {@link RelayInfo#ingestStatus()}. */
    private String ingestStatus() {
        UpstreamClient u = upstream;
        if (u == null) {
            return "no upstream";
        }
        if (store.storageError().isPresent()) {
            return "stopped: " + store.storageError().get();
        }
        if (u.refusal() != null) {
            return "stopped: " + u.refusal();
        }
        if (u.isStreaming()) {
            return "streaming";
        }
        return "connecting" + (u.lastError().isEmpty() ? "" : " (last error: " + u.lastError() + "; " + u.consecutiveFailures()
                + " failure(s) in a row, retrying after " + u.nextReconnectDelayMs() + " ms)");
    }

    private int downstreamPort() {
        return address == null ? 0 : address.getPort();
    }

    @Override
    public void close() {
        if (upstream != null) {
            upstream.close();
        }
        if (retention != null) {
            retention.close();
        }
        downstream.close();
        metrics.close();
        store.close();
        log.info("relay server_id {} stopped", config.serverId);
    }

    /** Blocks until the JVM is asked to stop. */
    public void awaitShutdown() throws InterruptedException {
        Object lock = new Object();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            synchronized (lock) {
                lock.notifyAll();
            }
        }, "relay-shutdown"));
        synchronized (lock) {
            lock.wait();
        }
    }
}
