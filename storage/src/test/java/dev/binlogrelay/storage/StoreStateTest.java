package dev.binlogrelay.storage;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed store state: round trips, the format description kept with its file, and the layout-1 migration. */
class StoreStateTest {
    private static final byte[] FDE_1 = {1, 2, 3, 4, 5};
    private static final byte[] FDE_2 = {6, 7, 8};

    @TempDir
    Path dir;

    @Test
    void groupStateIsWrittenWithTheGroupAndReadBackTyped() {
        MariaGtidPosition pos = MariaGtidPosition.parse("0-1-5,3-2-7");
        MysqlGtidSet executed = MysqlGtidSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store).rotate(name(1));
            store.writer().appendGroup(name(1), log.build(null, 30), StateUpdate.builder().formatDescription(FDE_1)
                    .checksum(ChecksumAlgorithm.CRC32).mariaStartPosition(MariaGtidPosition.EMPTY).mariaGtidPosition(pos)
                    .mysqlExecuted(executed).serverVersion("10.11.6-MariaDB").serverId(7).build());
            store.state().recordUpstreamServer(Map.of("gtid_domain_id", "3", "gtid_mode", "ON_PERMISSIVE", "server_uuid", "u-1"));
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            StoreState s = store.state();
            assertArrayEquals(FDE_1, s.formatDescription(name(1)).orElseThrow());
            assertEquals(Optional.empty(), s.formatDescription(name(2)), "a file the store does not hold");
            assertEquals(Optional.of("CRC32"), s.checksum());
            assertEquals(pos, s.mariaGtidPosition());
            assertEquals(Optional.of(MariaGtidPosition.EMPTY), s.mariaStartPosition());
            assertEquals(executed, s.mysqlExecuted());
            assertEquals(Optional.of("10.11.6-MariaDB"), s.serverVersion());
            assertEquals(Optional.of("7"), s.serverId());
            assertEquals(Optional.of(3L), s.gtidDomainId());
            assertEquals(Optional.of("u-1"), s.serverUuid());
            assertTrue(s.gtidModeOn());
        }
    }

    @Test
    void originIsRecordedAndForgotten() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            StoreState s = store.state();
            assertEquals(new StoreState.Origin(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()), s.origin());
            s.recordOrigin("db1:3306", "earliest", false);
            s.recordOriginServer("1", "ABC-Def");
            assertEquals(new StoreState.Origin(Optional.of("db1:3306"), Optional.of("earliest"), Optional.of("1"), Optional.of("abc-def")),
                    s.origin());
            s.recordOriginServer("2", null);
            assertEquals(Optional.of("2"), s.origin().serverId());
            assertEquals(Optional.empty(), s.origin().serverUuid(), "a primary without a uuid drops the recorded one");
            s.recordOrigin("db2:3306", "earliest", true);
            assertEquals(Optional.empty(), s.origin().serverId());
        }
    }

    @Test
    void aCorruptExecutedSetNamesTheStore() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            store.state().write(Map.of(StoreState.GTID_EXECUTED, "not a set"), List.of());
            StoreException e = assertThrows(StoreException.class, () -> store.state().mysqlExecuted());
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("corrupt"), e.getMessage());
        }
    }

    @Test
    void aPurgeDeletesTheFormatDescriptionInItsOwnBatch() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store).rotate(name(1));
            store.writer().appendGroup(name(1), log.build(null, 30), StateUpdate.builder().formatDescription(FDE_1).build());
            log.rotate(name(2));
            store.writer().appendGroup(name(2), log.build(null, 30), StateUpdate.builder().formatDescription(FDE_2).build());
            assertEquals(1, store.purgeFilesBefore(name(2)).purged().size());
            assertArrayEquals(FDE_2, store.state().formatDescription(name(2)).orElseThrow());
        }
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            assertNull(raw.db.get(raw.files, Keys.format(1)), "the purged file's format description is gone");
            assertArrayEquals(FDE_2, raw.db.get(raw.files, Keys.format(2)));
        }
    }

    @Test
    void theStoreIdSurvivesAReopenAndChangesWithANewStore() {
        String id;
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            id = store.state().storeId();
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(id, store.state().storeId());
        }
        BinlogStore.destroy(dir);
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertNotEquals(id, store.state().storeId());
        }
    }

    /** A data directory written by layout 1 (format descriptions in meta "fde." + file name) opens and is migrated. */
    @Test
    void aLayout1StoreIsMigratedOnOpen() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store).rotate(name(1)).append(30, 40);
            log.rotate(name(2)).append(50);
        }
        // rewrite it as layout 1 wrote it
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            raw.db.put(raw.meta, Values.utf8(Values.META_FORMAT), Values.utf8("1"));
            raw.db.delete(raw.meta, Values.utf8(Values.META_STORE_ID));
            raw.db.put(raw.meta, Values.utf8("fde." + name(1)), Values.utf8(Base64.getEncoder().encodeToString(FDE_1)));
            raw.db.put(raw.meta, Values.utf8("fde." + name(2)), Values.utf8(Base64.getEncoder().encodeToString(FDE_2)));
            raw.db.put(raw.meta, Values.utf8("fde." + name(0)), Values.utf8(Base64.getEncoder().encodeToString(FDE_2)));
            raw.db.put(raw.meta, Values.utf8("upstream.gtid_pos"), Values.utf8("0-1-9"));
            raw.db.put(raw.meta, Values.utf8("origin.upstream"), Values.utf8("db1:3306"));
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            StoreState s = store.state();
            assertArrayEquals(FDE_1, s.formatDescription(name(1)).orElseThrow());
            assertArrayEquals(FDE_2, s.formatDescription(name(2)).orElseThrow());
            assertEquals(MariaGtidPosition.parse("0-1-9"), s.mariaGtidPosition());
            assertEquals(Optional.of("db1:3306"), s.origin().upstream());
            assertFalse(s.storeId().isEmpty());
            assertEquals(2, store.files().size());
        }
        try (RocksHandles raw = RocksHandles.open(dir, TestLog.fastOptions())) {
            assertEquals(Values.FORMAT_VERSION, Values.utf8(raw.db.get(raw.meta, Values.utf8(Values.META_FORMAT))));
            for (int n = 0; n <= 2; n++) {
                assertNull(raw.db.get(raw.meta, Values.utf8("fde." + name(n))), "meta fde." + name(n) + " removed");
            }
            assertArrayEquals(FDE_1, raw.db.get(raw.files, Keys.format(1)));
        }
    }

    @Test
    void upstreamVariablesRoundTripAndAreWrittenOnlyWhenTheyChange() {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        vars.put("character_set_server", "latin1");
        vars.put("init_connect", "SET a=1;\nSET b='x\\y'");
        vars.put("odd=name", "");
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(Map.of(), store.state().upstreamVariables(), "never learned");
            assertTrue(store.state().recordUpstreamVariables(vars));
            assertFalse(store.state().recordUpstreamVariables(new java.util.LinkedHashMap<>(vars)), "unchanged: not written");
        }
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            assertEquals(vars, store.state().upstreamVariables());
            assertEquals(List.copyOf(vars.keySet()), List.copyOf(store.state().upstreamVariables().keySet()), "the upstream's order");
            assertTrue(store.state().recordUpstreamVariables(Map.of("character_set_server", "utf8mb4")));
            assertEquals(Map.of("character_set_server", "utf8mb4"), store.state().upstreamVariables(), "replaced whole");
        }
    }
}
