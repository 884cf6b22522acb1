package dev.binlogrelay.core.gtid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaGtidTest {
    @Test
    void parseAndFormat() {
        MariaGtid g = MariaGtid.parse(" 0-1-100 ");
        assertEquals(new MariaGtid(0, 1, 100), g);
        assertEquals("0-1-100", g.toString());
    }

    @Test
    void allPartsAreUnsigned() {
        MariaGtid g = MariaGtid.parse("4294967295-4294967295-18446744073709551615");
        assertEquals(0xFFFF_FFFFL, g.domainId());
        assertEquals(0xFFFF_FFFFL, g.serverId());
        assertEquals(-1L, g.sequence(), "2^64 - 1 held in a signed long");
        assertEquals("4294967295-4294967295-18446744073709551615", g.toString());
        assertEquals("0-1-9223372036854775808", new MariaGtid(0, 1, Long.MIN_VALUE).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0-1", "0-1-2-3", "0-1-x", "a-1-2", "0--2", "-1-1-1", "0-1-18446744073709551616", "0 1 2"})
    void badInput(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MariaGtid.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "' is not a MariaDB GTID"), e.getMessage());
    }
}
