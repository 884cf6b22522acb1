package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoredEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Where MySQL GTID-set readers start: at the newest file whose PREVIOUS_GTIDS set they have (the store's MySQL
 * GTID index), also after old files are purged; a reader lacking GTIDs the relay no longer holds is refused with
 * the missing transactions, as MySQL refuses it.
 */
class StartPositionsMysqlTest {
    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final byte[] FDE;

    static {
        byte[] fde = new byte[100];
        fde[4] = 15;
        byte[] version = "8.0.36".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, fde, 21, version.length);
        FDE = fde;
    }

    @TempDir
    Path dir;
    BinlogStore store;
    StartPositions positions;

    private static String name(int n) {
        return String.format("binlog.%06d", n);
    }

    /** A file: its PREVIOUS_GTIDS event at 4, then one filler group. */
    private void file(int n, String previous) {
        MysqlGtidSet set = MysqlGtidSet.parse(previous);
        ByteBuf b = Unpooled.buffer();
        b.writeIntLE(1).writeByte(EventType.PREVIOUS_GTIDS).writeIntLE(1).writeIntLE(19 + set.encodedSize())
                .writeIntLE(4 + 19 + set.encodedSize()).writeShortLE(0);
        set.encode(b);
        byte[] prev = java.util.Arrays.copyOf(b.array(), b.writerIndex());
        int flags = StoredEvent.GROUP_START | StoredEvent.GROUP_END;
        store.writer().appendGroup(name(n), List.of(new EventToStore(4, prev, flags, null)),
                StateUpdate.builder().formatDescription(FDE).build());
        store.writer().appendGroup(name(n), List.of(new EventToStore(4 + prev.length, new byte[50], flags, null)), StateUpdate.NONE);
    }

    @BeforeEach
    void fill() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20));
        positions = new StartPositions(store, new FileFormats(store));
        file(1, "");
        file(2, A + ":1-10");
        file(3, A + ":1-20");
        file(4, A + ":1-30");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private BinlogPosition startFor(String executed) throws PositionException {
        try (BinlogCursor c = positions.openForMysqlGtids(MysqlGtidSet.parse(executed))) {
            return c.position();
        }
    }

    @Test
    void readersStartAtTheNewestFileWhosePreviousGtidsTheyHave() throws Exception {
        assertEquals(new BinlogPosition(name(1), 4), startFor(""));
        assertEquals(new BinlogPosition(name(1), 4), startFor(A + ":1-9"));
        assertEquals(new BinlogPosition(name(2), 4), startFor(A + ":1-10"));
        assertEquals(new BinlogPosition(name(3), 4), startFor(A + ":1-29"));
        assertEquals(new BinlogPosition(name(4), 4), startFor(A + ":1-99"));
    }

    private BinlogPosition open(ReaderStart start) throws PositionException {
        try (BinlogCursor c = positions.open(start)) {
            return c.position();
        }
    }

    @Test
    void aGtidSetReaderNamingAFileStartsThereAndOneNamingNoneIsAutoPositioned() throws Exception {
        MysqlGtidSet executed = MysqlGtidSet.parse(A + ":1-10");
        assertEquals(new BinlogPosition(name(2), 4), open(new ReaderStart.AtMysqlGtids(executed, "", 4)));
        assertEquals(new BinlogPosition(name(2), 4), open(new ReaderStart.AtMysqlGtids(executed, null, 4)));
        assertEquals(new BinlogPosition(name(4), 4), open(new ReaderStart.AtMysqlGtids(executed, name(4), 4)),
                "a named file is used as named");
        assertEquals(new BinlogPosition(name(3), 4), open(new ReaderStart.AtFilePosition(name(3), 4)));
        assertEquals(new BinlogPosition(name(1), 4), open(new ReaderStart.AtFilePosition("", 0)));
        assertEquals("Could not find first log file name in binary log index file: 'binlog.000009' is not among the binlog"
                + " files the relay holds (binlog.000001 to binlog.000004)",
                assertThrows(PositionException.class, () -> open(new ReaderStart.AtMysqlGtids(executed, name(9), 4))).getMessage());
    }

    @Test
    void afterAPurgeReadersLackingPurgedGtidsAreRefused() throws Exception {
        store.purgeFilesBefore(name(3));
        assertEquals(new BinlogPosition(name(3), 4), startFor(A + ":1-20"));
        assertEquals(new BinlogPosition(name(4), 4), startFor(A + ":1-30"));
        String e = assertThrows(PositionException.class, () -> startFor(A + ":1-15")).getMessage();
        assertEquals("Cannot replicate because the source purged required binary logs: the relay's oldest file binlog.000003"
                + " follows GTIDs '" + A + ":1-20'; the GTID set sent by the replica is '" + A + ":1-15', and the missing"
                + " transactions are '" + A + ":16-20'", e);
        String empty = assertThrows(PositionException.class, () -> startFor("")).getMessage();
        assertEquals(true, empty.endsWith("the missing transactions are '" + A + ":1-20'"), empty);
    }
}
