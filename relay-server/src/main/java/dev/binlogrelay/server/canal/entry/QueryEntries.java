package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.core.binlog.QueryEvent;

import java.util.List;
import java.util.Locale;

/** The entries of QUERY, XID, ANNOTATE_ROWS and ROWS_QUERY events, as Canal's LogEventConvert makes them. */
final class QueryEntries {
    private QueryEntries() {
    }

    /** The entry of a QUERY event, or null (a filtered transaction entry, or a statement Canal gives none for). */
    static CanalEntry.Entry of(Origin o, QueryEvent q, boolean transactions) {
        String sql = q.statement();
        String upper = sql.toUpperCase(Locale.ROOT);
        if (upper.startsWith("XA START")) {
            return transactions ? begin(o, q.threadId(), List.of(Origin.pair("XA_TYPE", "XA START"),
                    Origin.pair("XA_XID", sql.substring("XA START".length())))) : null;
        }
        if (upper.startsWith("XA END")) {
            return transactions ? end(o, 0, List.of(Origin.pair("XA_TYPE", "XA END"),
                    Origin.pair("XA_XID", sql.substring("XA END".length())))) : null;
        }
        if (upper.startsWith("XA COMMIT") || upper.startsWith("XA ROLLBACK")) {
            boolean commit = upper.startsWith("XA COMMIT");
            String kind = commit ? "XA COMMIT" : "XA ROLLBACK";
            CanalEntry.EventType type = commit ? CanalEntry.EventType.XACOMMIT : CanalEntry.EventType.XAROLLBACK;
            CanalEntry.RowChange change = CanalEntry.RowChange.newBuilder().setSql(sql)
                    .addProps(Origin.pair("XA_TYPE", kind))
                    .addProps(Origin.pair("XA_XID", sql.substring(kind.length())))
                    .setEventType(type).build();
            return Origin.entry(o.header("", "", type, 0), CanalEntry.EntryType.ROWDATA, change.toByteString());
        }
        if (upper.endsWith("BEGIN")) {
            return transactions ? begin(o, q.threadId(), List.of()) : null;
        }
        if (upper.endsWith("COMMIT")) {
            return transactions ? end(o, 0, List.of()) : null;
        }
        StatementKind k = StatementKind.of(sql, q.database());
        if (k.type() == null) {
            return null;
        }
        CanalEntry.RowChange.Builder change = CanalEntry.RowChange.newBuilder()
                .setIsDdl(!k.isDml())
                .setSql(sql);
        if (!q.database().isEmpty()) {
            change.setDdlSchemaName(q.database());
        }
        change.setEventType(k.type());
        return Origin.entry(o.header(k.schema(), k.table(), k.type(), 0), CanalEntry.EntryType.ROWDATA,
                change.build().toByteString());
    }

    static CanalEntry.Entry begin(Origin o, long threadId, List<CanalEntry.Pair> props) {
        CanalEntry.TransactionBegin b = CanalEntry.TransactionBegin.newBuilder().setThreadId(threadId)
                .addAllProps(props).build();
        return Origin.entry(o.header("", "", null, 0), CanalEntry.EntryType.TRANSACTIONBEGIN, b.toByteString());
    }

    /** Canal writes the xid as a signed Java long. */
    static CanalEntry.Entry end(Origin o, long xid, List<CanalEntry.Pair> props) {
        CanalEntry.TransactionEnd e = CanalEntry.TransactionEnd.newBuilder().setTransactionId(Long.toString(xid))
                .addAllProps(props).build();
        return Origin.entry(o.header("", "", null, 0), CanalEntry.EntryType.TRANSACTIONEND, e.toByteString());
    }

    /** ANNOTATE_ROWS: the row events' statement (valid UTF-8) as a QUERY entry (schema "", table ""). */
    static CanalEntry.Entry statement(Origin o, com.google.protobuf.ByteString sql) {
        CanalEntry.RowChange change = CanalEntry.RowChange.newBuilder().setSqlBytes(sql)
                .setEventType(CanalEntry.EventType.QUERY).build();
        return Origin.entry(o.header("", "", CanalEntry.EventType.QUERY, 0), CanalEntry.EntryType.ROWDATA,
                change.toByteString());
    }

    /** ANNOTATE_ROWS and ROWS_QUERY: the row events' statement as a QUERY entry (schema "", table as given). */
    static CanalEntry.Entry statement(Origin o, String sql, String table) {
        CanalEntry.RowChange change = CanalEntry.RowChange.newBuilder().setSql(sql)
                .setEventType(CanalEntry.EventType.QUERY).build();
        return Origin.entry(o.header("", table, CanalEntry.EventType.QUERY, 0), CanalEntry.EntryType.ROWDATA,
                change.toByteString());
    }
}
