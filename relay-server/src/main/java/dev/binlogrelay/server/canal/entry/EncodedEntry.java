package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.ByteString;

/**
 * A Canal entry as it goes on the wire: its serialized {@code CanalEntry.Entry}, with the schema and table of its
 * header kept beside it so a client's filter needs no parse. Immutable, so one can be shared by every client that
 * reads it (the {@link EntryCache}).
 */
public record EncodedEntry(String schema, String table, ByteString bytes) {
    /** What a cache counts for one entry beyond its bytes: the record, its ByteString, the two references. */
    static final int OVERHEAD = 96;

    public static EncodedEntry of(CanalEntry.Entry e) {
        CanalEntry.Header h = e.getHeader();
        return new EncodedEntry(h.getSchemaName(), h.getTableName(), e.toByteString());
    }

    /** The memory this entry holds, as a cache counts it. */
    long counted() {
        return bytes.size() + OVERHEAD + 2L * (schema.length() + table.length());
    }
}
