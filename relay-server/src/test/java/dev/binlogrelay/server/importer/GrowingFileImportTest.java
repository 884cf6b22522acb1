package dev.binlogrelay.server.importer;

import dev.binlogrelay.core.binlog.BinlogFile;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.GroupTracker;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.testkit.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Importing a longer copy of the store's newest file appends its new transactions; anything else is refused. */
class GrowingFileImportTest {
    @TempDir
    Path tmp;

    private static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(Fixtures.file(name));
    }

    /** The file up to the end of its {@code groups}-th group. */
    private static byte[] prefix(byte[] file, int groups) {
        BinlogFile parsed = BinlogFile.parse("x", file);
        GroupTracker tracker = new GroupTracker();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(BinlogFile.MAGIC);
        int done = 0;
        for (byte[] e : parsed.events()) {
            if (done == groups) {
                break;
            }
            out.writeBytes(e);
            if ((tracker.classify(e, parsed.checksum()) & GroupTracker.END) != 0) {
                done++;
            }
        }
        return out.toByteArray();
    }

    private static Path write(Path dir, byte[] data) throws Exception {
        Path p = Files.createDirectories(dir).resolve("binlog.000001");
        Files.write(p, data);
        return p;
    }

    @Test
    void aLongerCopyIsAppendedAndOthersAreRefused() throws Exception {
        byte[] whole = fixture("blackbeam-rust_mysql_common/mysql-enum-string-set.000001");
        byte[] other = fixture("blackbeam-rust_mysql_common/binlog-invisible-columns.000001");
        try (BinlogStore store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults())) {
            BinlogImporter importer = new BinlogImporter(store);
            importer.importFile(write(tmp.resolve("a"), prefix(whole, 4)));
            long held = store.file("binlog.000001").orElseThrow().size();
            assertEquals(prefix(whole, 4).length, held);

            // not the same file: refused, nothing stored
            BinlogFormatException e = assertThrows(BinlogFormatException.class,
                    () -> importer.importFile(write(tmp.resolve("b"), other)));
            assertTrue(e.getMessage().startsWith("binlog.000001") && (e.getMessage().contains("not a transaction boundary")
                    || e.getMessage().contains("differs from the one the store holds")), e.getMessage());
            assertEquals(held, store.file("binlog.000001").orElseThrow().size());

            // no longer than what is held: refused as before
            e = assertThrows(BinlogFormatException.class, () -> importer.importFile(write(tmp.resolve("c"), prefix(whole, 3))));
            assertTrue(e.getMessage().contains("already holds"), e.getMessage());

            // the longer copy: its new transactions are appended
            importer.importFile(write(tmp.resolve("d"), whole));
            assertEquals(whole.length, store.file("binlog.000001").orElseThrow().size());
            assertEquals(List.of("binlog.000001"), store.files().stream().map(f -> f.name()).toList());
            assertEquals(BinlogFile.parse("x", whole).events().size(),
                    countEvents(store), "every event once");
        }
    }

    private static int countEvents(BinlogStore store) throws Exception {
        int n = 0;
        try (var c = store.openCursor("binlog.000001", 4)) {
            while (c.next() != null) {
                n++;
            }
        }
        return n;
    }
}
