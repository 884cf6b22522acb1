package dev.binlogrelay.server.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps per-reader metrics to a bounded number of series: readers are labelled by their server_id, the first
 * {@value #MAX_SERIES} distinct ones (in the order given, oldest connection first) each get a series, and the
 * rest are summed under {@code reader="other"}. A fleet of thousands of CDC readers therefore costs at most
 * {@value #MAX_SERIES} + 1 series per metric, and a reader that reconnects keeps its series (its server_id).
 */
public final class ReaderLabels {
    /** Most per-reader series of one metric, besides "other". */
    public static final int MAX_SERIES = 50;
    public static final String OTHER = "other";

    private final Map<String, Double> values = new LinkedHashMap<>();

    /** Adds a reader's value under its server_id (summed with other readers of the same server_id). */
    public void add(long serverId, double value) {
        String label = Long.toString(serverId);
        if (!values.containsKey(label) && values.size() - (values.containsKey(OTHER) ? 1 : 0) >= MAX_SERIES) {
            label = OTHER;
        }
        values.merge(label, value, Double::sum);
    }

    public Map<String, Double> values() {
        return values;
    }
}
