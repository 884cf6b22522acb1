package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.RowsEvents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the rows of a binlog read in order, on demand: feed it every event from the format description on, and
 * it keeps what decoding needs between events (the format, the TABLE_MAPs of the current statement) and returns
 * the decoded rows events. A TRANSACTION_PAYLOAD's events are decoded as if they stood in its place. Not
 * thread-safe: one per reader.
 *
 * <p>TABLE_MAPs are forgotten at each statement's end (STMT_END_F), as servers re-send them for every statement;
 * at most {@link #MAX_TABLES} are held at once.
 */
public final class RowsStream {
    public static final int MAX_TABLES = 65_536;

    private final Map<Long, TableMap> tables = new HashMap<>();
    private final int maxInflated;
    private RowsFormat format;
    private java.util.function.UnaryOperator<TableMap> definitions = java.util.function.UnaryOperator.identity();

    /** A stream whose first event will be the format description. */
    public RowsStream(int maxInflatedBytes) {
        this.maxInflated = maxInflatedBytes;
    }

    /** A stream that starts after its format description, known as {@code format}. */
    public RowsStream(RowsFormat format) {
        this.format = format;
        this.maxInflated = format.maxInflatedBytes();
    }

    /**
     * What this stream learns about a table besides its TABLE_MAP, applied to each one it decodes: e.g. the
     * fractional digits of MariaDB's old-format temporal columns ({@link TableMap#withDecimals}), from the table's
     * definition at that position.
     */
    public RowsStream withDefinitions(java.util.function.UnaryOperator<TableMap> definitions) {
        this.definitions = definitions;
        return this;
    }

    public RowsFormat format() {
        return format;
    }

    /** The TABLE_MAP in force for {@code tableId}, or null. */
    public TableMap table(long tableId) {
        return tables.get(tableId);
    }

    /**
     * Forgets the TABLE_MAPs, as the end of a statement does: for a caller that did not feed a statement's last rows
     * event (it had that event's result from elsewhere).
     */
    public void forgetTables() {
        tables.clear();
    }

    /** Feeds the next event; returns the rows events it holds (none for most events). */
    public List<RowsEvent> accept(byte[] event) {
        List<RowsEvent> out = new ArrayList<>();
        accept(event, format, out, false);
        return out;
    }

    private void accept(byte[] event, RowsFormat fmt, List<RowsEvent> out, boolean inPayload) {
        if (event.length < Events.HEADER_SIZE) {
            throw new BinlogFormatException("event of " + event.length + " bytes is shorter than its header");
        }
        int type = Events.type(event);
        if (type == EventType.FORMAT_DESCRIPTION && !inPayload) {
            format = RowsFormat.of(event, maxInflated);
            tables.clear();
            return;
        }
        if (fmt == null) {
            throw new BinlogFormatException(EventType.name(type) + " before any format description");
        }
        if (type == EventType.TABLE_MAP) {
            TableMap t = definitions.apply(TableMapDecoder.decode(event, fmt));
            if (tables.size() >= MAX_TABLES && !tables.containsKey(t.tableId())) {
                throw new BinlogFormatException("more than " + MAX_TABLES + " TABLE_MAPs in one statement");
            }
            tables.put(t.tableId(), t);
        } else if (RowsDecoder.isRows(type)) {
            long id = RowsDecoder.tableId(event, fmt);
            TableMap t = tables.get(id);
            if (t == null) {
                throw new BinlogFormatException(EventType.name(type) + " for table id " + id
                        + " without a TABLE_MAP before it");
            }
            RowsEvent r = RowsDecoder.decode(event, t, fmt);
            out.add(r);
            if ((r.flags() & RowsEvents.STMT_END_F) != 0) {
                tables.clear();
            }
        } else if (type == EventType.TRANSACTION_PAYLOAD && !inPayload) {
            RowsFormat inner = new RowsFormat(0, fmt.server(), fmt.maxInflatedBytes());
            for (byte[] e : TransactionPayload.events(event, fmt)) {
                accept(e, inner, out, true);
            }
        }
    }
}
