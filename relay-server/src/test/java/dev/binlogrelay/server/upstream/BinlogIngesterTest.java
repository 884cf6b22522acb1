package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingester against a real recorded MariaDB binlog (shared/fixtures; a missing one skips, or fails under RELAY_STRICT_PEERS=1):
 * what arrives as a dump stream is stored byte for byte under the file's own positions, whole groups at a
 * time, and a corrupt event is refused without storing anything of its group.
 */
class BinlogIngesterTest {
    private static final String FILE = "mariadb-bin.000001";

    @TempDir
    Path tmp;
    private List<byte[]> events;

    @BeforeEach
    void readFixture() throws IOException {
        byte[] file = Files.readAllBytes(Fixtures.file("blackbeam-rust_mysql_common/mariadb-bin.000001"));
        events = new ArrayList<>();
        for (int pos = 4; pos < file.length; ) {
            int size = (int) Events.u32(file, pos + Events.OFFSET_SIZE);
            events.add(Arrays.copyOfRange(file, pos, pos + size));
            pos += size;
        }
    }

    private static byte[] fakeRotate() {
        return ArtificialEvents.fakeRotate(1, FILE, 4, ChecksumAlgorithm.CRC32);
    }

    @Test
    void offeredTransactionsAreStoredTogetherAtTheFlush() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.offer(fakeRotate());
            for (byte[] e : events) {
                ingester.offer(e.clone());
            }
            assertTrue(ingester.readyGroups() > 2, "the fixture has several groups: " + ingester.readyGroups());
            assertEquals(Optional.empty(), store.committedEnd(), "nothing is stored before the flush");
            ingester.flush();
            assertEquals(0, ingester.readyGroups());
            long end = 4 + events.stream().mapToLong(e -> e.length).sum();
            assertEquals(Optional.of(new BinlogPosition(FILE, end)), store.committedEnd());
            assertEquals(events.size(), readAll(store).size());
            assertTrue(store.state().mariaStartPosition().isPresent(), "the start position is recorded with the first GTID group");
            assertEquals(ingester.gtidPosition().toString(), store.state().mariaGtidPosition().toString());
        }
    }

    @Test
    void aFailedFlushStoresNothingAndForgetsTheGtidsItWouldHaveStored() {
        // no room on any disk: every write is refused as "disk full"
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults().withMinFreeBytes(Long.MAX_VALUE / 4))) {
            BinlogIngester ingester = new BinlogIngester(store);
            String before = ingester.gtidPosition().toString();
            ingester.startStream(FILE, 4, null);
            ingester.offer(fakeRotate());
            for (byte[] e : events) {
                ingester.offer(e.clone());
            }
            dev.binlogrelay.storage.StoreException e = assertThrows(dev.binlogrelay.storage.StoreException.class, ingester::flush);
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
            assertEquals(Optional.empty(), store.committedEnd());
            assertEquals(before, ingester.gtidPosition().toString());
            assertTrue(store.storageError().isPresent());
            assertEquals(0, ingester.readyGroups());
        }
    }

    @Test
    void storesTheStreamByteForByteInWholeGroups() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.accept(fakeRotate());
            for (byte[] e : events) {
                ingester.accept(e.clone());
            }
            long end = 4 + events.stream().mapToLong(e -> e.length).sum();
            assertEquals(Optional.of(new BinlogPosition(FILE, end)), store.committedEnd());
            List<StoredEvent> stored = readAll(store);
            assertEquals(events.size(), stored.size());
            long pos = 4;
            int open = 0;
            for (int i = 0; i < events.size(); i++) {
                StoredEvent s = stored.get(i);
                assertEquals(pos, s.position());
                byte[] expected = events.get(i);
                if (Events.type(expected) == EventType.FORMAT_DESCRIPTION) {
                    expected = dev.binlogrelay.core.binlog.FormatDescription.withoutInUseFlag(expected);
                }
                assertArrayEquals(expected, s.bytes(), "event " + i);
                open += s.startsGroup() ? 1 : 0;
                open -= s.endsGroup() ? 1 : 0;
                assertTrue(open == 0 || open == 1, "groups nest properly at event " + i);
                pos += s.bytes().length;
            }
            assertEquals(0, open);
            String lastGtid = events.stream().filter(e -> Events.type(e) == EventType.MARIA_GTID)
                    .reduce((a, b) -> b).map(e -> dev.binlogrelay.core.binlog.MariaGtidEvent.gtid(e).toString()).orElseThrow();
            assertEquals(lastGtid, store.state().mariaGtidPosition().toString());
            assertTrue(store.findMariaGtid(0, dev.binlogrelay.core.gtid.MariaGtid.parse(lastGtid).sequence()).isPresent());
        }
    }

    @Test
    void aCorruptEventIsRefusedAndNothingOfItsGroupIsStored() {
        int victim = -1;
        for (int i = 0; i < events.size(); i++) {
            if (Events.type(events.get(i)) == EventType.WRITE_ROWS_V1) {
                victim = i;
                break;
            }
        }
        assertTrue(victim > 0, "the fixture has a row event");
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.accept(fakeRotate());
            int groupStart = -1;
            for (int i = 0; i < victim; i++) {
                if (Events.type(events.get(i)) == EventType.MARIA_GTID) {
                    groupStart = i;
                }
                ingester.accept(events.get(i).clone());
            }
            BinlogPosition before = store.committedEnd().orElseThrow();
            long groupStartPosition = 4 + events.subList(0, groupStart).stream().mapToLong(e -> e.length).sum();
            assertEquals(groupStartPosition, before.position(), "stored up to the start of the open group");

            byte[] corrupt = events.get(victim).clone();
            corrupt[Events.HEADER_SIZE + 3] ^= 0x5A;
            BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> ingester.accept(corrupt));
            assertTrue(e.getMessage().contains("CRC32"), e.getMessage());
            assertEquals(before, store.committedEnd().orElseThrow(), "nothing more was stored");

            // a reconnect resumes after the last stored group and stores the group whole
            ingester.startStream(FILE, before.position(), null);
            ingester.accept(ArtificialEvents.fakeRotate(1, FILE, before.position(), ChecksumAlgorithm.CRC32));
            for (int i = groupStart; i < events.size(); i++) {
                ingester.accept(events.get(i).clone());
            }
            assertEquals(events.size(), readAll(store).size());
        }
    }

    @Test
    void anEventThatDoesNotChainIsRefused() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.accept(fakeRotate());
            ingester.accept(events.get(0).clone());
            // skip one event: the next one's log_pos no longer follows
            BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> ingester.accept(events.get(2).clone()));
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
        }
    }

    /** The fixture as MariaDB 11.x writes it: log_pos 0 on the events inside a group, except GTID and XID. */
    private List<byte[]> withMariaDb11Positions() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] e : events) {
            byte[] copy = e.clone();
            int type = Events.type(copy);
            boolean keeps = type == EventType.MARIA_GTID || type == EventType.XID || type == EventType.FORMAT_DESCRIPTION
                    || type == EventType.ROTATE || type == EventType.MARIA_GTID_LIST || type == EventType.MARIA_BINLOG_CHECKPOINT;
            if (!keeps) {
                Events.setLogPos(copy, 0);
                Events.fixCrc(copy);
            }
            out.add(copy);
        }
        return out;
    }

    @Test
    void mariaDb11EventsWithoutLogPosAreStoredAtTheirOffsets() {
        List<byte[]> eleven = withMariaDb11Positions();
        assertTrue(eleven.stream().anyMatch(e -> Events.logPos(e) == 0), "the fixture has events inside groups");
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.accept(fakeRotate());
            for (byte[] e : eleven) {
                ingester.accept(e.clone());
            }
            long end = 4 + eleven.stream().mapToLong(e -> e.length).sum();
            assertEquals(Optional.of(new BinlogPosition(FILE, end)), store.committedEnd());
            List<StoredEvent> stored = readAll(store);
            assertEquals(eleven.size(), stored.size());
            long pos = 4;
            for (int i = 0; i < eleven.size(); i++) {
                assertEquals(pos, stored.get(i).position(), "event " + i);
                byte[] expected = eleven.get(i);
                if (Events.type(expected) == EventType.FORMAT_DESCRIPTION) {
                    expected = dev.binlogrelay.core.binlog.FormatDescription.withoutInUseFlag(expected);
                }
                assertArrayEquals(expected, stored.get(i).bytes(), "stored byte for byte, event " + i);
                pos += expected.length;
            }
        }
    }

    @Test
    void aMissingEventBetweenMariaDb11EventsIsCaughtWhereLogPosIsSet() {
        List<byte[]> eleven = withMariaDb11Positions();
        int skipped = -1;
        for (int i = 1; i < eleven.size(); i++) {
            if (Events.logPos(eleven.get(i)) == 0 && Events.type(eleven.get(i - 1)) != EventType.MARIA_GTID) {
                skipped = i;
                break;
            }
        }
        assertTrue(skipped > 0, "the fixture has a group with several inner events");
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.accept(fakeRotate());
            BinlogFormatException refused = null;
            for (int i = 0; i < eleven.size() && refused == null; i++) {
                if (i == skipped) {
                    continue;
                }
                byte[] e = eleven.get(i).clone();
                try {
                    ingester.accept(e);
                } catch (BinlogFormatException ex) {
                    refused = ex;
                    assertTrue(Events.logPos(e) != 0, "refused at an event that carries its end");
                }
            }
            assertTrue(refused != null, "a gap is caught at the group's next positioned event");
            assertTrue(refused.getMessage().contains("expected"), refused.getMessage());
        }
    }

    private static List<StoredEvent> readAll(BinlogStore store) {
        List<StoredEvent> out = new ArrayList<>();
        try (BinlogCursor c = store.openCursor(FILE, 4)) {
            for (StoredEvent e; (e = c.next()) != null; ) {
                out.add(e);
            }
        } catch (dev.binlogrelay.storage.PositionException ex) {
            throw new AssertionError(ex);
        }
        return out;
    }
}
