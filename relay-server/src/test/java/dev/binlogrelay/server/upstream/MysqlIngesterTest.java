package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.BinlogFile;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.GroupTracker;
import dev.binlogrelay.core.binlog.MysqlGtidEvent;
import dev.binlogrelay.core.flavor.StartPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingester with a MySQL 8.0 stream (a recorded binlog with GTIDs, shared/fixtures; a missing one skips, or fails under RELAY_STRICT_PEERS=1):
 * the executed GTID set is kept with every group, heartbeats (v1 and v2) are never stored, and a GTID resume
 * (the primary starts at the file's beginning and leaves out what the relay has) continues exactly at the
 * relay's end.
 */
class MysqlIngesterTest {
    private static final String FIXTURE = "blackbeam-rust_mysql_common/mysql-enum-string-set.000001";
    private static final String FILE = "binlog.000001";

    @TempDir
    Path tmp;
    private BinlogFile file;
    /** The file's events grouped as the store groups them. */
    private List<List<byte[]>> groups;

    @BeforeEach
    void readFixture() throws Exception {
        file = BinlogFile.parse(FILE, Files.readAllBytes(Fixtures.file(FIXTURE)));
        assertEquals(ChecksumAlgorithm.CRC32, file.checksum());
        GroupTracker tracker = new GroupTracker();
        groups = new ArrayList<>();
        List<byte[]> current = new ArrayList<>();
        for (byte[] e : file.events()) {
            current.add(e);
            if ((tracker.classify(e, file.checksum()) & GroupTracker.END) != 0) {
                groups.add(current);
                current = new ArrayList<>();
            }
        }
        assertTrue(current.isEmpty());
    }

    private static byte[] fakeRotate(String name) {
        return ArtificialEvents.fakeRotate(1, name, 4, ChecksumAlgorithm.CRC32);
    }

    private static byte[] heartbeatV2() {
        byte[] e = ArtificialEvents.heartbeat(1, FILE, 1000, ChecksumAlgorithm.CRC32);
        e[Events.OFFSET_TYPE] = (byte) EventType.HEARTBEAT_V2;
        Events.fixCrc(e);
        return e;
    }

    private MysqlGtidSet executed(int groupCount) {
        MysqlGtidSet set = MysqlGtidSet.EMPTY;
        for (List<byte[]> g : groups.subList(0, groupCount)) {
            for (byte[] e : g) {
                set = MysqlGtidEvent.executedAfter(set, e, file.checksum());
            }
        }
        return set;
    }

    private static List<StoredEvent> stored(BinlogStore store) throws Exception {
        List<StoredEvent> out = new ArrayList<>();
        try (BinlogCursor c = store.openCursor(store.files().get(0).name(), store.files().get(0).firstPosition())) {
            for (StoredEvent e; (e = c.next()) != null; ) {
                out.add(e);
            }
        }
        return out;
    }

    private void assertWholeFileStored(BinlogStore store) throws Exception {
        List<StoredEvent> got = stored(store);
        assertEquals(file.events().size(), got.size());
        long pos = 4;
        for (int i = 0; i < got.size(); i++) {
            byte[] expected = dev.binlogrelay.core.binlog.FormatDescription.withoutInUseFlag(file.events().get(i));
            assertEquals(pos, got.get(i).position(), "event " + i);
            assertArrayEquals(expected, got.get(i).bytes(), "event " + i);
            pos += expected.length;
        }
    }

    @Test
    void keepsTheExecutedGtidSetWithEveryGroupAndDropsHeartbeats() throws Exception {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(FILE, 4, null);
            ingester.accept(fakeRotate(FILE));
            for (int g = 0; g < groups.size(); g++) {
                for (byte[] e : groups.get(g)) {
                    ingester.accept(e.clone());
                    ingester.accept(heartbeatV2());
                    ingester.accept(ArtificialEvents.heartbeat(1, FILE, 1000, ChecksumAlgorithm.CRC32));
                }
                assertEquals(executed(g + 1).toString(), store.state().mysqlExecuted().toString(),
                        "after group " + g);
            }
            assertWholeFileStored(store);
            MysqlGtidSet all = executed(groups.size());
            assertTrue(all.intervals().values().stream().mapToLong(l -> l.size()).sum() >= 1 && !all.isEmpty(), all.toString());
            assertEquals(all, ingester.mysqlGtidSet());
            assertTrue(store.mysqlPreviousGtids(FILE).isPresent(), "the PREVIOUS_GTIDS event is indexed");
        }
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            assertEquals(executed(groups.size()), new BinlogIngester(store).mysqlGtidSet(), "read back after a restart");
        }
    }

    /**
     * The relay holds the first groups, restarts, and resumes by its GTID set: the primary sends the file from 4
     * without the relay's transactions; what the relay holds is dropped, the rest continues at its end.
     */
    @Test
    void resumesByGtidSetWithoutDuplicatesOrGaps() throws Exception {
        int held = 4; // FDE, PREVIOUS_GTIDS, two transactions
        assertTrue(groups.size() > held + 2, "fixture has enough groups");
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester first = new BinlogIngester(store);
            first.startStream(FILE, 4, null);
            first.accept(fakeRotate(FILE));
            for (List<byte[]> g : groups.subList(0, held)) {
                g.forEach(e -> first.accept(e.clone()));
            }
            store.state().recordUpstreamServer(Map.of("gtid_mode", "ON"));
            BinlogIngester again = new BinlogIngester(store);
            String state = again.gtidResumeState().orElseThrow();
            assertEquals(executed(held).toString(), state);
            again.startStream(null, 0, new StartPosition.MysqlGtids(MysqlGtidSet.parse(state)));
            again.accept(fakeRotate(FILE));
            MysqlGtidSet have = MysqlGtidSet.parse(state);
            for (List<byte[]> g : groups) {
                boolean skip = MysqlGtidEvent.gtid(g.get(0), file.checksum()).map(x -> have.contains(x.tsid(), x.gno())).orElse(false);
                if (!skip) {
                    g.forEach(e -> again.accept(e.clone())); // the primary leaves out the relay's transactions
                }
            }
            assertWholeFileStored(store);
            assertEquals(executed(groups.size()), again.mysqlGtidSet());
            assertEquals(Optional.of(new BinlogPosition(FILE, 4 + file.events().stream().mapToLong(e -> e.length).sum())),
                    store.committedEnd());
        }
    }

    /** A GTID resume that lands in a file before the relay's newest is refused, and the next resume is by position. */
    @Test
    void aGtidResumeOutOfLineWithTheStoreFallsBackToPositions() {
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester first = new BinlogIngester(store);
            first.startStream(FILE, 4, null);
            first.accept(fakeRotate(FILE));
            for (List<byte[]> g : groups.subList(0, 4)) {
                g.forEach(e -> first.accept(e.clone()));
            }
            store.state().recordUpstreamServer(Map.of("gtid_mode", "ON"));
            BinlogIngester again = new BinlogIngester(store);
            again.startStream(null, 0, new StartPosition.MysqlGtids(MysqlGtidSet.parse(again.gtidResumeState().orElseThrow())));
            again.accept(fakeRotate("binlog.000000"));
            BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> {
                for (byte[] ev : file.events()) {
                    again.accept(ev.clone());
                }
            });
            assertTrue(e.getMessage().contains("resumes by file and position"), e.getMessage());
            assertEquals(Optional.empty(), again.gtidResumeState());
        }
    }

    /** An empty store started from a GTID set holding the first transaction: the file is stored from the second. */
    @Test
    void emptyStoreStartsFromAGtidSet() throws Exception {
        MysqlGtidSet start = executed(3); // the first transaction (groups: FDE, PREVIOUS_GTIDS, transaction 1)
        try (BinlogStore store = BinlogStore.open(tmp, StoreOptions.defaults())) {
            BinlogIngester ingester = new BinlogIngester(store);
            ingester.startStream(null, 0, new StartPosition.MysqlGtids(start));
            ingester.accept(fakeRotate(FILE));
            for (int g = 0; g < groups.size(); g++) {
                if (g != 2) {
                    groups.get(g).forEach(e -> ingester.accept(e.clone()));
                }
            }
            long secondStart = 4;
            for (List<byte[]> g : groups.subList(0, 3)) {
                secondStart += g.stream().mapToLong(e -> e.length).sum();
            }
            assertEquals(secondStart, store.files().get(0).firstPosition());
            assertEquals(executed(groups.size()), ingester.mysqlGtidSet());
            assertEquals(executed(groups.size()).toString(), store.state().mysqlExecutedRecorded().orElseThrow().toString());
        }
    }
}
