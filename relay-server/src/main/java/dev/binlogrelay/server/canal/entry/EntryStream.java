package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.rows.SchemaTracker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * PLACEHOLDER of the canal-entries branch's class of the same name (same package, same API), so that the Canal
 * server's protocol, batching, acknowledgement and cursor tests run before that branch is merged; the merge replaces
 * this file with the real one. It emits transaction begin and end entries only: TRANSACTIONBEGIN at a MariaDB GTID
 * event that opens a transaction or a QUERY "BEGIN", TRANSACTIONEND at an XID event or a QUERY "COMMIT", each with
 * the header fields logfileName, logfileOffset, executeTime, eventLength and serverId.
 *
 * <p>One per reader stream, not thread-safe.
 */
public final class EntryStream {
    private static final int QUERY = 2;
    private static final int XID = 16;
    private static final int MARIA_GTID = 162;
    private static final int MARIA_GTID_STANDALONE = 1;

    private final SchemaTracker schemas;

    public EntryStream(SchemaTracker schemas) {
        this.schemas = Objects.requireNonNull(schemas, "schemas");
    }

    /**
     * The next stored event (bytes exactly as stored) at (file, position); the first event fed is the file's
     * FORMAT_DESCRIPTION. Returns the entries this event completes, in order (often none).
     */
    public List<CanalEntry.Entry> accept(String file, long position, byte[] event) {
        if (event.length < Events.HEADER_SIZE) {
            return List.of();
        }
        int type = Events.type(event);
        if (type == MARIA_GTID && event.length > Events.HEADER_SIZE + 12
                && (event[Events.HEADER_SIZE + 12] & MARIA_GTID_STANDALONE) == 0) {
            return List.of(entry(CanalEntry.EntryType.TRANSACTIONBEGIN, file, position, event));
        }
        if (type == XID) {
            return List.of(entry(CanalEntry.EntryType.TRANSACTIONEND, file, position, event));
        }
        if (type == QUERY) {
            String q = queryStart(event);
            if (q.startsWith("BEGIN")) {
                return List.of(entry(CanalEntry.EntryType.TRANSACTIONBEGIN, file, position, event));
            }
            if (q.startsWith("COMMIT")) {
                return List.of(entry(CanalEntry.EntryType.TRANSACTIONEND, file, position, event));
            }
        }
        return List.of();
    }

    /** The first bytes of a QUERY event's statement (header, 13 fixed bytes, status variables, database, NUL). */
    private static String queryStart(byte[] e) {
        int at = Events.HEADER_SIZE;
        if (e.length < at + 13) {
            return "";
        }
        int dbLength = e[at + 8] & 0xFF;
        int statusLength = (e[at + 11] & 0xFF) | (e[at + 12] & 0xFF) << 8;
        int start = at + 13 + statusLength + dbLength + 1;
        if (start >= e.length) {
            return "";
        }
        return new String(e, start, Math.min(6, e.length - start), StandardCharsets.US_ASCII);
    }

    private CanalEntry.Entry entry(CanalEntry.EntryType type, String file, long position, byte[] event) {
        CanalEntry.Header header = CanalEntry.Header.newBuilder()
                .setVersion(1)
                .setLogfileName(file)
                .setLogfileOffset(position)
                .setServerId(Events.serverId(event))
                .setExecuteTime(Events.timestamp(event) * 1000)
                .setEventLength(event.length)
                .setSourceType(CanalEntry.Type.MYSQL)
                .build();
        return CanalEntry.Entry.newBuilder().setHeader(header).setEntryType(type).build();
    }
}
