package dev.binlogrelay.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppendValidationTest {
    @TempDir
    Path dir;
    BinlogStore store;
    TestLog log;
    BinlogWriter writer;

    @BeforeEach
    void fill() {
        store = BinlogStore.open(dir, TestLog.fastOptions());
        writer = store.writer();
        log = new TestLog(store);
        log.rotate(name(1)).append(100, 20);
        log.rotate(name(2)).append(100);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Runs a bad append and checks it failed with the message and changed nothing. */
    private void rejected(String messagePart, Executable append) {
        List<BinlogFileInfo> files = store.files();
        Optional<BinlogPosition> end = store.committedEnd();
        StoreException e = assertThrows(StoreException.class, append);
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), "names the store: " + e.getMessage());
        assertEquals(files, store.files());
        assertEquals(end, store.committedEnd());
    }

    @Test
    void emptyGroupOrFileNameIsRejected() {
        rejected("empty group", () -> writer.appendGroup(name(2), List.of(), StateUpdate.NONE));
        rejected("needs a file name", () -> writer.appendGroup("", log.build(null, 10), StateUpdate.NONE));
        rejected("needs a file name", () -> writer.appendGroup(null, log.build(null, 10), StateUpdate.NONE));
    }

    @Test
    void groupMustStartAtTheCommittedEnd() {
        List<EventToStore> gap = List.of(new EventToStore(105, new byte[10], 3, null));
        rejected("does not start at the file's committed end 104", () -> writer.appendGroup(name(2), gap, StateUpdate.NONE));
        List<EventToStore> overlap = List.of(new EventToStore(100, new byte[10], 3, null));
        rejected("does not start at the file's committed end 104", () -> writer.appendGroup(name(2), overlap, StateUpdate.NONE));
    }

    @Test
    void eventsInsideAGroupMustBeContiguous() {
        List<EventToStore> group = new ArrayList<>(log.build(null, 10, 10));
        group.add(new EventToStore(130, new byte[5], 2, null)); // should be 124
        rejected("does not follow the previous one, which ends at 124", () -> writer.appendGroup(name(2), group, StateUpdate.NONE));
        // nothing of the valid prefix was written either
        assertThrows(PositionException.class, () -> store.openCursor(name(2), 114));
    }

    @Test
    void emptyEventIsRejected() {
        List<EventToStore> group = List.of(new EventToStore(104, new byte[0], 3, null));
        rejected("empty event", () -> writer.appendGroup(name(2), group, StateUpdate.NONE));
    }

    @Test
    void olderFileCannotBeAppendedTo() {
        List<EventToStore> group = List.of(new EventToStore(124, new byte[10], 3, null));
        rejected("cannot append to " + name(1) + ", which is not the newest file", () -> writer.appendGroup(name(1), group, StateUpdate.NONE));
    }

    @Test
    void laterFilesStartAtFour() {
        List<EventToStore> group = List.of(new EventToStore(200, new byte[10], 3, null));
        rejected("new file " + name(3) + " starts at 200, expected 4", () -> writer.appendGroup(name(3), group, StateUpdate.NONE));
    }

    @Test
    void reservedMetaKeysAreRejected() {
        rejected("reserved", () -> writer.appendGroup(name(2), log.build(null, 10), StateUpdate.ofMeta(Map.of("store.committed", "1:4"))));
        StoreException e = assertThrows(StoreException.class, () -> store.state().write(Map.of("store.format", "9"), List.of()));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
    }

    @Test
    void gtidDomainMustFitIn32Bits() {
        rejected("beyond 32 bits", () -> writer.appendGroup(name(2), log.build(new MariaGtidRef(1L << 32, 1, 1), 10), StateUpdate.NONE));
    }

    @Test
    void newFileBecomesTheNewest() {
        log.rotate(name(9)).append(10);
        assertEquals(List.of(name(1), name(2), name(9)), store.files().stream().map(BinlogFileInfo::name).toList());
        assertEquals(3, store.file(name(9)).orElseThrow().sequence());
        List<EventToStore> group = List.of(new EventToStore(104, new byte[10], 3, null));
        rejected("not the newest file", () -> writer.appendGroup(name(2), group, StateUpdate.NONE));
    }
}
