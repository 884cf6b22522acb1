package dev.binlogrelay.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GtidIndexTest {
    @TempDir
    Path dir;
    BinlogStore store;
    TestLog log;

    @BeforeEach
    void fill() {
        store = BinlogStore.open(dir, TestLog.fastOptions());
        log = new TestLog(store);
        log.rotate(name(1)).append(100); // format description: no GTID
        log.appendWithGtid(new MariaGtidRef(0, 1, 10), Map.of(), 40, 50);    // at 104
        log.appendWithGtid(new MariaGtidRef(0, 1, 11), Map.of(), 40, 50);    // at 194
        log.appendWithGtid(new MariaGtidRef(3, 2, 5), Map.of(), 40, 50);     // at 284
        log.rotate(name(2)).append(100);
        log.appendWithGtid(new MariaGtidRef(0, 1, 12), Map.of(), 40, 50);    // at 104
        log.appendWithGtid(new MariaGtidRef(0xFFFF_FFFFL, 7, -2L), Map.of(), 40); // at 194, sequence 2^64-2
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void findsTheGtidEventOfASequenceNumber() {
        assertEquals(Optional.of(new BinlogPosition(name(1), 104)), store.findMariaGtid(0, 10));
        assertEquals(Optional.of(new BinlogPosition(name(1), 194)), store.findMariaGtid(0, 11));
        assertEquals(Optional.of(new BinlogPosition(name(2), 104)), store.findMariaGtid(0, 12));
        assertEquals(Optional.of(new BinlogPosition(name(1), 284)), store.findMariaGtid(3, 5));
        assertEquals(Optional.of(new BinlogPosition(name(2), 194)), store.findMariaGtid(0xFFFF_FFFFL, -2L));
        assertEquals(Optional.empty(), store.findMariaGtid(0, 9));
        assertEquals(Optional.empty(), store.findMariaGtid(0, 13));
        assertEquals(Optional.empty(), store.findMariaGtid(1, 10));
    }

    @Test
    void firstAndLastPerDomain() {
        assertEquals(Optional.of(new MariaGtidRef(0, 1, 10)), store.firstMariaGtid(0));
        assertEquals(Optional.of(new MariaGtidRef(0, 1, 12)), store.lastMariaGtid(0));
        assertEquals(Optional.of(new MariaGtidRef(3, 2, 5)), store.firstMariaGtid(3));
        assertEquals(Optional.of(new MariaGtidRef(3, 2, 5)), store.lastMariaGtid(3));
        assertEquals(Optional.empty(), store.firstMariaGtid(2));
        assertEquals(Optional.empty(), store.lastMariaGtid(2));
        // sequence numbers are unsigned: 2^64-2 is the largest, not negative
        assertEquals(Optional.of(new MariaGtidRef(0xFFFF_FFFFL, 7, -2L)), store.lastMariaGtid(0xFFFF_FFFFL));
        assertEquals("4294967295-7-18446744073709551614", store.lastMariaGtid(0xFFFF_FFFFL).orElseThrow().toString());
    }

    @Test
    void domainsInOrder() {
        assertEquals(Set.of(0L, 3L, 0xFFFF_FFFFL), store.mariaGtidDomains());
        assertEquals(java.util.List.of(0L, 3L, 0xFFFF_FFFFL), java.util.List.copyOf(store.mariaGtidDomains()));
    }

    @Test
    void aReusedSequenceNumberPointsAtTheLaterEvent() {
        log.appendWithGtid(new MariaGtidRef(3, 9, 5), Map.of(), 40);
        assertEquals(Optional.of(new BinlogPosition(name(2), 234)), store.findMariaGtid(3, 5));
        assertEquals(Optional.of(new MariaGtidRef(3, 9, 5)), store.lastMariaGtid(3));
    }

    @Test
    void domainOutside32BitsIsAnArgumentError() {
        assertThrows(IllegalArgumentException.class, () -> store.findMariaGtid(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> store.firstMariaGtid(1L << 32));
    }
}
