package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.core.binlog.RowsEvents;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.importer.BinlogImporter;
import dev.binlogrelay.server.schema.SchemaHistory;
import dev.binlogrelay.server.schema.SchemaHistorySettings;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.SchemaHistoryStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A schema snapshot recorded mid-store (the history turned on for a relay that already holds binlogs): a stream
 * that started before it takes its definitions when it reaches it, so an event after it decodes the same in every
 * stream (which the shared EntryCache relies on) as with a tracker made at that event. MySQL 5.5's sakila load: its
 * TABLE_MAPs carry no column names, so the names come from the tracker alone.
 */
class EntryStreamSnapshotTest {
    private static final String FILE = "mysql-bin.000001";

    @TempDir
    Path tmp;

    /** The first rows event at or after {@code from} in the file, as entries decoded by a stream started at {@code start}. */
    private static List<CanalEntry.Entry> firstRowsFrom(BinlogStore store, SchemaHistory history, long start, long from)
            throws Exception {
        EntryStream s = new EntryStream(history.trackerAt(FILE, start)).withTimeZone(ZoneOffset.UTC);
        if (start > 4) {
            s.accept(FILE, 4, store.state().formatDescription(FILE).orElseThrow());
        }
        try (BinlogCursor c = store.openCursor(FILE, start)) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                List<CanalEntry.Entry> out = s.accept(e.file(), e.position(), e.bytes());
                if (e.position() >= from && RowsEvents.isRows(Events.type(e.bytes())) && !out.isEmpty()) {
                    return out;
                }
            }
        }
        throw new AssertionError("no rows event after " + from);
    }

    private static List<String> names(List<CanalEntry.Entry> entries) throws Exception {
        List<String> out = new ArrayList<>();
        for (CanalEntry.Column c : CanalEntry.RowChange.parseFrom(entries.get(0).getStoreValue())
                .getRowDatas(0).getAfterColumnsList()) {
            out.add(c.getName());
        }
        return out;
    }

    @Test
    void aStreamThatStartedBeforeASnapshotDecodesAfterItAsOneStartedThere() throws Exception {
        byte[] whole;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                Fixtures.file("osheroff-mysql-binlog-connector-java/mysql-bin.sakila.gz")))) {
            whole = in.readAllBytes();
        }
        // where the transaction of actor's first rows starts: the snapshot is recorded there
        long snapshotAt;
        try (BinlogStore scratch = BinlogStore.open(tmp.resolve("scratch"), StoreOptions.defaults())) {
            Path f = Files.createDirectories(tmp.resolve("a")).resolve(FILE);
            Files.write(f, whole);
            new BinlogImporter(scratch).importFile(f);
            snapshotAt = groupOfFirstRows(scratch, "actor");
        }
        try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
            Path part = Files.createDirectories(tmp.resolve("b")).resolve(FILE);
            Files.write(part, Arrays.copyOf(whole, (int) snapshotAt));
            new BinlogImporter(store).importFile(part);
            try (SchemaHistory history = SchemaHistory.start(store, SchemaHistorySettings.DEFAULT.on())) {
                store.schemaHistory().recordSnapshot(List.of(new SchemaHistoryStore.SnapshotTable("sakila", "actor",
                        "CREATE TABLE actor (snap_id smallint unsigned NOT NULL, snap_first varchar(45) NOT NULL, "
                                + "snap_last varchar(45) NOT NULL, snap_update timestamp NOT NULL, PRIMARY KEY (snap_id))")));
                Path rest = Files.createDirectories(tmp.resolve("c")).resolve(FILE);
                Files.write(rest, whole);
                new BinlogImporter(store).importFile(rest); // the rest of the file, after the snapshot

                List<CanalEntry.Entry> fromStart = firstRowsFrom(store, history, 4, snapshotAt);
                List<CanalEntry.Entry> fromSnapshot = firstRowsFrom(store, history, snapshotAt, snapshotAt);
                assertEquals(List.of("snap_id", "snap_first", "snap_last", "snap_update"), names(fromSnapshot));
                assertEquals(fromSnapshot, fromStart, "a stream started before the snapshot, after passing it");
                assertEquals(List.of(true, false, false, false), CanalEntry.RowChange.parseFrom(fromStart.get(0)
                        .getStoreValue()).getRowDatas(0).getAfterColumnsList().stream().map(CanalEntry.Column::getIsKey)
                        .toList());
            }
        }
    }

    /** The start of the transaction holding {@code table}'s first rows event. */
    private static long groupOfFirstRows(BinlogStore store, String table) throws Exception {
        Long group = null;
        try (BinlogCursor c = store.openCursor(FILE, 4)) {
            for (StoredEvent e = c.next(); e != null; e = c.next()) {
                if (e.startsGroup()) {
                    group = e.position();
                }
                if (Events.type(e.bytes()) == dev.binlogrelay.core.binlog.EventType.TABLE_MAP
                        && new String(e.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(table)) {
                    assertNotNull(group);
                    assertTrue(group > 4);
                    return group;
                }
            }
        }
        throw new AssertionError("no rows of " + table);
    }
}
