package dev.binlogrelay.core.gtid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MariaGtidPositionTest {
    private static MariaGtid gtid(String text) {
        return MariaGtid.parse(text);
    }

    @Test
    void parseAndFormatInDomainOrder() {
        MariaGtidPosition p = MariaGtidPosition.parse("1-2-7,0-1-100");
        assertEquals("0-1-100,1-2-7", p.toString());
        assertEquals(gtid("1-2-7"), p.get(1));
        assertNull(p.get(2));
        assertEquals(List.of(gtid("0-1-100"), gtid("1-2-7")), List.copyOf(p.gtids()));
        assertEquals(List.of(0L, 1L), List.copyOf(p.domains().keySet()));
        assertEquals(p, MariaGtidPosition.parse(p.toString()), "format then parse");
    }

    @Test
    void blanksAndEmptyPartsAreSkipped() {
        assertEquals("0-1-100,1-2-7", MariaGtidPosition.parse(" 0-1-100 , ,1-2-7,").toString());
    }

    @Test
    void emptyPositions() {
        for (MariaGtidPosition p : List.of(MariaGtidPosition.parse(""), MariaGtidPosition.parse(null),
                MariaGtidPosition.parse(" , "), MariaGtidPosition.of(List.of()))) {
            assertTrue(p.isEmpty());
            assertEquals("", p.toString());
            assertEquals(MariaGtidPosition.EMPTY, p);
        }
    }

    @Test
    void sixtyFourBitSequences() {
        MariaGtidPosition p = MariaGtidPosition.parse("0-1-18446744073709551615,5-1-9223372036854775808");
        assertEquals("0-1-18446744073709551615,5-1-9223372036854775808", p.toString());
        assertEquals(-1L, p.get(0).sequence());
        assertEquals(Long.MIN_VALUE, p.get(5).sequence());
    }

    @Test
    void containsComparesSequencesAsUnsigned() {
        MariaGtidPosition p = MariaGtidPosition.parse("0-1-9223372036854775808");
        assertTrue(p.contains(gtid("0-1-5")), "5 <= 2^63 (a signed compare would say no)");
        assertTrue(p.contains(gtid("0-1-9223372036854775808")));
        assertFalse(p.contains(gtid("0-1-9223372036854775809")));
        assertFalse(MariaGtidPosition.parse("0-1-5").contains(gtid("0-1-9223372036854775808")));
    }

    @Test
    void containsIsPerDomainAndIgnoresTheServerId() {
        MariaGtidPosition p = MariaGtidPosition.parse("0-1-100,1-2-7");
        assertTrue(p.contains(gtid("0-1-100")));
        assertTrue(p.contains(gtid("0-9-99")), "a GTID from another server in the same domain");
        assertFalse(p.contains(gtid("0-1-101")));
        assertTrue(p.contains(gtid("1-2-7")));
        assertFalse(p.contains(gtid("1-2-8")));
        assertFalse(p.contains(gtid("2-1-1")), "a domain the position has never seen");
    }

    @Test
    void withAdvancesOneDomainAndLeavesTheOriginalAlone() {
        MariaGtidPosition p = MariaGtidPosition.parse("0-1-100");
        MariaGtidPosition q = p.with(gtid("0-2-101")).with(gtid("3-1-1"));
        assertEquals("0-1-100", p.toString());
        assertEquals("0-2-101,3-1-1", q.toString());
        assertTrue(q.contains(gtid("0-1-101")));
        assertNotEquals(p, q);
        assertEquals(q.hashCode(), MariaGtidPosition.parse("3-1-1,0-2-101").hashCode());
    }

    @Test
    void ofKeepsTheLastGtidOfEachDomain() {
        MariaGtidPosition p = MariaGtidPosition.of(List.of(gtid("0-1-1"), gtid("1-1-5"), gtid("0-1-2")));
        assertEquals("0-1-2,1-1-5", p.toString());
    }

    @Test
    void viewsAreReadOnly() {
        MariaGtidPosition p = MariaGtidPosition.parse("0-1-1");
        assertThrows(UnsupportedOperationException.class, () -> p.domains().put(1L, gtid("1-1-1")));
        assertThrows(UnsupportedOperationException.class, () -> p.gtids().clear());
    }

    @Test
    void aDomainNamedTwiceIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MariaGtidPosition.parse("0-1-1,0-2-2"));
        assertEquals("GTID position '0-1-1,0-2-2' names domain 0 twice", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-1", "0-1-1,x", "0-1-1;1-1-1", "0-1-18446744073709551616", "0-1-1,,1-1-", "'0-1-1'"})
    void badInput(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MariaGtidPosition.parse(text));
        assertTrue(e.getMessage().contains("is not a MariaDB GTID"), e.getMessage());
    }
}
