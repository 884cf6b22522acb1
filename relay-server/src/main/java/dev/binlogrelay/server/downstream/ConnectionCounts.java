package dev.binlogrelay.server.downstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the downstream server's connections against downstream.max_connections, and those still logging in
 * against downstream.max_unauthenticated_per_host, per host ({@link PeerHost}). Thread-safe (all event loops
 * share one); a host's entry goes when its last login ends, so the map holds only hosts with logins in flight.
 */
final class ConnectionCounts {
    private final int maxConnections;
    private final int maxPerHost;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> loggingIn = new ConcurrentHashMap<>();

    ConnectionCounts(int maxConnections, int maxPerHost) {
        this.maxConnections = maxConnections;
        this.maxPerHost = maxPerHost;
    }

    /** Counts a new connection, or returns false (and counts nothing) when max_connections are open. */
    boolean open() {
        while (true) {
            int n = open.get();
            if (n >= maxConnections) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void closed() {
        open.decrementAndGet();
    }

    /** Counts a login in flight from the host, or returns false when it has max_unauthenticated_per_host already. */
    boolean startLogin(String host) {
        boolean[] ok = {false};
        loggingIn.compute(host, (h, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerHost) {
                return n;
            }
            ok[0] = true;
            return now + 1;
        });
        return ok[0];
    }

    void endLogin(String host) {
        loggingIn.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
    }

    int openNow() {
        return open.get();
    }

    int loggingIn() {
        return loggingIn.values().stream().mapToInt(Integer::intValue).sum();
    }
}
