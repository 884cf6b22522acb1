package dev.binlogrelay.server.downstream;

import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A store on a temp dir filled group by group (one 50-byte event each, MariaDB GTIDs), and its {@link StartPositions}. */
abstract class GroupStoreFixture {
    @TempDir
    Path dir;
    BinlogStore store;
    StartPositions positions;
    final Map<String, Long> ends = new HashMap<>();

    static final byte[] FDE = fde();

    private static byte[] fde() {
        byte[] fde = new byte[100];
        fde[4] = 15;
        byte[] version = "10.11.5-MariaDB-log".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, fde, 21, version.length);
        return fde;
    }

    static String name(int n) {
        return String.format("mariadb-bin.%06d", n);
    }

    void group(int file, MariaGtidRef gtid) {
        String f = name(file);
        long pos = ends.getOrDefault(f, 4L);
        store.writer().appendGroup(f, List.of(new EventToStore(pos, new byte[50], StoredEvent.GROUP_START | StoredEvent.GROUP_END, gtid)),
                StateUpdate.builder().formatDescription(FDE).build());
        ends.put(f, pos + 50);
    }

    @BeforeEach
    void open() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withWriteBufferBytes(4L << 20));
        positions = new StartPositions(store, new FileFormats(store));
    }

    @AfterEach
    void close() {
        store.close();
    }

}
