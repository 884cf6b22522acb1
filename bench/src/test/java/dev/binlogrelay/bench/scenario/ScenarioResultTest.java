package dev.binlogrelay.bench.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.binlogrelay.bench.scenario.ScenarioResult.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioResultTest {
    private final List<Map<String, Object>> runs = List.of(
            row("target", "relay", "seconds", 3.0, "problem", null),
            row("target", "relay", "seconds", 1.0, "problem", null),
            row("target", "primary", "seconds", 2.0, "problem", "a, \"quoted\" problem"),
            row("target", "primary", "seconds", 4.0, "problem", null));

    @Test
    void medianOfTheMatchingRuns() {
        assertEquals(2.0, ScenarioResult.median(runs, "seconds", r -> "relay".equals(r.get("target"))));
        assertEquals(3.0, ScenarioResult.median(runs, "seconds", r -> "primary".equals(r.get("target"))));
        assertEquals(2.5, ScenarioResult.median(runs, "seconds", r -> true));
        assertTrue(Double.isNaN(ScenarioResult.median(runs, "seconds", r -> false)));
        assertTrue(Double.isNaN(ScenarioResult.median(runs, "missing", r -> true)));
    }

    @Test
    void csvHasAHeaderAndQuotesWhatNeedsIt() {
        String csv = new ScenarioResult("x", true, null, runs, Map.of(), "").csv();
        assertEquals("""
                target,seconds,problem
                relay,3.0000,
                relay,1.0000,
                primary,2.0000,"a, 'quoted' problem"
                primary,4.0000,
                """, csv);
    }
}
