package dev.binlogrelay.server;

import dev.binlogrelay.server.canal.CanalServer;

import dev.binlogrelay.server.admin.AdminControl;
import dev.binlogrelay.server.downstream.DownstreamServer;
import dev.binlogrelay.server.metrics.ReaderLabels;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.server.upstream.UpstreamClient;
import dev.binlogrelay.storage.BinlogStore;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The metrics computed from the relay's parts when scraped: how far ingestion is behind the primary, whether the
 * operator stopped it, and per reader (labelled by server_id, at most {@link ReaderLabels#MAX_SERIES} series) the
 * bytes sent and the stored bytes not sent yet.
 */
final class RelayGauges {
    private RelayGauges() {
    }

    static void register(RelayMetrics metrics, BinlogStore store, RelayControl control, DownstreamServer downstream) {
        metrics.gauge("binlog_relay_upstream_seconds_behind", "Seconds the stored binlog was behind the primary when its last"
                + " transaction was stored (0 when caught up; NaN while not streaming)", () -> {
                    Long behind = store.isClosed() ? null : control.secondsBehind();
                    return behind == null ? Double.NaN : behind;
                });
        metrics.gauge("binlog_relay_upstream_ingest_stopped", "1 while ingestion is stopped by the operator (STOP SLAVE)",
                () -> {
                    UpstreamClient u = control.upstream();
                    return u != null && u.paused() ? 1 : 0;
                });
        metrics.labeledGauge("binlog_relay_reader_bytes_behind", "Stored binlog bytes a reader has not been sent yet"
                + " (label: the reader's server_id; readers beyond the first 50 server_ids are summed as other)", "reader",
                () -> perReader(store, downstream, c -> c.bytesBehind()));
        metrics.labeledCounter("binlog_relay_reader_bytes_sent", "Binlog bytes sent to a reader by its current connection"
                + " (label: the reader's server_id, as binlog_relay_reader_bytes_behind)", "reader",
                () -> perReader(store, downstream, c -> c.bytesSent()));
    }

    /** Canal clients' metrics (docs/canal.md), when {@code canal:} is configured. */
    static void registerCanal(RelayMetrics metrics, CanalServer canal) {
        metrics.gauge("binlog_relay_canal_connections", "Canal client connections open now", canal::connections);
        metrics.gauge("binlog_relay_canal_clients", "Canal clients (destination and client id) attached now",
                canal::attachedClients);
        metrics.counter("binlog_relay_canal_batches", "Batches of entries handed to Canal clients",
                canal::batchesDelivered);
        metrics.counter("binlog_relay_canal_entries", "Entries handed to Canal clients in those batches",
                canal::entriesDelivered);
        metrics.gauge("binlog_relay_canal_pending_bytes", "Bytes held now in canal.max_pending_bytes: batches being"
                + " built or written, and the shared cache of decoded entries", canal::pendingBytes);
        metrics.gauge("binlog_relay_canal_pending_bytes_peak", "The most bytes canal.max_pending_bytes held at once"
                + " since start-up", canal::pendingBytesPeak);
        metrics.counter("binlog_relay_canal_budget_waits", "Gets that waited for room in canal.max_pending_bytes",
                canal::budgetWaits);
        metrics.counter("binlog_relay_canal_write_timeouts", "Canal connections closed because their batch's write made"
                + " no progress for canal.write_timeout (5 s while canal.max_pending_bytes is spent and gets wait)",
                canal::writeTimeouts);
        metrics.gauge("binlog_relay_canal_cache_bytes", "Bytes the shared cache of decoded Canal entries holds now",
                canal::cacheBytes);
        metrics.counter("binlog_relay_canal_cache_hits", "Rows events whose Canal entries a client found decoded"
                + " by another", canal::cacheHits);
        metrics.counter("binlog_relay_canal_cache_misses", "Rows events a Canal client decoded itself",
                canal::cacheMisses);
    }

    private static Map<String, Double> perReader(BinlogStore store, DownstreamServer downstream,
                                                 ToDoubleFunction<AdminControl.Connection> value) {
        ReaderLabels labels = new ReaderLabels();
        if (store.isClosed()) {
            return labels.values();
        }
        for (AdminControl.Connection c : downstream.processes().connections()) {
            if (c.file() != null) {
                labels.add(c.serverId(), value.applyAsDouble(c));
            }
        }
        return labels.values();
    }
}
