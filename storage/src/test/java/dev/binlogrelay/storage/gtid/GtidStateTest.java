package dev.binlogrelay.storage.gtid;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GTID bookkeeping shared by the ingester and the importer, against a real store. */
class GtidStateTest {
    private static final String FILE = "binlog.000001";
    private static final UUID SOURCE = UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
    private static final int ONE_GROUP = StoredEvent.GROUP_START | StoredEvent.GROUP_END;

    @TempDir
    Path dir;
    BinlogStore store;
    long next = 4;

    @BeforeEach
    void open() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20));
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Applies one group of these events, writes it with the update the state made, and returns the update. */
    private void write(GtidState gtids, List<EventToStore> group) {
        StateUpdate.Builder update = StateUpdate.builder();
        gtids.apply(group, ChecksumAlgorithm.NONE, update);
        store.writer().appendGroup(FILE, group, update.build());
        gtids.written();
    }

    private List<EventToStore> events(byte[]... events) {
        List<EventToStore> group = new ArrayList<>();
        for (byte[] e : events) {
            MariaGtidRef ref = null;
            if (Events.type(e) == EventType.MARIA_GTID) {
                MariaGtid g = dev.binlogrelay.core.binlog.MariaGtidEvent.gtid(e);
                ref = new MariaGtidRef(g.domainId(), g.serverId(), g.sequence());
            }
            group.add(new EventToStore(next, e, ONE_GROUP, ref));
            next += e.length;
        }
        return group;
    }

    private static byte[] query() {
        byte[] e = new byte[Events.HEADER_SIZE + 10];
        Events.writeHeader(e, 0, EventType.QUERY, 1, 0, 0);
        return e;
    }

    /** MariaDB GTID event: sequence (8) | domain (4) | flags (1). */
    private static byte[] mariaGtid(long domain, long serverId, long sequence) {
        byte[] e = new byte[Events.HEADER_SIZE + 13];
        Events.writeHeader(e, 0, EventType.MARIA_GTID, serverId, 0, 0);
        Events.put64(e, Events.HEADER_SIZE, sequence);
        Events.put32(e, Events.HEADER_SIZE + 8, domain);
        e[Events.HEADER_SIZE + 12] = 1; // standalone
        return e;
    }

    /** MySQL GTID event: flags (1) | uuid (16, big-endian) | gno (8). */
    private static byte[] mysqlGtid(long gno) {
        byte[] e = new byte[Events.HEADER_SIZE + 25];
        Events.writeHeader(e, 0, EventType.GTID, 1, 0, 0);
        long msb = SOURCE.getMostSignificantBits();
        long lsb = SOURCE.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            e[Events.HEADER_SIZE + 1 + i] = (byte) (msb >>> (56 - 8 * i));
            e[Events.HEADER_SIZE + 9 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        Events.put64(e, Events.HEADER_SIZE + 17, gno);
        return e;
    }

    @Test
    void mariaDbStartsFromTheGtidListAndRecordsTheStateBeforeTheFirstGtidGroup() {
        GtidState gtids = GtidState.load(store.state());
        write(gtids, events(ArtificialEvents.fakeGtidList(1, List.of(new MariaGtid(0, 1, 9)), 0, ChecksumAlgorithm.NONE)));
        assertEquals(MariaGtidPosition.parse("0-1-9"), store.state().mariaGtidPosition());
        assertEquals(Optional.empty(), store.state().mariaStartPosition(), "no GTID group stored yet");

        write(gtids, events(mariaGtid(0, 1, 10), query()));
        write(gtids, events(mariaGtid(3, 2, 7), query()));
        assertEquals(Optional.of(MariaGtidPosition.parse("0-1-9")), store.state().mariaStartPosition());
        assertEquals(MariaGtidPosition.parse("0-1-10,3-2-7"), store.state().mariaGtidPosition());
        assertEquals(store.state().mariaGtidPosition(), gtids.mariaPosition());

        // a later GTID_LIST (a new file's) does not move the position once GTID groups are stored
        write(gtids, events(ArtificialEvents.fakeGtidList(1, List.of(new MariaGtid(0, 1, 1)), 0, ChecksumAlgorithm.NONE)));
        assertEquals(MariaGtidPosition.parse("0-1-10,3-2-7"), store.state().mariaGtidPosition());
        assertEquals(MariaGtidPosition.parse("0-1-10,3-2-7"), GtidState.load(store.state()).mariaPosition(), "loaded back");
    }

    @Test
    void mysqlRecordsTheStartSetWithTheFirstGroupThenEveryChange() {
        GtidState gtids = GtidState.load(store.state());
        gtids.startMysqlAt(MysqlGtidSet.parse(SOURCE + ":1-5"));
        write(gtids, events(query()));
        assertEquals(Optional.of(MysqlGtidSet.parse(SOURCE + ":1-5")), store.state().mysqlExecutedRecorded(),
                "the start set is recorded with the first group, though the group changed nothing");
        write(gtids, events(mysqlGtid(6), query()));
        assertEquals(MysqlGtidSet.parse(SOURCE + ":1-6"), store.state().mysqlExecuted());
        assertEquals(MysqlGtidSet.parse(SOURCE + ":1-6"), GtidState.load(store.state()).mysqlExecuted());
        assertEquals(MariaGtidPosition.EMPTY, store.state().mariaGtidPosition(), "a MySQL stream leaves the MariaDB state alone");
    }

    @Test
    void aFailedWriteRollsBackToTheLastWrittenGroup() {
        GtidState gtids = GtidState.load(store.state());
        write(gtids, events(mariaGtid(0, 1, 1), mysqlGtid(1)));
        StateUpdate.Builder lost = StateUpdate.builder();
        gtids.apply(events(mariaGtid(0, 1, 2), mysqlGtid(2)), ChecksumAlgorithm.NONE, lost);
        assertEquals(MariaGtidPosition.parse("0-1-2"), gtids.mariaPosition());
        gtids.rollback();
        assertEquals(MariaGtidPosition.parse("0-1-1"), gtids.mariaPosition());
        assertEquals(MysqlGtidSet.parse(SOURCE + ":1"), gtids.mysqlExecuted());
    }
}
