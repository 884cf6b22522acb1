package dev.binlogrelay.server.retention;

import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * storage.retention on a store of made-up events (only the header timestamp matters): by size, by the age of a
 * file's last event, never the newest file, never a file a reader is in.
 */
class RetentionTaskTest {
    private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    Path dir;
    BinlogStore store;
    final Map<String, Long> ends = new java.util.HashMap<>();
    final List<Long> purgedBytes = new ArrayList<>();

    @BeforeEach
    void open() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20)
                .withBlockCacheBytes(4L << 20));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static String name(int n) {
        return String.format("mariadb-bin.%06d", n);
    }

    /** Appends one standalone event of {@code length} bytes written at {@code at}. */
    private void append(String file, int length, Instant at) {
        long pos = ends.getOrDefault(file, 4L);
        byte[] e = new byte[length];
        long ts = at.getEpochSecond();
        e[0] = (byte) ts;
        e[1] = (byte) (ts >>> 8);
        e[2] = (byte) (ts >>> 16);
        e[3] = (byte) (ts >>> 24);
        store.writer().appendGroup(file, List.of(new EventToStore(pos, e, StoredEvent.GROUP_START | StoredEvent.GROUP_END, null)),
                StateUpdate.builder().formatDescription(new byte[] {'x'}).build());
        ends.put(file, pos + length);
    }

    /** Files 1-4, 1000 stored bytes each; file n's events were written at T0 + n hours (first) and + 30 min (last). */
    private void fourFiles() {
        for (int n = 1; n <= 4; n++) {
            Instant start = T0.plus(Duration.ofHours(n));
            append(name(n), 500, start);
            append(name(n), 500, start.plus(Duration.ofMinutes(30)));
        }
    }

    private RetentionTask task(Long maxBytes, Duration maxAge, Instant now) {
        RetentionPolicy policy = new RetentionPolicy(maxBytes == null ? OptionalLong.empty() : OptionalLong.of(maxBytes),
                Optional.ofNullable(maxAge), Duration.ofHours(1));
        return new RetentionTask(store, policy, Clock.fixed(now, ZoneOffset.UTC), (files, bytes) -> purgedBytes.add(bytes));
    }

    private List<String> names(List<RetentionTask.Purge> purged) {
        return purged.stream().map(p -> p.file().name()).toList();
    }

    private List<String> held() {
        return store.files().stream().map(BinlogFileInfo::name).toList();
    }

    @Test
    void sizePurgesTheOldestFilesUntilTheRestFits() {
        fourFiles();
        try (RetentionTask t = task(2500L, null, T0)) {
            List<RetentionTask.Purge> purged = t.check();
            assertEquals(List.of(name(1), name(2)), names(purged));
            assertTrue(purged.get(0).reason().contains("4000 bytes, more than storage.retention.max_bytes 2500"), purged.get(0).reason());
            assertEquals(List.of(name(3), name(4)), held());
            assertEquals(List.of(2000L), purgedBytes);
            assertEquals(List.of(), t.check(), "2000 bytes fit");
            assertFalse(store.state().formatDescription(name(1)).isPresent(), "a purged file's format description goes too");
            assertTrue(store.state().formatDescription(name(3)).isPresent());
        }
    }

    @Test
    void theNewestFileStaysWhateverItsSize() {
        fourFiles();
        try (RetentionTask t = task(1L, Duration.ofSeconds(1), T0.plus(Duration.ofDays(365)))) {
            assertEquals(List.of(name(1), name(2), name(3)), names(t.check()));
            assertEquals(List.of(name(4)), held());
            assertEquals(List.of(), t.check());
        }
    }

    @Test
    void ageCountsFromTheLastEventOfAFile() {
        fourFiles();
        // file 2's last event: T0 + 2h30m. At T0 + 3h40m with max_age 1h10m, the cut-off is T0 + 2h30m: not older
        try (RetentionTask t = task(null, Duration.ofMinutes(70), T0.plus(Duration.ofMinutes(220)))) {
            List<RetentionTask.Purge> purged = t.check();
            assertEquals(List.of(name(1)), names(purged), "file 2's first event is older than the cut-off, its last is not");
            assertTrue(purged.get(0).reason().contains("last event was written at 2024-05-01T01:30:00Z"), purged.get(0).reason());
        }
        try (RetentionTask t = task(null, Duration.ofMinutes(70), T0.plus(Duration.ofMinutes(221)))) {
            assertEquals(List.of(name(2)), names(t.check()));
        }
    }

    @Test
    void eitherLimitIsEnough() {
        fourFiles();
        // size wants file 1 gone, age wants files 1 and 2 gone
        try (RetentionTask t = task(3500L, Duration.ofHours(1), T0.plus(Duration.ofMinutes(211)))) {
            assertEquals(List.of(name(1), name(2)), names(t.check()));
        }
    }

    @Test
    void aReaderInAFileKeepsItAndTheLaterOnes() throws Exception {
        fourFiles();
        try (RetentionTask t = task(1L, null, T0)) {
            BinlogCursor reader = store.openCursor(name(2), 504);
            assertEquals(List.of(name(1)), names(t.check()));
            assertEquals(List.of(name(2), name(3), name(4)), held());
            assertEquals(List.of(), t.check(), "still reading file 2");
            reader.close();
            assertEquals(List.of(name(2), name(3)), names(t.check()));
        }
    }

    @Test
    void noLimitKeepsEverything() {
        fourFiles();
        try (RetentionTask t = task(null, null, T0.plus(Duration.ofDays(1000)))) {
            assertEquals(List.of(), t.check());
            assertEquals(4, store.files().size());
        }
    }

    @Test
    void aNewUpstreamFileTriggersACheckAndTheScheduleRunsOnItsOwn() {
        fourFiles();
        AtomicLong purged = new AtomicLong();
        // checked every hour: only the first check (at start) and the one after a new file can run in this test
        RetentionPolicy policy = new RetentionPolicy(OptionalLong.of(2500), Optional.empty(), Duration.ofHours(1));
        try (RetentionTask t = new RetentionTask(store, policy, Clock.systemUTC(), (files, bytes) -> purged.addAndGet(files.size()))) {
            t.start();
            awaitFiles(List.of(name(3), name(4)));
            append(name(4), 1000, T0);      // 3000 bytes: over the limit, but no new file yet
            append(name(5), 100, T0);       // a new file: checked right away
            awaitFiles(List.of(name(4), name(5)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (purged.get() < 3 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(5_000_000L); // the listener runs just after the store published the purge
            }
            assertEquals(3, purged.get());
        }
    }

    private void awaitFiles(List<String> expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!held().equals(expected)) {
            if (System.nanoTime() > deadline) {
                fail("expected files " + expected + " within 10 s, the store holds " + held());
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    @Test
    void aCanalClientSeenWithinTheHoldKeepsItsFileAndTheLaterOnes() {
        fourFiles();
        Instant now = T0.plus(Duration.ofDays(30));
        store.canalCursors().put(new dev.binlogrelay.storage.CanalCursors.Cursor("example", "1001", name(2), 504, 0,
                now.minus(Duration.ofDays(6)).toEpochMilli(), ""));
        try (RetentionTask t = task(1L, null, now)) {
            t.holdForCanalClients(Duration.ofDays(7));
            assertEquals(List.of(name(1)), names(t.check()), "file 2 is the client's: it stays, and so do 3 and 4");
            assertEquals(List.of(name(2), name(3), name(4)), held());
            assertEquals(List.of(), t.check());
        }
    }

    @Test
    void aCanalClientSilentForLongerThanTheHoldHoldsNothing() {
        fourFiles();
        Instant now = T0.plus(Duration.ofDays(30));
        store.canalCursors().put(new dev.binlogrelay.storage.CanalCursors.Cursor("example", "1001", name(1), 504, 0,
                now.minus(Duration.ofDays(8)).toEpochMilli(), ""));
        store.canalCursors().put(new dev.binlogrelay.storage.CanalCursors.Cursor("example", "1002", name(3), 4, 0,
                now.minus(Duration.ofHours(1)).toEpochMilli(), ""));
        try (RetentionTask t = task(1L, null, now)) {
            t.holdForCanalClients(Duration.ofDays(7));
            assertEquals(List.of(name(1), name(2)), names(t.check()), "1001 was last seen 8 days ago; 1002 holds file 3");
        }
    }

    @Test
    void withoutTheCanalHoldCursorsAreIgnored() {
        fourFiles();
        store.canalCursors().put(new dev.binlogrelay.storage.CanalCursors.Cursor("example", "1001", name(1), 504, 0,
                T0.toEpochMilli(), ""));
        try (RetentionTask t = task(1L, null, T0)) {
            assertEquals(List.of(name(1), name(2), name(3)), names(t.check()));
        }
    }
}
