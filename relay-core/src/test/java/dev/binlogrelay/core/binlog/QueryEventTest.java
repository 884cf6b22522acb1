package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The one QUERY layout reader: database, statement, thread id, MySQL's DDL xid, MariaDB's compressed statements;
 * events cut anywhere are refused with {@link BinlogFormatException}, never another exception.
 */
class QueryEventTest {
    /** A QUERY event as the servers lay it out (see {@link QueryEvent}), with {@code status} as its status variables. */
    static byte[] query(int type, long thread, String db, byte[] status, byte[] statement, boolean crc) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[Events.HEADER_SIZE]);
        b.writeBytes(new byte[] {(byte) thread, (byte) (thread >> 8), (byte) (thread >> 16), (byte) (thread >> 24)});
        b.writeBytes(new byte[4]);                               // exec time
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        b.write(d.length);
        b.writeBytes(new byte[2]);                               // error code
        b.write(status.length);
        b.write(status.length >> 8);
        b.writeBytes(status);
        b.writeBytes(d);
        b.write(0);
        b.writeBytes(statement);
        if (crc) {
            b.writeBytes(new byte[4]);
        }
        byte[] e = b.toByteArray();
        e[Events.OFFSET_TYPE] = (byte) type;
        return e;
    }

    static byte[] query(String db, String sql, int statusVars, boolean crc) {
        return query(EventType.QUERY, 7, db, new byte[statusVars], sql.getBytes(StandardCharsets.UTF_8), crc);
    }

    @Test
    void databaseStatementAndThread() {
        QueryEvent q = QueryEvent.read(query("shop", "ALTER TABLE t ADD c int", 7, true), ChecksumAlgorithm.CRC32, 1024);
        assertEquals(new QueryEvent(7, "shop", "ALTER TABLE t ADD c int", -1), q);
        assertEquals(new QueryEvent(7, "", "DROP TABLE é", -1),
                QueryEvent.read(query("", "DROP TABLE é", 0, false), ChecksumAlgorithm.NONE, 1024));
    }

    @Test
    void mysqlDdlXidAmongTheStatusVariables() {
        // Q_FLAGS2 (0: 4 bytes), Q_SQL_MODE (1: 8 bytes), Q_DDL_LOGGED_WITH_XID (17: 8 bytes, little-endian)
        byte[] status = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 17, 42, 1, 0, 0, 0, 0, 0, 0};
        QueryEvent q = QueryEvent.read(query(EventType.QUERY, 1, "d", status, "DROP TABLE t".getBytes(StandardCharsets.UTF_8),
                true), ChecksumAlgorithm.CRC32, 1024);
        assertEquals(298, q.ddlXid());
    }

    @Test
    void mariaDbCompressedStatementInflatesWithinItsBound() {
        byte[] sql = "CREATE TABLE t (id int primary key, name varchar(10))".getBytes(StandardCharsets.UTF_8);
        byte[] e = query(EventType.MARIA_QUERY_COMPRESSED, 3, "shop", new byte[0], compressed(sql), true);
        assertEquals(new String(sql, StandardCharsets.UTF_8), QueryEvent.read(e, ChecksumAlgorithm.CRC32, 1024).statement());
        BinlogFormatException tooLong = assertThrows(BinlogFormatException.class,
                () -> QueryEvent.read(e, ChecksumAlgorithm.CRC32, sql.length - 1));
        assertEquals(true, tooLong.getMessage().contains("limit"), tooLong.getMessage());
    }

    @Test
    void cutEventsAreRefusedOrReadUpToTheirEnd() {
        byte[] e = query("shop", "BEGIN", 40, true);
        int statement = Events.HEADER_SIZE + 13 + 40 + 4 + 1;
        for (int n = Events.HEADER_SIZE; n < e.length; n++) {
            byte[] cut = Arrays.copyOf(e, n);
            if (n < statement + 4) { // no room for the statement before the CRC
                assertEquals(-1, QueryEvent.statementStart(cut, n - 4), "cut at " + n);
                assertThrows(BinlogFormatException.class, () -> QueryEvent.read(cut, ChecksumAlgorithm.CRC32, 1024), "cut at " + n);
            } else {
                assertEquals("BEGIN".substring(0, n - statement - 4), QueryEvent.read(cut, ChecksumAlgorithm.CRC32, 1024).statement(),
                        "cut at " + n);
            }
        }
        byte[] compressed = query(EventType.MARIA_QUERY_COMPRESSED, 3, "", new byte[0], compressed(new byte[300]), false);
        for (int n = Events.HEADER_SIZE; n < compressed.length; n++) {
            byte[] cut = Arrays.copyOf(compressed, n);
            assertThrows(BinlogFormatException.class, () -> QueryEvent.read(cut, ChecksumAlgorithm.NONE, 1024), "cut at " + n);
        }
    }

    /** MariaDB's compressed statement: 0x80 | n, the length in n big-endian bytes, zlib data. */
    private static byte[] compressed(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[data.length + 64];
        int n = d.deflate(buf);
        d.end();
        byte[] out = new byte[3 + n];
        out[0] = (byte) 0x82;
        out[1] = (byte) (data.length >> 8);
        out[2] = (byte) data.length;
        System.arraycopy(buf, 0, out, 3, n);
        return out;
    }
}
