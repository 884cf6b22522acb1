package dev.binlogrelay.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Value layouts of the column families; the key layouts and the overview are in {@link Keys}. */
final class Values {
    /** Meta key of the committed end, written in every group's batch. Keys under "store." are the store's own. */
    static final String META_COMMITTED = "store.committed";
    /** Meta key of the layout version; a store written by a later layout is refused. */
    static final String META_FORMAT = "store.format";
    static final String FORMAT_VERSION = "4";
    /**
     * Layout version 3 stored {@link Chunk}s with their bytes; layout 4 stores a chunk's index in RocksDB and its
     * bytes in {@link EventFiles}, and still reads the chunks of layouts 2 and 3, so those stores are only relabelled.
     */
    static final String FORMAT_VERSION_3 = "3";
    /**
     * Layout version 2 stored one value per event; layout 3 stores {@link Chunk}s and still reads the one-event
     * values of layout 2, so a layout-2 store is only relabelled (see {@link StoreMigration}).
     */
    static final String FORMAT_VERSION_2 = "2";
    /** Layout version 1 kept format descriptions in meta, by file name; {@link StoreMigration} moves them. */
    static final String FORMAT_VERSION_1 = "1";
    /** Meta key of the store's random id, written when the store is created (or first opened by layout 2). */
    static final String META_STORE_ID = "store.id";
    static final String RESERVED_META_PREFIX = "store.";
    /** Meta keys of the purged range (see {@link PurgedRange}), written in the batch of each purge. */
    static final String META_PURGED_PREFIX = "store.purged.";
    static final String META_PURGED_FIRST_FILE = META_PURGED_PREFIX + "first_file";
    static final String META_PURGED_LAST_FILE = META_PURGED_PREFIX + "last_file";
    static final String META_PURGED_FIRST_AVAILABLE = META_PURGED_PREFIX + "first_available";
    static final String META_PURGED_GTID_STATE = META_PURGED_PREFIX + "gtid_state";
    static final String META_PURGED_FILES = META_PURGED_PREFIX + "files";
    static final String META_PURGED_BYTES = META_PURGED_PREFIX + "bytes";

    private Values() {
    }

    // events value of one event: flags (1) | raw event bytes (the upstream's header, body and checksum, untouched);
    // a value of several events is a chunk (see Chunk), read with Chunk.events
    static byte[] event(int flags, byte[] raw) {
        byte[] v = new byte[raw.length + 1];
        v[0] = (byte) flags;
        System.arraycopy(raw, 0, v, 1, raw.length);
        return v;
    }

    /** Writes the events value of {@link #event(int, byte[])} at the buffer's position. */
    static void putEvent(java.nio.ByteBuffer b, int flags, byte[] raw) {
        b.put((byte) flags).put(raw);
    }

    /** Decodes a one-event value (layout 2); {@link Chunk#events} decodes either form. */
    static StoredEvent event(String file, long position, byte[] value) {
        if (value.length < 2 || Chunk.isChunk(value)) {
            throw new StoreException("event value at " + file + ":" + position + " has " + value.length
                    + " bytes" + (value.length < 2 ? "" : " and is a chunk"));
        }
        return new StoredEvent(file, position, Arrays.copyOfRange(value, 1, value.length), value[0] & 0xFF);
    }

    // files value: size (8) | first_position (8) | file name (UTF-8, the rest)
    static byte[] file(BinlogFileInfo f) {
        byte[] name = utf8(f.name());
        byte[] v = new byte[16 + name.length];
        Keys.putLong(v, 0, f.size());
        Keys.putLong(v, 8, f.firstPosition());
        System.arraycopy(name, 0, v, 16, name.length);
        return v;
    }

    static BinlogFileInfo file(long seq, byte[] value) {
        if (value.length <= 16) {
            throw new StoreException("files record #" + seq + " has " + value.length + " bytes, expected more than 16");
        }
        String name = new String(value, 16, value.length - 16, StandardCharsets.UTF_8);
        return new BinlogFileInfo(name, seq, Keys.getLong(value, 0), Keys.getLong(value, 8));
    }

    // gtid value: file_seq (4) | position (8) | server_id (4)
    static byte[] gtid(long fileSeq, long position, long serverId) {
        byte[] v = new byte[16];
        Keys.putInt(v, 0, fileSeq);
        Keys.putLong(v, 4, position);
        Keys.putInt(v, 12, serverId);
        return v;
    }

    static long gtidFileSeq(byte[] value) {
        return Keys.getInt(Keys.checked(value, 16, "gtid index value"), 0);
    }

    static long gtidPosition(byte[] value) {
        return Keys.getLong(Keys.checked(value, 16, "gtid index value"), 4);
    }

    static long gtidServerId(byte[] value) {
        return Keys.getInt(Keys.checked(value, 16, "gtid index value"), 12);
    }

    // meta store.committed: "<file_seq>:<position>" of the offset after the last committed group
    static String committed(long fileSeq, long position) {
        return fileSeq + ":" + position;
    }

    /** Parses {@link #committed}; returns {file_seq, position}. */
    static long[] parseCommitted(String value) {
        int colon = value.indexOf(':');
        try {
            if (colon < 0) {
                throw new NumberFormatException("no ':'");
            }
            return new long[] {Long.parseLong(value.substring(0, colon)), Long.parseLong(value.substring(colon + 1))};
        } catch (NumberFormatException e) {
            throw new StoreException("meta " + META_COMMITTED + " is '" + value + "', expected <file_seq>:<position>", e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
