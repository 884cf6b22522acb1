package dev.binlogrelay.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/** The relay's Prometheus metrics, in a registry of its own (several relays can live in one JVM in tests). */
public final class RelayMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter upstreamEvents = Counter.builder().name("binlog_relay_upstream_events_total")
            .help("Events received from the primary").register(registry);
    private final Counter upstreamErrors = Counter.builder().name("binlog_relay_upstream_errors_total")
            .help("Upstream sessions that ended with an error").register(registry);
    private final Gauge upstreamConnected = Gauge.builder().name("binlog_relay_upstream_streaming")
            .help("1 while the upstream dump is streaming").register(registry);
    private final Gauge upstreamFailures = Gauge.builder().name("binlog_relay_upstream_consecutive_failures")
            .help("Upstream connections in a row that failed without progress (0 once a connection stores or streams)")
            .register(registry);
    private final Gauge upstreamReconnectDelay = Gauge.builder().name("binlog_relay_upstream_reconnect_delay_seconds")
            .help("Delay before the next upstream reconnect (grows while the same failure repeats)").register(registry);
    private final Gauge readers = Gauge.builder().name("binlog_relay_downstream_readers")
            .help("Downstream readers currently dumping").register(registry);
    private final Counter authFailures = Counter.builder().name("binlog_relay_downstream_auth_failures_total")
            .help("Downstream logins refused").register(registry);
    private final Counter protocolErrors = Counter.builder().name("binlog_relay_downstream_protocol_errors_total")
            .help("Downstream connections closed for malformed or oversized packets").register(registry);
    private final Counter sendFailures = Counter.builder().name("binlog_relay_downstream_send_failures_total")
            .help("Readers disconnected after a failure in their send path (e.g. a buffer allocation failing)")
            .register(registry);
    private final Counter writeTimeouts = Counter.builder().name("binlog_relay_downstream_write_timeouts_total")
            .help("Readers disconnected for holding pending writes without reading for downstream.write_timeout")
            .register(registry);
    private final Counter refusedConnections = Counter.builder().name("binlog_relay_downstream_connections_refused_total")
            .help("Downstream connections refused or closed by a limit (label: the downstream.* key)")
            .labelNames("limit").register(registry);
    private final Counter delayedLogins = Counter.builder().name("binlog_relay_downstream_auth_delayed_total")
            .help("Downstream logins whose answer was delayed after repeated failures from the host").register(registry);
    private final Counter purgedFiles = Counter.builder().name("binlog_relay_retention_purged_files_total")
            .help("Binlog files purged by storage.retention").register(registry);
    private final Counter purgedBytes = Counter.builder().name("binlog_relay_retention_purged_bytes_total")
            .help("Stored bytes of the binlog files purged by storage.retention").register(registry);
    private final Counter failovers = Counter.builder().name("binlog_relay_upstream_failovers_total")
            .help("Times ingestion moved to a new primary among upstream.hosts").register(registry);
    private final Counter forkRefusals = Counter.builder().name("binlog_relay_upstream_fork_refusals_total")
            .help("Times a candidate primary was refused because it lacks transactions the relay stored").register(registry);
    private final Counter semiSyncAcksSent = Counter.builder().name("binlog_relay_upstream_semisync_acks_total")
            .help("Semi-sync acknowledgements sent to the primary (after the transaction was durable)").register(registry);
    private final Counter semiSyncAcksReceived = Counter.builder().name("binlog_relay_downstream_semisync_acks_total")
            .help("Semi-sync acknowledgements received from downstream replicas").register(registry);
    private final Gauge semiSyncUpstream = Gauge.builder().name("binlog_relay_upstream_semisync_active")
            .help("1 while the relay streams from the primary as a semi-sync replica (upstream.semi_sync)").register(registry);
    private final Gauge semiSyncReaders = Gauge.builder().name("binlog_relay_downstream_semisync_readers")
            .help("Downstream readers dumping with semi-sync (@rpl_semi_sync_slave set)").register(registry);
    private HTTPServer http;

    /** Metrics of the JVM (memory, GC, threads, classes, CPU) and the process, under their standard names. */
    public RelayMetrics() {
        JvmMetrics.builder().register(registry);
    }

    /** What {@code /health} and {@code /ready} answer: empty for 200, else the reason (503). */
    public interface Health {
        Optional<String> unhealthy();

        Optional<String> notReady();
    }

    /** Ingestion moved to a new primary (issue 11: upstream.hosts). */
    public void failover() {
        failovers.inc();
    }

    /** A candidate primary was refused: it lacks stored transactions. */
    public void forkRefusal() {
        forkRefusals.inc();
    }

    /** A semi-sync ack was sent to the primary. */
    public void semiSyncAckSent() {
        semiSyncAcksSent.inc();
    }

    /** A downstream replica acknowledged a transaction (semi-sync). */
    public void semiSyncAckReceived() {
        semiSyncAcksReceived.inc();
    }

    public double semiSyncAcksSent() {
        return semiSyncAcksSent.get();
    }

    public double semiSyncAcksReceived() {
        return semiSyncAcksReceived.get();
    }

    /** The upstream semi-sync dump started or ended. */
    public void semiSyncUpstream(boolean on) {
        semiSyncUpstream.set(on ? 1 : 0);
    }

    public boolean semiSyncUpstreamActive() {
        return semiSyncUpstream.get() > 0;
    }

    /** A semi-sync reader started ({@code +1}) or stopped ({@code -1}) dumping. */
    public void semiSyncReaders(int delta) {
        semiSyncReaders.inc(delta);
    }

    public double semiSyncReadersNow() {
        return semiSyncReaders.get();
    }

    /**
     * A gauge with one label, computed when scraped: {@code values} gives each label value's number. The caller keeps
     * the label values few (see {@link ReaderLabels}).
     */
    public void labeledGauge(String name, String help, String label, Supplier<Map<String, Double>> values) {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name(name).help(help).labelNames(label)
                .callback(cb -> values.get().forEach((k, v) -> cb.call(v, k))).register(registry);
    }

    /** As {@link #labeledGauge}, for a counter (exposed as {@code name_total}). */
    public void labeledCounter(String name, String help, String label, Supplier<Map<String, Double>> values) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name(name).help(help).labelNames(label)
                .callback(cb -> values.get().forEach((k, v) -> cb.call(v, k))).register(registry);
    }

    public void upstreamEvent() {
        upstreamEvents.inc();
    }

    public void upstreamError() {
        upstreamErrors.inc();
    }

    public void upstreamReconnectScheduled(long delayMs, int failures) {
        upstreamFailures.set(failures);
        upstreamReconnectDelay.set(delayMs / 1000.0);
    }

    public void upstreamStreaming(boolean on) {
        upstreamConnected.set(on ? 1 : 0);
    }

    public void readerStarted() {
        readers.inc();
    }

    public void readerStopped() {
        readers.dec();
    }

    public void authFailure() {
        authFailures.inc();
    }

    public void readerSendFailure() {
        sendFailures.inc();
    }

    public void readerWriteTimeout() {
        writeTimeouts.inc();
    }

    public double sendFailures() {
        return sendFailures.get();
    }

    public double writeTimeouts() {
        return writeTimeouts.get();
    }

    /** A connection refused or closed by a downstream limit: max_connections, connect_timeout, idle_timeout, ... */
    public void connectionRefused(String limit) {
        refusedConnections.labelValues(limit).inc();
    }

    public void authDelayed() {
        delayedLogins.inc();
    }

    public void protocolError() {
        protocolErrors.inc();
    }

    public void retentionPurged(long files, long bytes) {
        purgedFiles.inc(files);
        purgedBytes.inc(bytes);
    }

    public double readersNow() {
        return readers.get();
    }

    /** A gauge computed when scraped (e.g. the store's cache hit ratio). */
    public void gauge(String name, String help, DoubleSupplier value) {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A counter read when scraped (exposed as {@code name_total}), e.g. the store's cache hits so far. */
    public void counter(String name, String help, DoubleSupplier value) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public int serve(String host, int port) throws IOException {
        return serve(host, port, null);
    }

    /** Serves {@code /metrics}, and {@code /health} and {@code /ready} from {@code health} (if not null). */
    public int serve(String host, int port, Health health) throws IOException {
        HTTPServer.Builder b = HTTPServer.builder().hostname(host).port(port).registry(registry);
        if (health != null) {
            b.defaultHandler(new HealthEndpoints(health));
        }
        http = b.buildAndStart();
        return http.getPort();
    }

    /** The port /metrics is served on, 0 if not served. */
    public int port() {
        return http == null ? 0 : http.getPort();
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
