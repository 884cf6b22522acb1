package dev.binlogrelay.server.it;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.downstream.FileFormats;
import dev.binlogrelay.server.downstream.StartPositions;
import dev.binlogrelay.server.upstream.BinlogIngester;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Found by {@link CrashSafetyIT}: the relay stored and served the rotate event that closes a file, then was
 * killed before it stored the next file's format description. The file/position replica had read the rotate and
 * asked, on reconnecting, for the next file at position 4 (which MariaDB creates when it rotates); the relay did
 * not hold that file yet and refused with error 1236, which stops a replica for good. Now such a reader waits at
 * the end of the rotated file and continues into the new file once it is stored.
 */
class RotateWindowIT {
    @TempDir
    Path tmp;

    @Test
    void theFileAnnouncedByTheStoredRotateCanBeAskedForBeforeItsFirstEvent() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 5);
            primary.execute("FLUSH BINARY LOGS");
            List<String> files = primary.binlogFiles();
            String closed = files.get(0);
            String next = files.get(1);
            List<byte[]> closedEvents = events(primary.binlogDir().resolve(closed));
            byte[] nextFde = events(primary.binlogDir().resolve(next)).get(0);

            try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
                BinlogIngester ingester = new BinlogIngester(store);
                ingester.startStream(closed, 4, null);
                ingester.accept(ArtificialEvents.fakeRotate(1, closed, 4, ChecksumAlgorithm.CRC32));
                closedEvents.forEach(e -> ingester.accept(e.clone()));
                long closedSize = Files.size(primary.binlogDir().resolve(closed));
                assertEquals(new BinlogPosition(closed, closedSize), store.committedEnd().orElseThrow(), "stored up to the rotate");

                StartPositions positions = new StartPositions(store, new FileFormats(store));
                try (BinlogCursor cursor = positions.openForFile(next, 4)) {
                    assertEquals(new BinlogPosition(closed, closedSize), cursor.position());
                    assertNull(cursor.next(), "nothing of " + next + " is stored yet: the reader waits");
                    ingester.accept(nextFde.clone());
                    StoredEvent fde = cursor.next();
                    assertEquals(next, fde.file());
                    assertEquals(4, fde.position());
                }
                // only that file, only at its start
                String later = next.substring(0, next.lastIndexOf('.') + 1) + "999999";
                assertThrows(PositionException.class, () -> positions.openForFile(later, 4));
            }
        }
    }

    @Test
    void aPositionPastTheStartOfAFileNotYetStoredIsRefused() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            RelayHarness.createAppTable(primary);
            primary.execute("FLUSH BINARY LOGS");
            List<String> files = primary.binlogFiles();
            try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
                BinlogIngester ingester = new BinlogIngester(store);
                ingester.startStream(files.get(0), 4, null);
                ingester.accept(ArtificialEvents.fakeRotate(1, files.get(0), 4, ChecksumAlgorithm.CRC32));
                events(primary.binlogDir().resolve(files.get(0))).forEach(e -> ingester.accept(e.clone()));
                StartPositions positions = new StartPositions(store, new FileFormats(store));
                assertThrows(PositionException.class, () -> positions.openForFile(files.get(1), 256));
            }
        }
    }

    /** The events of a binlog file on disk. */
    private static List<byte[]> events(Path file) throws java.io.IOException {
        byte[] b = Files.readAllBytes(file);
        List<byte[]> out = new ArrayList<>();
        for (int pos = 4; pos + Events.HEADER_SIZE <= b.length; ) {
            int size = (int) Events.u32(b, pos + Events.OFFSET_SIZE);
            out.add(Arrays.copyOfRange(b, pos, pos + size));
            pos += size;
        }
        return out;
    }
}
