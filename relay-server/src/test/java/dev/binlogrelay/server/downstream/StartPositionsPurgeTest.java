package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where readers start once old files are purged: at the purge boundary they are served from the first available
 * file; behind it, in any domain, they get the "was purged" error naming the oldest available GTID state.
 */
class StartPositionsPurgeTest {
    @TempDir
    Path dir;
    BinlogStore store;
    StartPositions positions;
    final Map<String, Long> ends = new HashMap<>();

    /** A format description good enough for the checks made here: type 15, a MariaDB version, no checksums. */
    private static final byte[] FDE;

    static {
        byte[] fde = new byte[100];
        fde[4] = 15;
        byte[] version = "10.11.5-MariaDB-log".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, fde, 21, version.length);
        FDE = fde;
    }

    private static String name(int n) {
        return String.format("mariadb-bin.%06d", n);
    }

    private void group(int file, MariaGtidRef gtid) {
        String f = name(file);
        long pos = ends.getOrDefault(f, 4L);
        store.writer().appendGroup(f, List.of(new EventToStore(pos, new byte[50], StoredEvent.GROUP_START | StoredEvent.GROUP_END, gtid)),
                // the relay started replicating at 0-1-9: recorded with the first group
                ends.isEmpty() ? StateUpdate.builder().formatDescription(FDE).mariaStartPosition(MariaGtidPosition.parse("0-1-9")).build()
                        : StateUpdate.builder().formatDescription(FDE).build());
        ends.put(f, pos + 50);
    }

    /** Files 1-4; purged before file 3; the relay started replicating at 0-1-9. */
    @BeforeEach
    void fill() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20));
        positions = new StartPositions(store, new FileFormats(store));
        group(1, null);
        group(1, new MariaGtidRef(0, 1, 10));
        group(1, new MariaGtidRef(3, 2, 7));
        group(1, new MariaGtidRef(0, 1, 11));
        group(2, new MariaGtidRef(0, 1, 12));
        group(2, new MariaGtidRef(5, 1, 100));
        group(3, new MariaGtidRef(0, 1, 13));
        group(4, new MariaGtidRef(0, 1, 14));
        group(4, new MariaGtidRef(5, 1, 101));
        store.purgeFilesBefore(name(3));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private BinlogPosition startFor(String gtids) throws PositionException {
        try (BinlogCursor c = positions.openForGtid(MariaGtidPosition.parse(gtids))) {
            return c.position();
        }
    }

    private String errorFor(String gtids) {
        return assertThrows(PositionException.class, () -> positions.openForGtid(MariaGtidPosition.parse(gtids))).getMessage();
    }

    @Test
    void aReaderAtThePurgeBoundaryStartsAtTheFirstAvailableFile() throws Exception {
        assertEquals("0-1-12,3-2-7,5-1-100", store.purgedRange().orElseThrow().gtidStateText());
        assertEquals(new BinlogPosition(name(3), 4), startFor("0-1-12,3-2-7,5-1-100"));
        assertEquals(new BinlogPosition(name(3), 4), startFor("0-1-12"), "domains the reader never saw start at the beginning");
        assertEquals(new BinlogPosition(name(3), 4), startFor("0-1-12,3-2-9,5-1-100"), "ahead in a purged-only domain");
        assertEquals(new BinlogPosition(name(3), 4), startFor(""), "an empty state starts at the oldest file, as on the server");
    }

    @Test
    void readersPastTheBoundaryStartWhereTheirGtidIs() throws Exception {
        assertEquals(new BinlogPosition(name(3), 4), startFor("0-1-13,5-1-100"));
        assertEquals(new BinlogPosition(name(4), 4), startFor("0-1-14,5-1-101"));
    }

    @Test
    void aReaderBehindThePurgeInAnyDomainIsRefused() {
        String behind = errorFor("0-1-11,3-2-7,5-1-100");
        assertEquals("Could not find GTID state requested by slave in any binlog files: GTID 0-1-11 was purged from the relay;"
                + " the oldest available GTID state is 0-1-12,3-2-7,5-1-100 (at mariadb-bin.000003:4)", behind);
        assertTrue(errorFor("0-1-12,3-2-6").contains("GTID 3-2-6 was purged from the relay"), "a domain only purged files had");
        assertTrue(errorFor("0-1-12,5-1-99").contains("GTID 5-1-99 was purged from the relay"));
        assertTrue(errorFor("0-1-9").contains("GTID 0-1-9 was purged"), "the relay's own start state is purged too");
        assertTrue(errorFor("0-1-99").contains("not in the master's binlog"), "ahead of everything is still that error");
    }

    @Test
    void fileReadersOfAPurgedFileAreRefused() throws Exception {
        PositionException e = assertThrows(PositionException.class, () -> positions.openForFile(name(1), 4));
        assertEquals("Could not find first log file name in binary log index file: mariadb-bin.000001 was purged from the relay;"
                + " the oldest available position is mariadb-bin.000003:4", e.getMessage());
        try (BinlogCursor c = positions.openForFile("", 0)) {
            assertEquals(new BinlogPosition(name(3), 4), c.position(), "no file named: the oldest available one");
        }
        PositionException unknown = assertThrows(PositionException.class, () -> positions.openForFile("other-bin.000001", 4));
        assertTrue(unknown.getMessage().contains("'other-bin.000001' is not among the binlog files the relay holds"), unknown.getMessage());
    }

    @Test
    void withoutAPurgeTheRelaysStartStateIsTheBoundary(@TempDir Path other) throws Exception {
        store.close();
        store = BinlogStore.open(other, StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20));
        positions = new StartPositions(store, new FileFormats(store));
        ends.clear();
        group(1, new MariaGtidRef(0, 1, 10));
        assertEquals(new BinlogPosition(name(1), 4), startFor("0-1-9"));
        assertTrue(errorFor("0-1-8").contains("older than the oldest the relay holds"), errorFor("0-1-8"));
    }

    /** Issue 16 finding 10: COM_BINLOG_DUMP_GTID naming a file at position 2^64-1 or 2^63 was served from position 4. */
    @Test
    void positionsOf2To63AndMoreAreRefusedNotServedFrom4() throws Exception {
        for (long position : new long[] {-1L, Long.MIN_VALUE}) {
            PositionException e = assertThrows(PositionException.class, () -> positions.openForFile(name(3), position));
            assertTrue(e.getMessage().contains(Long.toUnsignedString(position)), e.getMessage());
            assertTrue(e.getMessage().startsWith("Client requested master to start replication from position > file size"),
                    e.getMessage());
        }
        try (BinlogCursor c = positions.openForFile(name(3), 0)) {
            assertEquals(4, c.position().position(), "positions below 4 still mean 4");
        }
    }
}
