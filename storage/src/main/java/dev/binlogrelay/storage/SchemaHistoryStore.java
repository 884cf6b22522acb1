package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The schema history's persistence (docs/schema-history.md): table definitions and DDL statements, each at the
 * binlog position from which it holds, so that a row-change reader starting anywhere can rebuild the definitions
 * in force there. What the texts mean is the relay-server's {@code schema} package's business; this class only
 * keeps them in order.
 *
 * <pre>
 * column family  key                                              value
 * schema         file_seq (4) | position (8) | ordinal (4)        kind (1) | db length (2) | db | table length (2)
 *                                                                 | table | text (UTF-8)
 * schema         0x00                                             scanned up to: file_seq (4) | position (8) | file name
 * schema         0x01                                             "snapshot": a snapshot was recorded (its position)
 * </pre>
 *
 * Entry keys are 16 bytes and sort in binlog order (big-endian file sequence, then position; see {@link Keys});
 * at one position, ordinal 0 is the DDL that ends there, and a snapshot's entries follow it from ordinal 1. A DDL is kept at its end position
 * (it holds from there on); a snapshot taken while the store is empty is kept at file_seq 0, position 0 (before
 * everything), else at the committed end it was taken at. The two bookkeeping keys are 1 byte long.
 *
 * <p><b>Purge.</b> Entries are not removed with the files they came from: a reader at any stored position needs
 * every entry before it, and the history holds only DDL text and one snapshot.
 *
 * <p>Threading: one thread records (the schema history's recorder; the upstream connection for the snapshot,
 * which runs before the dump, while no DDL is being recorded); any thread reads.
 */
public final class SchemaHistoryStore {
    /** What an entry is. */
    public enum Kind {
        /** A snapshot starts here: the definitions before it no longer count. */
        SNAPSHOT_START(1),
        /** One table's definition in a snapshot ({@code SHOW CREATE TABLE} text), or a database's defaults. */
        SNAPSHOT_TABLE(2),
        /** A DDL statement from the binlog, with its default database. */
        DDL(3);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new StoreException("schema history entry of unknown kind " + code);
        }
    }

    /** One entry: where it holds from (file sequence and position), what it is. */
    public record Entry(long fileSeq, long position, Kind kind, String database, String table, String text) {
        public Entry {
            database = database == null ? "" : database;
            table = table == null ? "" : table;
            Objects.requireNonNull(text, "text");
        }
    }

    /** A DDL statement found at {@code endPosition} of {@code file}, for {@link #recordDdl}. */
    public record Ddl(String file, long endPosition, String database, String sql) {
    }

    /** One table of a snapshot ({@code SHOW CREATE TABLE} text), or with an empty table name a database's defaults. */
    public record SnapshotTable(String database, String table, String createStatement) {
    }

    /** How much a snapshot may take: tables and bytes of definitions. */
    public record SnapshotLimits(int maxTables, long maxBytes) {
    }

    private static final byte[] SCANNED = {0};
    private static final byte[] SNAPSHOT = {1};
    private static final int ENTRY_KEY = 16;

    private final StoreContext ctx;
    /** A snapshot the wiring asked for and nobody has taken yet. */
    private volatile SnapshotLimits requested;
    /** Where the snapshot is kept, once read (null: not read yet); only {@link #recordSnapshot} changes it. */
    private volatile Optional<SnapshotAt> snapshotAt;

    /** Where a snapshot is kept: it holds from this file sequence and position on. */
    public record SnapshotAt(long fileSeq, long position) {
    }

    SchemaHistoryStore(StoreContext ctx) {
        this.ctx = ctx;
    }

    // ------------------------------------------------------------------ the snapshot

    /** Asks the next upstream session for a snapshot (if none was recorded yet), within {@code limits}. */
    public void requestSnapshot(SnapshotLimits limits) {
        requested = hasSnapshot() ? null : Objects.requireNonNull(limits, "limits");
    }

    /** The snapshot asked for and not taken yet, if any. */
    public Optional<SnapshotLimits> snapshotRequest() {
        return Optional.ofNullable(requested);
    }

    public boolean hasSnapshot() {
        return ctx.underReadLock(() -> get(SNAPSHOT) != null);
    }

    /**
     * Where the snapshot is kept, if one was recorded: read from the store once, then a field read (readers call it
     * for every event they pass, to apply a snapshot recorded after they started once they reach it).
     */
    public Optional<SnapshotAt> snapshotAt() {
        Optional<SnapshotAt> at = snapshotAt;
        if (at != null) {
            return at;
        }
        synchronized (this) {
            if (snapshotAt == null) {
                snapshotAt = ctx.underReadLock(() -> {
                    byte[] v = get(SNAPSHOT);
                    if (v == null) {
                        return Optional.<SnapshotAt>empty();
                    }
                    String[] p = new String(v, StandardCharsets.UTF_8).split(":");
                    try {
                        return Optional.of(new SnapshotAt(Long.parseLong(p[0]), Long.parseLong(p[1])));
                    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                        throw new StoreException("store " + ctx.dir() + ": schema snapshot mark \"" + new String(v,
                                StandardCharsets.UTF_8) + "\" is not file_seq:position");
                    }
                });
            }
            return snapshotAt;
        }
    }

    /**
     * Records a snapshot at the committed end (file sequence 0, position 0 while the store is empty), in one
     * write, and ends the request. The upstream session calls it before its dump starts.
     */
    public void recordSnapshot(List<SnapshotTable> tables) {
        SnapshotAt at = ctx.underReadLock(() -> {
            FileTable t = ctx.table();
            long seq = t.isEmpty() ? 0 : t.endSeq();
            long pos = t.isEmpty() ? 0 : t.endPos();
            // ordinal 0 is the DDL's that ends at this position (one event ends there), which the recorder may
            // write only later: the snapshot comes after it
            int ordinal = Math.max(1, nextOrdinal(seq, pos));
            try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
                put(batch, seq, pos, ordinal++, Kind.SNAPSHOT_START, "", "", "");
                for (SnapshotTable s : tables) {
                    put(batch, seq, pos, ordinal++, Kind.SNAPSHOT_TABLE, s.database(), s.table(), s.createStatement());
                }
                batch.put(ctx.rocks().schema, SNAPSHOT, (seq + ":" + pos).getBytes(StandardCharsets.UTF_8));
                ctx.rocks().db.write(sync, batch);
            } catch (RocksDBException e) {
                throw ctx.rocks().failure("record a schema snapshot of " + tables.size() + " tables", e);
            }
            return new SnapshotAt(seq, pos);
        });
        synchronized (this) { // not under the store's lock: snapshotAt() takes this, then that
            snapshotAt = Optional.of(at);
        }
        requested = null;
    }

    // ------------------------------------------------------------------ DDL

    /**
     * Records DDL statements (in binlog order) and that the binlog was scanned up to {@code scannedFile}:{@code
     * scannedPosition}, in one write. A file the store no longer holds is skipped.
     */
    public void recordDdl(List<Ddl> ddls, String scannedFile, long scannedPosition) {
        ctx.underReadLock(() -> {
            try (WriteBatch batch = new WriteBatch(); WriteOptions opts = new WriteOptions()) {
                for (Ddl d : ddls) {
                    BinlogFileInfo f = ctx.table().byName(d.file());
                    if (f != null) {
                        put(batch, f.sequence(), d.endPosition(), 0, Kind.DDL, d.database(), "", d.sql());
                    }
                }
                BinlogFileInfo f = ctx.table().byName(scannedFile);
                if (f != null) {
                    batch.put(ctx.rocks().schema, SCANNED, scannedValue(f.sequence(), scannedPosition, scannedFile));
                }
                ctx.rocks().db.write(opts, batch);
            } catch (RocksDBException e) {
                throw ctx.rocks().failure("record " + ddls.size() + " DDL statements in the schema history", e);
            }
            return null;
        });
    }

    /** Where the binlog was scanned for DDL up to (file, position), if ever. */
    public Optional<BinlogPosition> scanned() {
        return ctx.underReadLock(() -> {
            byte[] v = get(SCANNED);
            if (v == null) {
                return Optional.empty();
            }
            if (v.length < 12) {
                throw new StoreException("store " + ctx.dir() + ": schema history scan mark of " + v.length + " bytes");
            }
            return Optional.of(new BinlogPosition(new String(v, 12, v.length - 12, StandardCharsets.UTF_8),
                    Keys.getLong(v, 4)));
        });
    }

    // ------------------------------------------------------------------ reading

    /**
     * Every entry that holds at {@code file}:{@code position} (kept at or before it), in order.
     *
     * @throws StoreException if the store does not hold {@code file}
     */
    public List<Entry> upTo(String file, long position) {
        return ctx.underReadLock(() -> {
            BinlogFileInfo f = ctx.table().byName(file);
            if (f == null) {
                throw new StoreException("schema history: the relay does not hold " + file);
            }
            return read(f.sequence(), position);
        });
    }

    /** Every entry, in order. */
    public List<Entry> all() {
        return ctx.underReadLock(() -> read(Keys.MAX_FILE_SEQ, -1L));
    }

    /** The file sequence number of a file the store holds, for comparing positions with entries'. */
    public Optional<Long> sequenceOf(String file) {
        return ctx.underReadLock(() -> Optional.ofNullable(ctx.table().byName(file)).map(BinlogFileInfo::sequence));
    }

    private List<Entry> read(long maxSeq, long maxPos) {
        List<Entry> out = new ArrayList<>();
        byte[] limit = key(maxSeq, maxPos, -1);
        try (RocksIterator it = ctx.rocks().db.newIterator(ctx.rocks().schema)) {
            for (it.seek(new byte[ENTRY_KEY]); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length != ENTRY_KEY) {
                    continue;
                }
                if (java.util.Arrays.compareUnsigned(k, limit) > 0) {
                    break;
                }
                out.add(decode(k, it.value()));
            }
            it.status();
        } catch (RocksDBException e) {
            throw ctx.rocks().failure("read the schema history", e);
        }
        return out;
    }

    private int nextOrdinal(long seq, long pos) {
        try (RocksIterator it = ctx.rocks().db.newIterator(ctx.rocks().schema)) {
            it.seekForPrev(key(seq, pos, -1));
            if (it.isValid() && it.key().length == ENTRY_KEY && Keys.getInt(it.key(), 0) == seq
                    && Keys.getLong(it.key(), 4) == pos) {
                return (int) Keys.getInt(it.key(), 12) + 1;
            }
            return 0;
        }
    }

    private byte[] get(byte[] key) {
        try {
            return ctx.rocks().db.get(ctx.rocks().schema, key);
        } catch (RocksDBException e) {
            throw ctx.rocks().failure("read the schema history", e);
        }
    }

    private void put(WriteBatch batch, long seq, long pos, int ordinal, Kind kind, String db, String table, String text)
            throws RocksDBException {
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        byte[] t = table.getBytes(StandardCharsets.UTF_8);
        byte[] x = text.getBytes(StandardCharsets.UTF_8);
        if (d.length > 0xFFFF || t.length > 0xFFFF) {
            throw new StoreException("schema history: database or table name over 65535 bytes");
        }
        ByteBuffer v = ByteBuffer.allocate(1 + 2 + d.length + 2 + t.length + x.length);
        v.put((byte) kind.code).putShort((short) d.length).put(d).putShort((short) t.length).put(t).put(x);
        batch.put(ctx.rocks().schema, key(seq, pos, ordinal), v.array());
    }

    private Entry decode(byte[] k, byte[] v) {
        try {
            ByteBuffer b = ByteBuffer.wrap(v);
            Kind kind = Kind.of(b.get() & 0xFF);
            String db = string(b, b.getShort() & 0xFFFF);
            String table = string(b, b.getShort() & 0xFFFF);
            return new Entry(Keys.getInt(k, 0), Keys.getLong(k, 4), kind, db, table, string(b, b.remaining()));
        } catch (java.nio.BufferUnderflowException e) {
            throw new StoreException("store " + ctx.dir() + ": schema history entry at " + Keys.getInt(k, 0) + ":"
                    + Keys.getLong(k, 4) + " is truncated (" + v.length + " bytes)");
        }
    }

    private static String string(ByteBuffer b, int n) {
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] key(long seq, long pos, int ordinal) {
        byte[] k = new byte[ENTRY_KEY];
        Keys.putInt(k, 0, seq);
        Keys.putLong(k, 4, pos);
        Keys.putInt(k, 12, ordinal & 0xFFFF_FFFFL);
        return k;
    }

    private static byte[] scannedValue(long seq, long pos, String file) {
        byte[] name = file.getBytes(StandardCharsets.UTF_8);
        byte[] v = new byte[12 + name.length];
        Keys.putInt(v, 0, seq);
        Keys.putLong(v, 4, pos);
        System.arraycopy(name, 0, v, 12, name.length);
        return v;
    }
}
