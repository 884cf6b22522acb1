package dev.binlogrelay.bench.scenario;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scenario (catch-up, latency, ingest, memory, behind reader) measured: every run's values (written to
 * {@code <name>.csv} and {@code results.json}), the medians it reports, whether every run delivered exactly what
 * it had to, and its RESULTS.md section.
 *
 * @param problem the first correctness problem, or null
 */
public record ScenarioResult(String name, boolean correct, String problem, List<Map<String, Object>> runs,
                             Map<String, Object> summary, String markdown) {

    /** Median of the numeric value {@code key} over the runs where {@code filter} holds (NaN when none). */
    public static double median(List<Map<String, Object>> runs, String key, java.util.function.Predicate<Map<String, Object>> filter) {
        double[] v = runs.stream().filter(filter).map(r -> r.get(key)).filter(o -> o instanceof Number)
                .mapToDouble(o -> ((Number) o).doubleValue()).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** An ordered map from alternating keys and values. */
    public static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The CSV of the runs: the first run's keys as header. */
    public String csv() {
        if (runs.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.join(",", runs.get(0).keySet())).append('\n');
        for (Map<String, Object> r : runs) {
            sb.append(String.join(",", runs.get(0).keySet().stream().map(k -> {
                Object v = r.get(k);
                if (v == null) {
                    return "";
                }
                String s = v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.4f", d) : v.toString();
                return s.contains(",") || s.contains("\"") ? '"' + s.replace('"', '\'') + '"' : s;
            }).toList())).append('\n');
        }
        return sb.toString();
    }
}
