package dev.binlogrelay.storage;

import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MySQL GTID index: per file its PREVIOUS_GTIDS set, the start file of a GTID-set reader, purge, reopen. */
class MysqlGtidIndexTest {
    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final String B = "f2b6c829-9d2f-11e7-9c80-0242ac110002";

    @TempDir
    Path dir;

    /** A binlog event: 19-byte header, body, 4 bytes standing for the CRC. */
    private static byte[] event(int type, long position, byte[] body) {
        int size = 19 + body.length + 4;
        ByteBuf b = Unpooled.buffer(size);
        b.writeIntLE(1_700_000_000).writeByte(type).writeIntLE(1).writeIntLE(size).writeIntLE((int) (position + size))
                .writeShortLE(0).writeBytes(body).writeIntLE(0);
        return b.array();
    }

    private static byte[] previousGtids(long position, String set) {
        MysqlGtidSet s = MysqlGtidSet.parse(set);
        ByteBuf body = Unpooled.buffer(s.encodedSize());
        s.encode(body);
        return event(EventType.PREVIOUS_GTIDS, position, body.array());
    }

    /** A file: a stand-in format description at 4, then (if given) its PREVIOUS_GTIDS, then a one-event group. */
    private static void file(BinlogStore store, String name, String previous) {
        byte[] fde = event(EventType.FORMAT_DESCRIPTION, 4, new byte[30]);
        store.writer().appendGroup(name, List.of(new EventToStore(4, fde, 3, null)), StateUpdate.NONE);
        long pos = 4 + fde.length;
        if (previous != null) {
            byte[] prev = previousGtids(pos, previous);
            store.writer().appendGroup(name, List.of(new EventToStore(pos, prev, 3, null)), StateUpdate.NONE);
            pos += prev.length;
        }
        byte[] query = event(EventType.QUERY, pos, new byte[20]);
        store.writer().appendGroup(name, List.of(new EventToStore(pos, query, 3, null)), StateUpdate.NONE);
    }

    private static Optional<String> startFile(BinlogStore store, String executed) {
        return store.mysqlGtidStartFile(MysqlGtidSet.parse(executed)).map(BinlogFileInfo::name);
    }

    private void fill(BinlogStore store) {
        file(store, "binlog.000001", "");
        file(store, "binlog.000002", A + ":1-10");
        file(store, "binlog.000003", A + ":1-20");
        file(store, "binlog.000004", null); // stored without its PREVIOUS_GTIDS: no entry
        file(store, "binlog.000005", A + ":1-30," + B + ":1-5");
    }

    @Test
    void readersStartAtTheNewestFileWhosePreviousGtidsTheyHave() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            fill(store);
            assertEquals(Optional.of(MysqlGtidSet.EMPTY), store.mysqlPreviousGtids("binlog.000001"));
            assertEquals(Optional.of(MysqlGtidSet.parse(A + ":1-20")), store.mysqlPreviousGtids("binlog.000003"));
            assertEquals(Optional.empty(), store.mysqlPreviousGtids("binlog.000004"));
            assertEquals(Optional.empty(), store.mysqlPreviousGtids("binlog.000009"));

            assertEquals(Optional.of("binlog.000001"), startFile(store, ""));
            assertEquals(Optional.of("binlog.000001"), startFile(store, A + ":1-9"));
            assertEquals(Optional.of("binlog.000002"), startFile(store, A + ":1-15"));
            assertEquals(Optional.of("binlog.000003"), startFile(store, A + ":1-29," + B + ":1-5"));
            assertEquals(Optional.of("binlog.000003"), startFile(store, A + ":1-40"), "B:1-5 missing for file 5");
            assertEquals(Optional.of("binlog.000005"), startFile(store, A + ":1-30," + B + ":1-9"));
            assertEquals(Optional.of("binlog.000001"), startFile(store, A + ":2-40," + B + ":1-9"), "a hole at A:1");
        }
    }

    @Test
    void entriesSurviveAReopenAndGoWithPurgedFiles() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            fill(store);
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of("binlog.000002"), startFile(store, A + ":1-15"));
            store.purgeFilesBefore("binlog.000003");
            assertEquals(List.of("binlog.000003", "binlog.000004", "binlog.000005"),
                    store.files().stream().map(BinlogFileInfo::name).toList());
            assertEquals(Optional.empty(), store.state().meta(MysqlGtidIndex.PREFIX + "1"), "entry of a purged file deleted");
            assertEquals(Optional.empty(), store.state().meta(MysqlGtidIndex.PREFIX + "2"), "entry of a purged file deleted");
            assertTrue(store.state().meta(MysqlGtidIndex.PREFIX + "3").isPresent());
            // a reader that lacks what was purged finds no file: the caller refuses it
            assertEquals(Optional.empty(), startFile(store, A + ":1-15"));
            assertEquals(Optional.of("binlog.000003"), startFile(store, A + ":1-25"));
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Optional.of("binlog.000005"), startFile(store, A + ":1-30," + B + ":1-5"));
        }
    }
}
