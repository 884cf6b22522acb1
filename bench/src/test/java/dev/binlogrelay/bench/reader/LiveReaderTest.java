package dev.binlogrelay.bench.reader;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LiveReaderTest {
    private static byte[] packet(String body) {
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[20 + b.length + 4];
        System.arraycopy(b, 0, p, 20, b.length);
        return p;
    }

    @Test
    void findsTheWritersMarkerInARowsEvent() {
        assertEquals(123, LiveReader.markerId(packet("\u0003xxLAT:000000000123pppp")));
        assertEquals(999_999_999_999L, LiveReader.markerId(packet("LAT:999999999999")));
    }

    @Test
    void ignoresWhatIsNotAMarker() {
        assertEquals(-1, LiveReader.markerId(packet("no marker here at all")));
        assertEquals(-1, LiveReader.markerId(packet("LAT:12345")), "too few digits before the end");
        assertEquals(7, LiveReader.markerId(packet("LAT:00000x000001LAT:000000000007")), "a non-digit skips to the next");
    }

    @Test
    void doesNotLookIntoTheEventHeader() {
        byte[] p = packet("");
        byte[] m = "LAT:000000000042".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, p, 1, m.length);
        assertEquals(-1, LiveReader.markerId(p));
    }
}
