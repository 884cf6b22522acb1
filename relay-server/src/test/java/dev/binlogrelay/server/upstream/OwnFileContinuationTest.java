package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.flavor.MariaDbFlavor;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a failover the relay continues in its own next file (issue 11 §1): on a recorded MariaDB binlog, the first
 * transactions are stored as the old primary sent them, the rest arrive from a "new primary" whose file has the same
 * name (the collision a real failover has) and whose positions are its own. The relay's rotate ends the old file,
 * its next file starts with the primary's format description and the relay's GTID_LIST, and every event's log_pos is
 * the relay's offset with a valid CRC32, its other bytes as the primary sent them.
 */
class OwnFileContinuationTest {
    private static final String FILE = "mariadb-bin.000001";
    private static final String NEXT = "mariadb-bin.000002";

    @TempDir
    Path tmp;
    private List<byte[]> events;
    /** Index of the first event of the transactions the new primary sends. */
    private int split;

    @BeforeEach
    void readFixture() throws IOException {
        byte[] file = Files.readAllBytes(Fixtures.file("blackbeam-rust_mysql_common/mariadb-bin.000001"));
        events = new ArrayList<>();
        for (int pos = 4; pos < file.length; ) {
            int size = (int) Events.u32(file, pos + Events.OFFSET_SIZE);
            events.add(Arrays.copyOfRange(file, pos, pos + size));
            pos += size;
        }
        List<Integer> gtids = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (Events.type(events.get(i)) == EventType.MARIA_GTID) {
                gtids.add(i);
            }
        }
        assertTrue(gtids.size() >= 2, "the fixture has two transactions or more");
        split = gtids.get(gtids.size() - 1);
    }

    private long oldPrimaryEnd(BinlogStore store) {
        BinlogIngester ingester = new BinlogIngester(store);
        ingester.startStream(FILE, 4, null);
        ingester.offer(ArtificialEvents.fakeRotate(1, FILE, 4, ChecksumAlgorithm.CRC32));
        for (byte[] e : events.subList(0, split)) {
            ingester.offer(e.clone());
        }
        ingester.flush();
        return store.committedEnd().orElseThrow().position();
    }

    /** What the new primary sends for a GTID dump from the relay's position: fake rotate, FDE, fake GTID_LIST, the rest. */
    private void newPrimaryStream(BinlogIngester ingester, List<byte[]> transactions) {
        ingester.startStream(null, 0, MariaDbFlavor.INSTANCE.parseGtidStart(ingester.storedGtidText().orElseThrow()), true);
        ingester.offer(ArtificialEvents.fakeRotate(2, FILE, 4, ChecksumAlgorithm.CRC32));
        ingester.offer(events.get(0).clone());
        ingester.offer(ArtificialEvents.fakeGtidList(2, ingester.gtidPosition().gtids(), 0, ChecksumAlgorithm.CRC32));
        for (byte[] e : transactions) {
            ingester.offer(e.clone());
        }
        ingester.flush();
    }

    private List<byte[]> newPrimaryTransactions() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] e : events.subList(split, events.size())) {
            int type = Events.type(e);
            if (type != EventType.ROTATE && type != EventType.STOP) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void theRelayRotatesIntoItsOwnNextFileAndRewritesEveryPosition() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            long oldEnd = oldPrimaryEnd(store);
            BinlogIngester ingester = new BinlogIngester(store);
            List<byte[]> sent = newPrimaryTransactions();
            newPrimaryStream(ingester, sent);

            assertEquals(List.of(FILE, NEXT), store.files().stream().map(f -> f.name()).toList());
            assertEquals(Optional.of(FILE), store.state().relayFilesAfter());
            List<StoredEvent> old = read(store, FILE);
            StoredEvent rotate = old.get(old.size() - 1);
            assertEquals(EventType.ROTATE, Events.type(rotate.bytes()));
            assertEquals(oldEnd, rotate.position(), "the relay's rotate is appended at the old primary's end");
            assertEquals(new ArtificialEvents.RotateTarget(NEXT, 4), ArtificialEvents.parseRotate(rotate.bytes(), ChecksumAlgorithm.CRC32));
            assertFalse(Events.isArtificial(rotate.bytes()), "a real rotate: file/position readers follow it");

            List<StoredEvent> mine = read(store, NEXT);
            assertEquals(EventType.FORMAT_DESCRIPTION, Events.type(mine.get(0).bytes()));
            assertEquals(EventType.MARIA_GTID_LIST, Events.type(mine.get(1).bytes()));
            assertEquals(sent.size() + 2, mine.size());
            long pos = 4;
            for (int i = 0; i < mine.size(); i++) {
                byte[] e = mine.get(i).bytes();
                assertEquals(pos, mine.get(i).position());
                assertTrue(Events.crcMatches(e), "CRC32 of the event at " + NEXT + ":" + pos);
                long logPos = Events.logPos(e);
                assertTrue(logPos == 0 || logPos == pos + e.length, "log_pos " + logPos + " of the event at " + pos);
                if (i >= 2) {
                    byte[] original = sent.get(i - 2);
                    assertArrayEquals(Arrays.copyOfRange(original, 0, Events.OFFSET_LOG_POS), Arrays.copyOfRange(e, 0, Events.OFFSET_LOG_POS));
                    assertArrayEquals(Arrays.copyOfRange(original, Events.OFFSET_FLAGS, original.length - 4),
                            Arrays.copyOfRange(e, Events.OFFSET_FLAGS, e.length - 4), "only log_pos and the CRC change");
                }
                pos += e.length;
            }
            assertEquals(Optional.of(new BinlogPosition(NEXT, pos)), store.committedEnd());
            assertEquals(ingester.gtidPosition().toString(), store.state().mariaGtidPosition().toString());
        }
    }

    @Test
    void afterTheFailoverEveryResumeIsByGtidAndTheNextOneOpensTheFileAfter() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            oldPrimaryEnd(store);
            store.state().recordOriginServer("1", null);
            BinlogIngester ingester = new BinlogIngester(store);
            assertFalse(ingester.ownFiles().neededFor("1"), "the same primary: by file and position, its coordinates");
            assertTrue(ingester.ownFiles().neededFor("2"), "another primary: its coordinates mean nothing here");
            List<byte[]> sent = newPrimaryTransactions();
            newPrimaryStream(ingester, sent);
            store.state().recordOriginServer("2", null);
            assertTrue(ingester.ownFiles().neededFor("2"), "the store's newest files are the relay's now");
            // the same transaction again with the next sequence number: a later one of the new primary
            List<byte[]> later = new ArrayList<>();
            for (byte[] e : sent) {
                byte[] c = e.clone();
                if (Events.type(c) == EventType.MARIA_GTID) {
                    Events.put64(c, Events.HEADER_SIZE, Events.u64(c, Events.HEADER_SIZE) + 1);
                    Events.fixCrc(c);
                }
                later.add(c);
            }
            newPrimaryStream(new BinlogIngester(store), later);
            assertEquals(List.of(FILE, NEXT, "mariadb-bin.000003"), store.files().stream().map(f -> f.name()).toList());
            assertEquals(EventType.ROTATE, Events.type(store.lastEvent(NEXT).orElseThrow().bytes()));
        }
    }

    @Test
    void aPrimaryRotateBecomesTheRelaysRotateAndTheNextFileWaitsForItsFormatDescription() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            oldPrimaryEnd(store);
            BinlogIngester ingester = new BinlogIngester(store);
            List<byte[]> sent = new ArrayList<>(newPrimaryTransactions());
            byte[] theirRotate = ArtificialEvents.fakeRotate(2, "mariadb-bin.000042", 4, ChecksumAlgorithm.CRC32);
            Events.setTimestamp(theirRotate, 1_700_000_000L);
            Events.setFlags(theirRotate, 0);
            Events.setLogPos(theirRotate, 123_456);
            Events.fixCrc(theirRotate);
            sent.add(theirRotate);
            newPrimaryStream(ingester, sent);
            assertEquals(List.of(FILE, NEXT), store.files().stream().map(f -> f.name()).toList());
            StoredEvent last = store.lastEvent(NEXT).orElseThrow();
            assertEquals(new ArtificialEvents.RotateTarget("mariadb-bin.000003", 4),
                    ArtificialEvents.parseRotate(last.bytes(), ChecksumAlgorithm.CRC32));
            assertEquals(last.position() + last.bytes().length, Events.logPos(last.bytes()));
            // the primary's next file: a transaction before its format description is refused
            assertThrows(BinlogFormatException.class, () -> ingester.offer(sent.get(0).clone()));
        }
    }

    /**
     * A start at the very beginning of the primary's file (it restarted after the relay's last transaction) comes
     * without a fake GTID_LIST: the first GTID the relay does not hold is the start; one it holds is not stored again.
     */
    @Test
    void aStartAtTheBeginningOfAFileHasNoFakeGtidListAndTheFirstNewGtidStartsIt() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            oldPrimaryEnd(store);
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(null, 0, MariaDbFlavor.INSTANCE.parseGtidStart(ingester.storedGtidText().orElseThrow()), true);
            ingester.offer(ArtificialEvents.fakeRotate(2, "mariadb-bin.000009", 4, ChecksumAlgorithm.CRC32));
            for (byte[] e : events.subList(0, split)) {
                ingester.offer(e.clone()); // the file's FDE, its real GTID_LIST and checkpoint, a transaction the relay holds
            }
            ingester.flush();
            assertEquals(List.of(FILE), store.files().stream().map(f -> f.name()).toList(), "nothing held is stored again");
            List<byte[]> sent = newPrimaryTransactions();
            for (byte[] e : sent) {
                ingester.offer(e.clone());
            }
            ingester.flush();
            assertEquals(List.of(FILE, NEXT), store.files().stream().map(f -> f.name()).toList());
            assertEquals(sent.size() + 2, read(store, NEXT).size());
        }
    }

    @Test
    void nextNameKeepsTheBaseAndTheWidth() {
        assertEquals("db-bin.000008", OwnFileContinuation.nextName("db-bin.000007"));
        assertEquals("db-bin.001000", OwnFileContinuation.nextName("db-bin.000999"));
        assertEquals("db-bin.1000000", OwnFileContinuation.nextName("db-bin.999999"));
        assertEquals("binlog.000001", OwnFileContinuation.nextName("binlog"));
    }

    private static List<StoredEvent> read(BinlogStore store, String file) {
        List<StoredEvent> out = new ArrayList<>();
        try (BinlogCursor c = store.openCursor(file, store.file(file).orElseThrow().firstPosition())) {
            for (StoredEvent e; (e = c.next()) != null && e.file().equals(file); ) {
                out.add(e);
            }
        } catch (dev.binlogrelay.storage.PositionException ex) {
            throw new AssertionError(ex);
        }
        return out;
    }
}
