package dev.binlogrelay.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /health} and {@code GET /ready}: 200 "ok", or 503 with the reason, in plain text (for load balancers,
 * systemd watchdogs, Kubernetes probes). {@code /} lists the endpoints; anything else is 404. {@code /metrics} is
 * served by the Prometheus exporter itself.
 */
final class HealthEndpoints implements HttpHandler {
    private final RelayMetrics.Health health;

    HealthEndpoints(RelayMetrics.Health health) {
        this.health = health;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Optional<String> problem;
            int status;
            switch (path) {
                case "/health", "/health/" -> problem = health.unhealthy();
                case "/ready", "/ready/" -> problem = health.notReady();
                case "/" -> {
                    reply(exchange, 200, "binlog-relay: /metrics /health /ready\n");
                    return;
                }
                default -> {
                    reply(exchange, 404, "not found: " + path + " (try /metrics, /health, /ready)\n");
                    return;
                }
            }
            status = problem.isEmpty() ? 200 : 503;
            reply(exchange, status, problem.map(p -> p + "\n").orElse("ok\n"));
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
