package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.binlogrelay.storage.TestLog.assertSameEvent;
import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VisibilityTest {
    @TempDir
    Path dir;

    @Test
    void cursorAtTheEndReturnsNullThenSeesNewGroups() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(100);
            try (BinlogCursor c = store.openCursor(name(1), 104)) {
                assertNull(c.next());
                assertNull(c.next());
                log.append(10, 20);
                assertSameEvent(log.written.get(1), c.next());
                assertSameEvent(log.written.get(2), c.next());
                assertNull(c.next());
                log.rotate(name(2)).append(30);
                assertSameEvent(log.written.get(3), c.next());
                assertNull(c.next());
            }
        }
    }

    @Test
    void nothingOfAGroupIsVisibleUntilItIsPublished() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).appendWithGtid(new MariaGtidRef(0, 1, 1), Map.of("pos", "1"), 100, 30);
            BinlogCursor c = store.openCursor(name(1), 4);
            assertEquals(2, TestLog.drain(c).size());
            List<String> seenInsideTheWrite = new ArrayList<>();
            AtomicInteger hookRuns = new AtomicInteger();
            AtomicLong inFlight = new AtomicLong(2);
            store.appender().afterWriteBeforePublish(() -> {
                // the batch is durable in RocksDB here, but appendGroup has not returned
                hookRuns.incrementAndGet();
                seenInsideTheWrite.add(String.valueOf(c.next()));
                seenInsideTheWrite.add(store.committedEnd().orElseThrow().toString());
                seenInsideTheWrite.add(store.findMariaGtid(0, inFlight.get()).toString());
                seenInsideTheWrite.add(store.lastMariaGtid(0).orElseThrow().toString());
                seenInsideTheWrite.add(store.files().toString());
            });
            log.appendWithGtid(new MariaGtidRef(0, 1, 2), Map.of("pos", "2"), 40, 50);
            // after appendGroup returned, all of it is there
            assertSameEvent(log.written.get(2), c.next());
            assertSameEvent(log.written.get(3), c.next());
            assertNull(c.next());
            inFlight.set(3);
            log.rotate(name(2)).appendWithGtid(new MariaGtidRef(0, 1, 3), Map.of(), 60);
            assertSameEvent(log.written.get(4), c.next());
            assertEquals(2, hookRuns.get());
            assertEquals(List.of("null", name(1) + ":134", "Optional.empty", "0-1-1",
                            List.of(new BinlogFileInfo(name(1), 1, 134, 4)).toString(),
                            "null", name(1) + ":224", "Optional.empty", "0-1-2",
                            List.of(new BinlogFileInfo(name(1), 1, 224, 4)).toString()),
                    seenInsideTheWrite);
            assertEquals(Optional.of(new BinlogPosition(name(2), 4)), store.findMariaGtid(0, 3));
            c.close();
        }
    }

    @Test
    void readerAtTheEndNeverStopsInsideAGroup() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(50);
            try (BinlogCursor c = store.openCursor(name(1), 54)) {
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    for (int g = 0; g < 300; g++) {
                        log.append(19, 20 + g % 7, 30, 40 + g % 3);
                    }
                });
                int read = 0;
                StoredEvent last = null;
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (read < 1200) {
                    assertTrue(System.nanoTime() < deadline, "reader did not get all events in time");
                    StoredEvent e = c.next();
                    if (e == null) {
                        assertTrue(last == null || last.endsGroup(), "stopped inside a group at " + c.position());
                        store.awaitCommitBeyond(c.position(), 1, TimeUnit.SECONDS);
                        continue;
                    }
                    TestLog.assertGenuine(e);
                    assertEquals(last == null || last.endsGroup(), e.startsGroup(), "group flags at " + e.position());
                    last = e;
                    read++;
                }
                writer.get(10, TimeUnit.SECONDS);
                assertNull(c.next());
                assertEquals(store.committedEnd().orElseThrow(), c.position());
            }
        }
    }
}
