package dev.binlogrelay.storage;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One open RocksDB database of a store and its column families (layouts in {@link Keys} and {@link Values}):
 * {@code events}, {@code files}, {@code gtid}, {@code meta}, {@code schema} ({@link SchemaHistoryStore}),
 * {@code canal_cursors} ({@link CanalCursors}). The default column family is unused. The events' bytes are in
 * plain files beside it ({@link EventFiles}).
 */
final class RocksHandles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RocksHandles.class);

    final Path dir;
    final RocksDB db;
    final ColumnFamilyHandle events;
    final ColumnFamilyHandle files;
    final ColumnFamilyHandle gtid;
    final ColumnFamilyHandle meta;
    final ColumnFamilyHandle schema;
    final ColumnFamilyHandle canalCursors;
    final RocksTuning tuning;
    /** The events' bytes (layout 4); RocksDB holds their index. */
    final EventFiles eventFiles;
    private final List<ColumnFamilyHandle> handles;

    private RocksHandles(Path dir, RocksDB db, List<ColumnFamilyHandle> handles, RocksTuning tuning, EventFiles eventFiles) {
        this.dir = dir;
        this.eventFiles = eventFiles;
        this.db = db;
        this.handles = handles;
        this.events = handles.get(1);
        this.files = handles.get(2);
        this.gtid = handles.get(3);
        this.meta = handles.get(4);
        this.schema = handles.get(5);
        this.canalCursors = handles.get(6);
        this.tuning = tuning;
    }

    static RocksHandles open(Path dir, StoreOptions options) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("store " + dir + ": cannot create the directory: " + e.getMessage(), e);
        }
        RocksTuning tuning = new RocksTuning(options);
        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, tuning.small),
                new ColumnFamilyDescriptor(bytes("events"), tuning.events),
                new ColumnFamilyDescriptor(bytes("files"), tuning.small),
                new ColumnFamilyDescriptor(bytes("gtid"), tuning.gtid),
                new ColumnFamilyDescriptor(bytes("meta"), tuning.small),
                new ColumnFamilyDescriptor(bytes("schema"), tuning.small),
                new ColumnFamilyDescriptor(bytes("canal_cursors"), tuning.small));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            RocksDB db = RocksDB.open(tuning.db, dir.toString(), families, handles);
            try {
                return new RocksHandles(dir, db, handles, tuning, new EventFiles(dir, !(options.sync() instanceof SyncMode.None)));
            } catch (StoreException e) {
                handles.forEach(ColumnFamilyHandle::close);
                db.close();
                tuning.close();
                throw e;
            }
        } catch (RocksDBException e) {
            handles.forEach(ColumnFamilyHandle::close);
            tuning.close();
            throw failure(dir, "open RocksDB", e);
        }
    }

    /** Wraps a RocksDB failure with the store and the operation: "store /data: cannot read …: IO error …". */
    static StoreException failure(Path dir, String operation, RocksDBException e) {
        String detail = e.getStatus() != null ? e.getStatus().getCodeString() + ": " + e.getMessage() : e.getMessage();
        return new StoreException("store " + dir + ": cannot " + operation + ": " + detail, e);
    }

    StoreException failure(String operation, RocksDBException e) {
        return failure(dir, operation, e);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Closes the column family handles, then the database, then the options (RocksDB requires this order). */
    @Override
    public void close() {
        eventFiles.close(); // the events' bytes durable before the WAL that indexes them
        if (tuning.unsyncedAppends) {
            try {
                db.flushWal(true); // none: groups written without fsync become durable at a clean shutdown
            } catch (RocksDBException e) {
                log.warn("store {}: cannot sync the WAL on close: {}", dir, e.getMessage());
            }
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        tuning.close();
    }
}
