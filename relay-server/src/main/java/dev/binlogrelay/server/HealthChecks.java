package dev.binlogrelay.server;

import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.server.upstream.UpstreamClient;
import dev.binlogrelay.storage.BinlogStore;

import java.util.Optional;

/**
 * {@code /health} and {@code /ready} on the metrics port. Healthy: the process answers and the store is open.
 * Ready: healthy, and ingestion is where the operator wants it: streaming from the primary, or deliberately
 * stopped (STOP SLAVE), or no upstream configured (a relay serving an imported store). Connecting, refused by the
 * origin check, or stopped by a storage error is not ready: the reason is the answer's body.
 */
final class HealthChecks implements RelayMetrics.Health {
    private final BinlogStore store;
    private final RelayControl control;

    HealthChecks(BinlogStore store, RelayControl control) {
        this.store = store;
        this.control = control;
    }

    @Override
    public Optional<String> unhealthy() {
        return store.isClosed() ? Optional.of("the store is closed") : Optional.empty();
    }

    @Override
    public Optional<String> notReady() {
        Optional<String> unhealthy = unhealthy();
        if (unhealthy.isPresent()) {
            return unhealthy;
        }
        Optional<String> storageError = store.storageError();
        if (storageError.isPresent()) {
            return Optional.of("ingestion stopped by a storage error: " + storageError.get());
        }
        UpstreamClient u = control.upstream();
        if (u == null || u.paused() || u.isStreaming()) {
            return Optional.empty();
        }
        if (u.refusal() != null) {
            return Optional.of("ingestion refused: " + u.refusal());
        }
        String last = u.lastError();
        return Optional.of("not streaming from the upstream yet" + (last == null || last.isEmpty() ? "" : " (last error: "
                + last + ")"));
    }
}
