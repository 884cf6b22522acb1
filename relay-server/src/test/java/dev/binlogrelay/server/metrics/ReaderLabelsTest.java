package dev.binlogrelay.server.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-reader series stay at most {@link ReaderLabels#MAX_SERIES} + "other", whatever the number of readers. */
class ReaderLabelsTest {
    @Test
    void readersBeyondTheBoundAreSummedAsOther() {
        ReaderLabels labels = new ReaderLabels();
        for (long id = 1; id <= 1000; id++) {
            labels.add(id, 10);
        }
        labels.add(7, 5); // a second reader with server_id 7: summed into its series
        labels.add(999, 1); // past the bound: other
        assertEquals(ReaderLabels.MAX_SERIES + 1, labels.values().size());
        assertEquals(15.0, labels.values().get("7"));
        assertEquals((1000 - ReaderLabels.MAX_SERIES) * 10.0 + 1, labels.values().get(ReaderLabels.OTHER));
        assertEquals(1000 * 10.0 + 6, labels.values().values().stream().mapToDouble(Double::doubleValue).sum());
    }
}
