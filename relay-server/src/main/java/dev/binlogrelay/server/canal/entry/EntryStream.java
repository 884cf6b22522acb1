package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import com.google.protobuf.ByteString;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.binlog.QueryEvent;
import dev.binlogrelay.core.binlog.RowsEvents;
import dev.binlogrelay.core.rows.RowsEvent;
import dev.binlogrelay.core.rows.RowsFormat;
import dev.binlogrelay.core.rows.RowsStream;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.core.rows.TransactionPayload;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * A stored binlog, event by event, as the Canal entries a Canal 1.1.x server makes of it (its LogEventConvert):
 * <pre>
 * QUERY "BEGIN" (any statement ending so)  TRANSACTIONBEGIN  TransactionBegin{threadId}
 * QUERY "COMMIT", XID                      TRANSACTIONEND    TransactionEnd{transactionId: xid, "0" for COMMIT}
 * QUERY "XA START/END"                     TRANSACTIONBEGIN/END with props XA_TYPE, XA_XID
 * QUERY "XA COMMIT/ROLLBACK"               ROWDATA  XACOMMIT/XAROLLBACK with the sql and those props
 * QUERY, another statement                 ROWDATA  RowChange{isDdl (not INSERT/UPDATE/DELETE), sql, ddlSchemaName}
 *                                          typed and named by {@link StatementKind} (some statements give none)
 * WRITE/UPDATE/DELETE rows (v1, v2, MariaDB compressed), PARTIAL_UPDATE
 *                                          ROWDATA  INSERT/UPDATE/DELETE ({@link RowEntries}), prop rowsCount
 * ANNOTATE_ROWS (MariaDB), ROWS_QUERY (MySQL)  ROWDATA  QUERY with the statement as sql
 * QUERY_COMPRESSED (MariaDB)               nothing (as Canal), but the schema tracker is told of it
 * TRANSACTION_PAYLOAD (MySQL)              the entries of the events inside it, at the payload's position
 * anything else (GTID, ROTATE, FORMAT_DESCRIPTION, TABLE_MAP ...)  nothing
 * </pre>
 * Every header has version 1, the file, the event's start offset and length, server id, "UTF-8", the event's
 * timestamp in milliseconds and source type MYSQL. Transaction begin/end entries have schema and table "" and no
 * event type. The entries' GTID fields (Canal fills them only in its GTID mode) are left unset.
 *
 * <p>Rows are decoded by {@code core.rows}; {@code schemas} completes each TABLE_MAP with the table's definition
 * in force (names, key, signedness, charsets when the primary wrote no FULL metadata; the declared types that give
 * {@code mysqlType} its display widths), is told of every QUERY event and of every event's position ({@code
 * SchemaTracker.reach}: a snapshot recorded later takes effect there, so the cache's entries are the same whichever
 * stream decoded them). A reader gets the schema history's
 * tracker positioned where it starts ({@code SchemaHistory.trackerAt}). A column whose name nobody knows has no
 * name (Canal without a table definition does the same).
 *
 * <p>One per reader stream; not thread-safe. Feed every event in order from the file's FORMAT_DESCRIPTION on.
 */
public final class EntryStream {
    private final SchemaTracker schemas;
    private final RowsStream rows;
    private ZoneId zone = ZoneId.systemDefault();
    private RowEntries rowEntries = new RowEntries(zone);
    private boolean transactions = true;
    private boolean widths = true;
    private EntryCache cache;
    /**
     * The current statement's TABLE_MAPs, not decoded yet: a stream decodes them only when it decodes one of the
     * statement's rows events itself, not when the cache has the rows event's entries.
     */
    private final List<byte[]> tableMaps = new ArrayList<>();

    public EntryStream(SchemaTracker schemas) {
        this(schemas, RowsFormat.DEFAULT_MAX_INFLATED);
    }

    /** @param maxInflatedBytes bound on a decompressed payload or MariaDB compressed rows event */
    public EntryStream(SchemaTracker schemas, int maxInflatedBytes) {
        this.schemas = schemas;
        this.rows = new RowsStream(maxInflatedBytes).withDefinitions(schemas::complete);
    }

    /** TIMESTAMP values as a session in {@code zone} sees them (Canal: its JVM's default zone; so is ours). */
    public EntryStream withTimeZone(ZoneId zone) {
        this.zone = zone;
        this.rowEntries = new RowEntries(zone);
        return this;
    }

    /**
     * Takes the entries of rows events from {@code cache} (shared with the other streams over the same store, whose
     * decoding must be this one's: the same schema history and time zone), decoding and adding those it lacks.
     */
    public EntryStream withCache(EntryCache cache) {
        this.cache = cache;
        return this;
    }

    /** Leaves out TRANSACTIONBEGIN and TRANSACTIONEND entries (XA ones too). */
    public EntryStream withoutTransactionEntries() {
        this.transactions = false;
        return this;
    }

    /**
     * The next stored event (bytes exactly as stored: header, body, checksum if any) found at (file, position).
     * The first event fed is the file's FORMAT_DESCRIPTION (the caller feeds it when it starts mid-file).
     * Returns the entries this event completes, in order (often none).
     *
     * @throws BinlogFormatException when the event cannot be read (the reader's stream cannot go on); the message
     *                               names the file and position
     */
    public List<CanalEntry.Entry> accept(String file, long position, byte[] event) {
        schemas.reach(file, position);
        try {
            return entries(file, position, event);
        } catch (BinlogFormatException e) {
            throw named(file, position, e);
        }
    }

    /**
     * As {@link #accept}, the entries serialized; a rows event's from the cache when there is one ({@link
     * #withCache}).
     */
    public List<EncodedEntry> encoded(String file, long position, byte[] event) {
        Events.checkHeader(event);
        int type = Events.type(event);
        boolean isRows = RowsEvents.isRows(type);
        if (cache == null || !(isRows || type == EventType.MARIA_ANNOTATE_ROWS) || rows.format() == null) {
            return encode(accept(file, position, event));
        }
        schemas.reach(file, position); // a snapshot reached takes effect before the cache's entries are taken
        List<EncodedEntry> out = cache.get(new EntryCache.Key(file, position), () -> encode(accept(file, position, event)));
        if (isRows) {
            endOfStatement(file, position, event);
        }
        return out;
    }

    /** After a rows event whose entries may have come from the cache: a statement's last one ends its TABLE_MAPs. */
    private void endOfStatement(String file, long position, byte[] event) {
        boolean within;
        try {
            within = RowsEvents.isRowsWithinStatement(event);
        } catch (IllegalArgumentException e) {
            throw new BinlogFormatException("event at " + file + ":" + position + ": " + e.getMessage());
        }
        if (!within) { // the statement's end, as if this stream had decoded it
            tableMaps.clear();
            rows.forgetTables();
        }
    }

    /**
     * As {@link #encoded}, with a rows event's entries made in two parts when there is a cache: its values are
     * decoded now, in the stream's order (TABLE_MAPs, schema history); Canal's formatting and encoding, a pure
     * function of those values and most of the work, is left to the returned {@link Deferred} (which the caller hands
     * to a worker, or runs when it needs the entries). Any other event's entries are made now.
     */
    public Deferred encodedLater(String file, long position, byte[] event) {
        Events.checkHeader(event);
        int type = Events.type(event);
        if (cache == null || !RowsEvents.isRows(type) || rows.format() == null) {
            return Deferred.done(encoded(file, position, event));
        }
        schemas.reach(file, position); // a snapshot reached takes effect before the cache's entries are taken
        Deferred d = cache.later(new EntryCache.Key(file, position), () -> rowsLater(file, position, event));
        endOfStatement(file, position, event);
        return d;
    }

    /** Decodes a rows event's values now; returns what makes its entries from them (thread-safe, runs once). */
    private java.util.function.Supplier<List<EncodedEntry>> rowsLater(String file, long position, byte[] event) {
        List<RowsEvent> decoded;
        Origin origin;
        try {
            int bodyEnd = event.length - rows.format().checksumSize();
            if (Events.size(event) != event.length || bodyEnd < Events.HEADER_SIZE) {
                throw new BinlogFormatException(EventType.name(Events.type(event)) + " at " + file + ":" + position
                        + " holds " + event.length + " bytes, its header says " + Events.size(event));
            }
            origin = new Origin(file, position, event.length, Events.timestamp(event), Events.serverId(event));
            tableMaps();
            decoded = rows.accept(event);
        } catch (BinlogFormatException e) {
            throw named(file, position, e);
        }
        RowEntries made = rowEntries;
        boolean w = widths;
        return () -> {
            try {
                List<EncodedEntry> out = new ArrayList<>(decoded.size());
                for (RowsEvent r : decoded) {
                    out.add(made.encoded(origin, r, w));
                }
                return out;
            } catch (BinlogFormatException e) {
                throw named(file, position, e);
            }
        };
    }

    private static BinlogFormatException named(String file, long position, BinlogFormatException e) {
        String at = file + ":" + position;
        if (e.getMessage() != null && e.getMessage().contains(at)) {
            return e;
        }
        BinlogFormatException named = new BinlogFormatException("event at " + at + ": " + e.getMessage());
        named.initCause(e);
        return named;
    }

    private static List<EncodedEntry> encode(List<CanalEntry.Entry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        List<EncodedEntry> out = new ArrayList<>(entries.size());
        for (CanalEntry.Entry e : entries) {
            out.add(EncodedEntry.of(e));
        }
        return out;
    }

    /** Decodes the statement's TABLE_MAPs held back so far, before one of its rows events is decoded. */
    private void tableMaps() {
        for (byte[] t : tableMaps) {
            rows.accept(t);
        }
        tableMaps.clear();
    }

    private List<CanalEntry.Entry> entries(String file, long position, byte[] event) {
        Events.checkHeader(event);
        int type = Events.type(event);
        List<CanalEntry.Entry> out = new ArrayList<>(1);
        if (type == EventType.FORMAT_DESCRIPTION) {
            rows.accept(event);
            tableMaps.clear();
            widths = displayWidths(FormatDescription.serverVersion(event));
            return out;
        }
        RowsFormat format = rows.format();
        if (format == null) {
            throw new BinlogFormatException(EventType.name(type) + " at " + file + ":" + position
                    + " before any format description");
        }
        int bodyEnd = event.length - format.checksumSize();
        if (Events.size(event) != event.length || bodyEnd < Events.HEADER_SIZE) {
            throw new BinlogFormatException(EventType.name(type) + " at " + file + ":" + position + " holds "
                    + event.length + " bytes, its header says " + Events.size(event));
        }
        Origin origin = new Origin(file, position, event.length, Events.timestamp(event), Events.serverId(event));
        if (type == EventType.TABLE_MAP) {
            if (tableMaps.size() >= RowsStream.MAX_TABLES) {
                throw new BinlogFormatException("more than " + RowsStream.MAX_TABLES + " TABLE_MAPs in one statement");
            }
            tableMaps.add(event);
        } else if (RowsEvents.isRows(type) || type == EventType.PARTIAL_UPDATE_ROWS) {
            tableMaps();
            for (RowsEvent r : rows.accept(event)) {
                out.add(rowEntries.entry(origin, r, widths));
            }
        } else if (type == EventType.TRANSACTION_PAYLOAD) {
            tableMaps();
            Iterator<RowsEvent> decoded = rows.accept(event).iterator();
            for (byte[] inner : TransactionPayload.events(event, format)) {
                Origin o = new Origin(file, position, event.length, Events.timestamp(inner), Events.serverId(inner));
                int t = Events.type(inner);
                if (RowsEvents.isRows(t) || t == EventType.PARTIAL_UPDATE_ROWS) {
                    if (decoded.hasNext()) {
                        out.add(rowEntries.entry(o, decoded.next(), widths));
                    }
                } else {
                    other(o, t, inner, inner.length, position + event.length, out);
                }
            }
        } else {
            other(origin, type, event, bodyEnd, position + event.length, out);
        }
        return out;
    }

    private void other(Origin o, int type, byte[] e, int bodyEnd, long endPosition, List<CanalEntry.Entry> out) {
        switch (type) {
            case EventType.QUERY -> {
                QueryEvent q = QueryEvent.read(e, bodyEnd, rows.format().maxInflatedBytes());
                schemas.onQuery(q.database(), q.statement(), o.file(), endPosition);
                CanalEntry.Entry entry = QueryEntries.of(o, q, transactions);
                if (entry != null) {
                    out.add(entry);
                }
            }
            case EventType.MARIA_QUERY_COMPRESSED -> {
                // Canal gives no entry for it; the schema tracker must still learn of a DDL
                QueryEvent q = QueryEvent.read(e, bodyEnd, rows.format().maxInflatedBytes());
                schemas.onQuery(q.database(), q.statement(), o.file(), endPosition);
            }
            case EventType.XID -> {
                if (transactions) {
                    out.add(QueryEntries.end(o, xid(e, bodyEnd), List.of()));
                }
            }
            case EventType.MARIA_ANNOTATE_ROWS -> out.add(QueryEntries.statement(o, utf8(e, Events.HEADER_SIZE, bodyEnd)));
            case EventType.ROWS_QUERY -> {
                int from = Math.min(Events.HEADER_SIZE + 1, bodyEnd);
                String sql = new String(e, from, bodyEnd - from, StandardCharsets.UTF_8);
                StatementKind k = StatementKind.of(sql, null);
                out.add(QueryEntries.statement(o, sql, k.table()));
            }
            default -> {
            }
        }
    }

    /**
     * Text as protobuf's UTF-8: the bytes themselves when they are valid UTF-8 (no decode to a String and encode
     * back: an INSERT's statement can be most of its binlog), else with Java's replacements ({@link Utf8Text}).
     */
    private static ByteString utf8(byte[] b, int from, int to) {
        return Utf8Text.of(b, from, to);
    }

    /** MariaDB and MySQL before 8.0.19 print integer display widths ("int(11)"); later MySQL does not. */
    static boolean displayWidths(String serverVersion) {
        String v = serverVersion.toLowerCase(Locale.ROOT);
        if (v.contains("mariadb")) {
            return true;
        }
        String[] p = v.split("[^0-9]+");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            int patch = p.length > 2 ? Integer.parseInt(p[2]) : 0;
            return major < 8 || (major == 8 && minor == 0 && patch < 19);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException unknown) {
            return true;
        }
    }

    /** The xid of an XID event (its 8-byte body). */
    private static long xid(byte[] e, int bodyEnd) {
        if (bodyEnd - Events.HEADER_SIZE < 8) {
            throw new BinlogFormatException("XID event of " + e.length + " bytes has no xid");
        }
        return Events.u64(e, Events.HEADER_SIZE);
    }
}
