package dev.binlogrelay.server.canal.entry;

import com.alibaba.otter.canal.protocol.CanalEntry;
import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.rows.Column;
import dev.binlogrelay.core.rows.SchemaTracker;
import dev.binlogrelay.core.rows.TableMap;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** EntryStream on events built by hand: transaction entries, XA, DDL, the schema tracker's calls, bad input. */
class EntryStreamTest {
    private static final String FILE = "mariadb-bin.000003";
    private static final long TS = 1_700_000_000L;

    static byte[] fde() {
        byte[] fde = new byte[100];
        byte[] version = "10.11.5-MariaDB-log".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, fde, 21, version.length);
        Events.writeHeader(fde, TS, EventType.FORMAT_DESCRIPTION, 7, 100 + 4, 0);
        return fde; // checksum_alg 0: no CRCs
    }

    static byte[] event(int type, long pos, byte[] body) {
        byte[] e = new byte[Events.HEADER_SIZE + body.length];
        System.arraycopy(body, 0, e, Events.HEADER_SIZE, body.length);
        Events.writeHeader(e, TS, type, 7, pos + e.length, 0);
        return e;
    }

    static byte[] query(long pos, long thread, String db, String sql) {
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        byte[] s = sql.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[13 + d.length + 1 + s.length];
        Events.put32(body, 0, thread);
        body[8] = (byte) d.length;
        System.arraycopy(d, 0, body, 13, d.length);
        System.arraycopy(s, 0, body, 13 + d.length + 1, s.length);
        return event(EventType.QUERY, pos, body);
    }

    static byte[] xid(long pos, long xid) {
        byte[] body = new byte[8];
        Events.put64(body, 0, xid);
        return event(EventType.XID, pos, body);
    }

    /** A tracker that records what it is told. */
    static final class Recording implements SchemaTracker {
        final List<String> queries = new ArrayList<>();

        @Override
        public TableMap complete(TableMap map) {
            return map;
        }

        @Override
        public void onQuery(String database, String sql, String file, long endPosition) {
            queries.add(database + "|" + sql + "|" + file + "|" + endPosition);
        }
    }

    @Test
    void transactionsXaAndDdl() throws Exception {
        Recording tracker = new Recording();
        EntryStream s = new EntryStream(tracker);
        assertTrue(s.accept(FILE, 4, fde()).isEmpty());
        byte[] begin = query(104, 77, "d", "BEGIN");
        CanalEntry.Entry b = s.accept(FILE, 104, begin).get(0);
        assertEquals(CanalEntry.EntryType.TRANSACTIONBEGIN, b.getEntryType());
        assertEquals(77, CanalEntry.TransactionBegin.parseFrom(b.getStoreValue()).getThreadId());
        CanalEntry.Header h = b.getHeader();
        assertEquals(FILE, h.getLogfileName());
        assertEquals(104, h.getLogfileOffset());
        assertEquals(begin.length, h.getEventLength());
        assertEquals(7, h.getServerId());
        assertEquals(TS * 1000, h.getExecuteTime());
        assertEquals(CanalEntry.Type.MYSQL, h.getSourceType());
        assertTrue(h.hasSchemaName() && h.getSchemaName().isEmpty(), "schema set to \"\" as Canal does");
        assertFalse(h.hasEventType(), "a transaction entry has no event type");
        CanalEntry.Entry end = s.accept(FILE, 200, xid(200, -2L)).get(0);
        assertEquals(CanalEntry.EntryType.TRANSACTIONEND, end.getEntryType());
        assertEquals("-2", CanalEntry.TransactionEnd.parseFrom(end.getStoreValue()).getTransactionId(),
                "the xid as Canal's signed long");
        assertEquals("0", CanalEntry.TransactionEnd.parseFrom(s.accept(FILE, 231, query(231, 1, "", "COMMIT")).get(0)
                .getStoreValue()).getTransactionId());

        CanalEntry.Entry xa = s.accept(FILE, 300, query(300, 5, "d", "XA START X'31',X'',1")).get(0);
        assertEquals(CanalEntry.EntryType.TRANSACTIONBEGIN, xa.getEntryType());
        assertEquals(List.of("XA_TYPE=XA START", "XA_XID= X'31',X'',1"), CanalEntry.TransactionBegin
                .parseFrom(xa.getStoreValue()).getPropsList().stream().map(p -> p.getKey() + "=" + p.getValue())
                .toList());
        CanalEntry.Entry xaCommit = s.accept(FILE, 400, query(400, 5, "d", "XA COMMIT X'31',X'',1")).get(0);
        assertEquals(CanalEntry.EntryType.ROWDATA, xaCommit.getEntryType());
        assertEquals(CanalEntry.EventType.XACOMMIT, xaCommit.getHeader().getEventType());

        byte[] ddl = query(500, 5, "d", "ALTER TABLE t ADD COLUMN x INT");
        CanalEntry.Entry alter = s.accept(FILE, 500, ddl).get(0);
        CanalEntry.RowChange rc = CanalEntry.RowChange.parseFrom(alter.getStoreValue());
        assertTrue(rc.getIsDdl());
        assertEquals("ALTER TABLE t ADD COLUMN x INT", rc.getSql());
        assertEquals("d", rc.getDdlSchemaName());
        assertEquals(CanalEntry.EventType.ALTER, alter.getHeader().getEventType());
        assertEquals("t", alter.getHeader().getTableName());
        assertTrue(s.accept(FILE, 600, query(600, 5, "d", "GRANT ALL ON *.* TO u")).isEmpty());
        List<String> expected = new ArrayList<>();
        for (Object[] q : new Object[][] {{104L, "d", "BEGIN"}, {231L, "", "COMMIT"},
                {300L, "d", "XA START X'31',X'',1"}, {400L, "d", "XA COMMIT X'31',X'',1"},
                {500L, "d", "ALTER TABLE t ADD COLUMN x INT"}, {600L, "d", "GRANT ALL ON *.* TO u"}}) {
            long pos = (Long) q[0];
            expected.add(q[1] + "|" + q[2] + "|" + FILE + "|" + (pos + query(pos, 1, (String) q[1], (String) q[2]).length));
        }
        assertEquals(expected, tracker.queries, "the tracker is told of every QUERY event, with the position after it");
    }

    @Test
    void transactionEntriesCanBeLeftOut() {
        EntryStream s = new EntryStream(SchemaTracker.NONE).withoutTransactionEntries();
        s.accept(FILE, 4, fde());
        assertTrue(s.accept(FILE, 104, query(104, 1, "d", "BEGIN")).isEmpty());
        assertTrue(s.accept(FILE, 150, xid(150, 9)).isEmpty());
        assertTrue(s.accept(FILE, 200, query(200, 1, "d", "XA END X'31'")).isEmpty());
        assertEquals(1, s.accept(FILE, 250, query(250, 1, "d", "DROP TABLE t")).size());
    }

    /** MariaDB's QUERY_COMPRESSED: no entry (as Canal), the tracker told of the inflated statement; bad data. */
    @Test
    void compressedStatementsReachTheTrackerOnly() {
        Recording tracker = new Recording();
        EntryStream s = new EntryStream(tracker);
        s.accept(FILE, 4, fde());
        String sql = "CREATE TABLE t (a INT, b VARCHAR(20), c TEXT, d TEXT, e TEXT)";
        byte[] plain = query(104, 1, "d", sql);
        byte[] raw = sql.getBytes(StandardCharsets.UTF_8);
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] z = new byte[256];
        int zn = deflater.deflate(z);
        deflater.end();
        int sqlAt = plain.length - raw.length;
        byte[] body = new byte[sqlAt - Events.HEADER_SIZE + 2 + zn];
        System.arraycopy(plain, Events.HEADER_SIZE, body, 0, sqlAt - Events.HEADER_SIZE);
        int p = sqlAt - Events.HEADER_SIZE;
        body[p] = (byte) 0x81;
        body[p + 1] = (byte) raw.length;
        System.arraycopy(z, 0, body, p + 2, zn);
        byte[] compressed = event(EventType.MARIA_QUERY_COMPRESSED, 104, body);
        assertTrue(s.accept(FILE, 104, compressed).isEmpty(), "Canal gives no entry for it");
        assertEquals(List.of("d|" + sql + "|" + FILE + "|" + (104 + compressed.length)), tracker.queries);
        byte[] bad = compressed.clone();
        bad[Events.HEADER_SIZE + p + 2] ^= 0x55; // corrupt the zlib header
        assertThrows(BinlogFormatException.class, () -> s.accept(FILE, 104, bad));
        byte[] huge = compressed.clone();
        huge[Events.HEADER_SIZE + p] = (byte) 0x84;
        assertThrows(BinlogFormatException.class, () -> s.accept(FILE, 104, huge));
    }

    @Test
    void annotateRowsIsAQueryEntry() throws Exception {
        EntryStream s = new EntryStream(SchemaTracker.NONE);
        s.accept(FILE, 4, fde());
        byte[] annotate = event(EventType.MARIA_ANNOTATE_ROWS, 104, "INSERT INTO t VALUES (1)"
                .getBytes(StandardCharsets.UTF_8));
        CanalEntry.Entry e = s.accept(FILE, 104, annotate).get(0);
        assertEquals(CanalEntry.EventType.QUERY, e.getHeader().getEventType());
        assertEquals("", e.getHeader().getTableName());
        assertEquals("INSERT INTO t VALUES (1)", CanalEntry.RowChange.parseFrom(e.getStoreValue()).getSql());
    }

    @Test
    void badInputGetsAClearError() {
        EntryStream s = new EntryStream(SchemaTracker.NONE);
        BinlogFormatException before = assertThrows(BinlogFormatException.class,
                () -> s.accept(FILE, 104, query(104, 1, "d", "BEGIN")));
        assertTrue(before.getMessage().contains(FILE + ":104"), before.getMessage());
        s.accept(FILE, 4, fde());
        byte[] shortQuery = event(EventType.QUERY, 104, new byte[5]);
        assertThrows(BinlogFormatException.class, () -> s.accept(FILE, 104, shortQuery));
        byte[] overrun = query(104, 1, "d", "BEGIN");
        overrun[Events.HEADER_SIZE + 8] = (byte) 200; // a database name longer than the event
        BinlogFormatException e = assertThrows(BinlogFormatException.class, () -> s.accept(FILE, 104, overrun));
        assertTrue(e.getMessage().contains("overrun"), e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(query(104, 1, "d", "BEGIN"), 30); // its header says more
        BinlogFormatException c = assertThrows(BinlogFormatException.class, () -> s.accept(FILE, 104, cut));
        assertTrue(c.getMessage().contains(FILE + ":104"), c.getMessage());
        assertThrows(RuntimeException.class, () -> s.accept(FILE, 104, new byte[3]));
    }

    /** What the tracker completes (names, key) is what the entries say when the binlog has no FULL metadata. */
    @Test
    void theTrackersDefinitionsNameTheColumns() throws Exception {
        SchemaTracker named = new SchemaTracker() {
            @Override
            public TableMap complete(TableMap map) {
                List<Column> cols = new ArrayList<>();
                for (Column c : map.columns()) {
                    cols.add(new Column(c.index(), c.type(), c.meta(), c.nullable(), "col" + c.index(), c.unsigned(),
                            c.collation(), c.enumValues(), c.setValues(), c.geometryType(), c.index() == 0,
                            c.visible(), c.decimals()));
                }
                return new TableMap(map.tableId(), map.schema(), map.table(), cols, List.of(0), List.of(0), true);
            }

            @Override
            public void onQuery(String database, String sql, String file, long endPosition) {
            }
        };
        Map<Long, byte[]> events = EntryFixturesTest.events(EntryFixturesTest.file(
                "osheroff-mysql-binlog-connector-java/mysql-bin.checksum-none"));
        EntryStream s = new EntryStream(named);
        List<CanalEntry.Column> cols = null;
        for (Map.Entry<Long, byte[]> e : events.entrySet()) {
            for (CanalEntry.Entry entry : s.accept("f", e.getKey(), e.getValue())) {
                if (entry.getEntryType() == CanalEntry.EntryType.ROWDATA
                        && entry.getHeader().getPropsCount() > 0) {
                    CanalEntry.RowData row = CanalEntry.RowChange.parseFrom(entry.getStoreValue()).getRowDatas(0);
                    cols = row.getAfterColumnsCount() > 0 ? row.getAfterColumnsList() : row.getBeforeColumnsList();
                }
            }
        }
        assertTrue(cols != null && !cols.isEmpty(), "rows in the fixture");
        assertEquals("col0", cols.get(0).getName());
        assertTrue(cols.get(0).getIsKey());
        for (int i = 1; i < cols.size(); i++) {
            assertEquals("col" + cols.get(i).getIndex(), cols.get(i).getName());
            assertFalse(cols.get(i).getIsKey());
        }
    }
}
