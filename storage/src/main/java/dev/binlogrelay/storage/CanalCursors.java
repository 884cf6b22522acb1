package dev.binlogrelay.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where each Canal client (a destination and a client id) resumes: the position after its last acknowledged
 * batch, kept in the column family {@code canal_cursors}. Nothing of the binlog is stored here.
 *
 * <pre>
 * key   = destination (UTF-8) 0x00 client id (UTF-8)
 * value = version (1 byte, 1)
 *         file name length (2, big-endian) file name (UTF-8)
 *         position (8)       a transaction boundary: the end of the last whole group the client acknowledged
 *         skip (4)           entries of the group starting at position already acknowledged (a batch may end
 *                            inside a transaction); 0 at a boundary
 *         seen (8)           epoch milliseconds of the client's last subscribe or acknowledgement
 *         filter length (4) filter (UTF-8)   the client's subscription filter, "" for the destination's
 * </pre>
 *
 * <p>Threading: any thread. Writes go with the store's group write options (fsynced as {@code storage.sync} says);
 * a write lost in a crash only means the client gets the batches after the previous acknowledgement again.
 */
public final class CanalCursors {
    private static final int VERSION = 1;
    private static final int MAX_TEXT = 64 * 1024;

    /** One client's cursor. */
    public record Cursor(String destination, String clientId, String file, long position, int skip, long seenMillis,
                         String filter) {
        public Cursor {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(filter, "filter");
            if (destination.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a destination name cannot hold a NUL character");
            }
            if (position < 0 || skip < 0) {
                throw new IllegalArgumentException("position and skip cannot be negative: " + position + ", " + skip);
            }
        }

        public Cursor seen(long millis) {
            return new Cursor(destination, clientId, file, position, skip, millis, filter);
        }
    }

    private final StoreContext ctx;

    CanalCursors(StoreContext ctx) {
        this.ctx = ctx;
    }

    public Optional<Cursor> get(String destination, String clientId) {
        byte[] key = key(destination, clientId);
        return ctx.underReadLock(() -> {
            RocksHandles rocks = ctx.rocks();
            try {
                byte[] v = rocks.db.get(rocks.canalCursors, rocks.tuning.point, key);
                return v == null ? Optional.empty() : Optional.of(decode(destination, clientId, v));
            } catch (RocksDBException e) {
                throw rocks.failure("read the Canal cursor of " + destination + "/" + clientId, e);
            }
        });
    }

    public void put(Cursor c) {
        byte[] key = key(c.destination(), c.clientId());
        byte[] value = encode(c);
        ctx.underReadLock(() -> {
            RocksHandles rocks = ctx.rocks();
            try {
                rocks.db.put(rocks.canalCursors, rocks.tuning.groupWrite, key, value);
                return null;
            } catch (RocksDBException e) {
                throw rocks.failure("write the Canal cursor of " + c.destination() + "/" + c.clientId(), e);
            }
        });
    }

    public void remove(String destination, String clientId) {
        byte[] key = key(destination, clientId);
        ctx.underReadLock(() -> {
            RocksHandles rocks = ctx.rocks();
            try {
                rocks.db.delete(rocks.canalCursors, rocks.tuning.groupWrite, key);
                return null;
            } catch (RocksDBException e) {
                throw rocks.failure("remove the Canal cursor of " + destination + "/" + clientId, e);
            }
        });
    }

    /** Every stored cursor, ordered by destination, then client id. */
    public List<Cursor> all() {
        return ctx.underReadLock(() -> {
            RocksHandles rocks = ctx.rocks();
            List<Cursor> out = new ArrayList<>();
            try (RocksIterator it = rocks.db.newIterator(rocks.canalCursors, rocks.tuning.point)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    int nul = indexOf(k, (byte) 0);
                    if (nul < 0) {
                        throw new StoreException("store " + ctx.dir() + ": a Canal cursor key without its separator");
                    }
                    String destination = new String(k, 0, nul, StandardCharsets.UTF_8);
                    String clientId = new String(k, nul + 1, k.length - nul - 1, StandardCharsets.UTF_8);
                    out.add(decode(destination, clientId, it.value()));
                }
            }
            return out;
        });
    }

    static byte[] key(String destination, String clientId) {
        if (destination.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a destination name cannot hold a NUL character");
        }
        byte[] d = destination.getBytes(StandardCharsets.UTF_8);
        byte[] c = clientId.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[d.length + 1 + c.length];
        System.arraycopy(d, 0, k, 0, d.length);
        System.arraycopy(c, 0, k, d.length + 1, c.length);
        return k;
    }

    static byte[] encode(Cursor c) {
        byte[] file = c.file().getBytes(StandardCharsets.UTF_8);
        byte[] filter = c.filter().getBytes(StandardCharsets.UTF_8);
        if (file.length > 0xFFFF || filter.length > MAX_TEXT) {
            throw new IllegalArgumentException("Canal cursor of " + c.destination() + "/" + c.clientId()
                    + ": file name or filter too long (" + file.length + ", " + filter.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + file.length + 8 + 4 + 8 + 4 + filter.length);
        b.put((byte) VERSION).putShort((short) file.length).put(file).putLong(c.position()).putInt(c.skip())
                .putLong(c.seenMillis()).putInt(filter.length).put(filter);
        return b.array();
    }

    static Cursor decode(String destination, String clientId, byte[] v) {
        try {
            ByteBuffer b = ByteBuffer.wrap(v);
            int version = b.get();
            if (version != VERSION) {
                throw new StoreException("Canal cursor of " + destination + "/" + clientId + ": unknown layout version " + version);
            }
            byte[] file = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(file);
            long position = b.getLong();
            int skip = b.getInt();
            long seen = b.getLong();
            int filterLength = b.getInt();
            if (filterLength < 0 || filterLength > b.remaining()) {
                throw new StoreException("Canal cursor of " + destination + "/" + clientId + ": bad filter length " + filterLength);
            }
            byte[] filter = new byte[filterLength];
            b.get(filter);
            return new Cursor(destination, clientId, new String(file, StandardCharsets.UTF_8), position, skip, seen,
                    new String(filter, StandardCharsets.UTF_8));
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new StoreException("Canal cursor of " + destination + "/" + clientId + " is damaged: " + e, e);
        }
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}
