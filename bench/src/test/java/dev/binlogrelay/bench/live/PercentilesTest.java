package dev.binlogrelay.bench.live;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentilesTest {
    @Test
    void nearestRankOnMilliseconds() {
        // 1..1000 ms in shuffled order
        long[] nanos = LongStream.rangeClosed(1, 1000).map(i -> ((i * 7919) % 1000 + 1) * 1_000_000L).toArray();
        Percentiles p = Percentiles.of(nanos);
        assertEquals(1000, p.samples());
        assertEquals(500.0, p.p50());
        assertEquals(990.0, p.p99());
        assertEquals(999.0, p.p999());
        assertEquals(1000.0, p.max());
    }

    @Test
    void fewSamplesAndNone() {
        Percentiles one = Percentiles.of(new long[] {2_500_000});
        assertEquals(2.5, one.p50());
        assertEquals(2.5, one.p999());
        assertTrue(Double.isNaN(Percentiles.of(new long[0]).p99()));
    }
}
