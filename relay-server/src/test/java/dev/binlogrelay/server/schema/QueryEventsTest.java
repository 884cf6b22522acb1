package dev.binlogrelay.server.schema;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A QUERY event's default database and statement, with and without a CRC; short events give null, never an exception. */
class QueryEventsTest {
    /** A QUERY event as the servers lay it out (see {@link QueryEvents}), with {@code statusVars} bytes of status. */
    static byte[] query(String db, String sql, int statusVars, boolean crc) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[Events.HEADER_SIZE]);
        b.writeBytes(new byte[8]);                               // thread id, exec time
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        b.write(d.length);
        b.writeBytes(new byte[2]);                               // error code
        b.write(statusVars);
        b.write(0);
        b.writeBytes(new byte[statusVars]);
        b.writeBytes(d);
        b.write(0);
        b.writeBytes(sql.getBytes(StandardCharsets.UTF_8));
        if (crc) {
            b.writeBytes(new byte[4]);
        }
        byte[] e = b.toByteArray();
        e[Events.OFFSET_TYPE] = (byte) EventType.QUERY;
        return e;
    }

    @Test
    void databaseAndStatement() {
        QueryEvents.Query q = QueryEvents.parse(query("shop", "ALTER TABLE t ADD c int", 7, true), ChecksumAlgorithm.CRC32);
        assertEquals(new QueryEvents.Query("shop", "ALTER TABLE t ADD c int"), q);
        assertEquals(new QueryEvents.Query("", "DROP TABLE é"),
                QueryEvents.parse(query("", "DROP TABLE é", 0, false), ChecksumAlgorithm.NONE));
    }

    @Test
    void shortEventsGiveNull() {
        byte[] e = query("shop", "BEGIN", 40, true);
        int statement = Events.HEADER_SIZE + 13 + 40 + 4 + 1;
        for (int n = 0; n < e.length; n++) {
            byte[] cut = Arrays.copyOf(e, n);
            QueryEvents.Query q = n < Events.HEADER_SIZE ? null : QueryEvents.parse(cut, ChecksumAlgorithm.CRC32);
            if (n < statement + 4) {
                assertNull(q, "cut at " + n); // no room for the statement before the CRC
            } else {
                assertEquals("BEGIN".substring(0, n - statement - 4), q.sql(), "cut at " + n);
            }
        }
    }
}
