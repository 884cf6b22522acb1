package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.ByteString;

/**
 * Where an entry comes from, as its header says it: the binlog file, the event's start offset and length, and the
 * event's own timestamp and server id. An event inside a MySQL TRANSACTION_PAYLOAD has the payload's offset and
 * length (as Canal gives it: a client's position must be a real event's) and its own timestamp and server id.
 */
record Origin(String file, long offset, long length, long timestamp, long serverId) {
    /** Canal's Header.version. */
    static final int VERSION = 1;

    /**
     * Canal's header: version, file, offset, server id, "UTF-8", execute time in ms, source MYSQL, event length,
     * then what is given (a null field is left unset, as Canal does) and a "rowsCount" prop when rows > 0.
     */
    CanalEntry.Header header(String schema, String table, CanalEntry.EventType type, int rows) {
        CanalEntry.Header.Builder h = CanalEntry.Header.newBuilder()
                .setVersion(VERSION)
                .setLogfileName(file)
                .setLogfileOffset(offset)
                .setServerId(serverId)
                .setServerenCode("UTF-8")
                .setExecuteTime(timestamp * 1000L)
                .setSourceType(CanalEntry.Type.MYSQL);
        if (type != null) {
            h.setEventType(type);
        }
        if (schema != null) {
            h.setSchemaName(schema);
        }
        if (table != null) {
            h.setTableName(table);
        }
        h.setEventLength(length);
        if (rows > 0) {
            h.addProps(pair("rowsCount", Integer.toString(rows)));
        }
        return h.build();
    }

    static CanalEntry.Entry entry(CanalEntry.Header header, CanalEntry.EntryType type, ByteString value) {
        return CanalEntry.Entry.newBuilder().setHeader(header).setEntryType(type).setStoreValue(value).build();
    }

    static CanalEntry.Pair pair(String key, String value) {
        return CanalEntry.Pair.newBuilder().setKey(key).setValue(value).build();
    }
}
