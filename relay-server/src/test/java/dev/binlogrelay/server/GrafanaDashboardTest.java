package dev.binlogrelay.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogrelay.server.config.RelayConfig;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * conf/grafana-dashboard.json names only metrics the relay exports: every query of every panel is read, and each
 * metric name in it (binlog_relay_*, jvm_*, process_*) must be one a relay's registry holds (a relay in this JVM,
 * serving an empty store, with metrics on). The same relay answers /metrics, /health and /ready over HTTP.
 */
class GrafanaDashboardTest {
    private static final Pattern METRIC = Pattern.compile("\\b((?:binlog_relay|jvm|process)_[a-zA-Z0-9_]+)");

    @TempDir
    Path tmp;

    private static RelayConfig config(Path data) {
        RelayConfig c = new RelayConfig();
        c.serverId = 9001L;
        c.dataDir = data.toString();
        c.downstream = new RelayConfig.Downstream();
        c.downstream.listen = "127.0.0.1:0";
        RelayConfig.User u = new RelayConfig.User();
        u.user = "repl";
        u.password = "secret";
        c.downstream.users = List.of(u);
        c.metrics = new RelayConfig.Metrics();
        c.metrics.listen = "127.0.0.1:0";
        return c;
    }

    /** Every name the registry exports, with the suffixes Prometheus adds to counters, summaries and histograms. */
    static Set<String> exportedNames(Relay relay) {
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot s : relay.metrics().registry().scrape()) {
            String name = s.getMetadata().getPrometheusName();
            names.add(name);
            if (s instanceof CounterSnapshot) {
                names.add(name + "_total");
            } else if (s instanceof SummarySnapshot || s instanceof HistogramSnapshot) {
                names.addAll(List.of(name + "_sum", name + "_count", name + "_bucket"));
            } else if (s instanceof InfoSnapshot) {
                names.add(name + "_info");
            }
        }
        return names;
    }

    static List<String> queries(JsonNode node, List<String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("expr")) {
                    into.add(e.getValue().asText());
                } else {
                    queries(e.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> queries(n, into));
        }
        return into;
    }

    @Test
    void everyQueryNamesAnExportedMetric() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "conf", "grafana-dashboard.json").toFile());
        List<String> queries = queries(dashboard, new ArrayList<>());
        assertTrue(queries.size() >= 20, "queries: " + queries);
        try (Relay relay = Relay.start(config(tmp.resolve("data")))) {
            Set<String> exported = exportedNames(relay);
            List<String> unknown = new ArrayList<>();
            for (String q : queries) {
                Matcher m = METRIC.matcher(q);
                boolean any = false;
                while (m.find()) {
                    any = true;
                    if (!exported.contains(m.group(1))) {
                        unknown.add(m.group(1) + " (in " + q + ")");
                    }
                }
                assertTrue(any, "a query names no relay, JVM or process metric: " + q);
            }
            assertEquals(List.of(), unknown, "exported: " + exported);
        }
    }

    @Test
    void metricsHealthAndReadyAnswerOverHttp() throws Exception {
        try (Relay relay = Relay.start(config(tmp.resolve("data")))) {
            int port = relay.metrics().port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals("200 ok\n", get(http, port, "/health"));
            assertEquals("200 ok\n", get(http, port, "/ready"), "no upstream: serving the store is what it is for");
            assertTrue(get(http, port, "/nothing").startsWith("404 "));
            String metrics = get(http, port, "/metrics");
            for (String name : List.of("binlog_relay_downstream_readers", "jvm_memory_used_bytes", "jvm_threads_current",
                    "binlog_relay_upstream_failovers_total", "binlog_relay_upstream_semisync_acks_total")) {
                assertTrue(metrics.contains("\n" + name), name + " in:\n" + metrics);
            }
        }
    }

    private static String get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
