package dev.binlogrelay.core.rows;

import dev.binlogrelay.core.binlog.BinlogFormatException;
import dev.binlogrelay.core.binlog.Events;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The column codecs on values whose encoding MySQL documents: DECIMAL's example from decimal2bin (1234567890.1234
 * as DECIMAL(14,4)), the temporal packings, binary JSON built by hand per json_binary.h; and malformed input:
 * each gives a BinlogFormatException naming what it was reading.
 */
class RowsCodecTest {
    private static ByteCursor cursor(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        return new ByteCursor(b, 0, b.length);
    }

    @Test
    void decimalAsDocumentedInDecimal2bin() {
        // strings/decimal.cc: 1234567890.1234 as DECIMAL(14,4) is 81 0D FB 38 D2 04 D2
        assertEquals(new BigDecimal("1234567890.1234"), Decimals.read(cursor("810DFB38D204D2"), 14, 4));
        // and its negation is every byte inverted
        assertEquals(new BigDecimal("-1234567890.1234"), Decimals.read(cursor("7EF204C72DFB2D"), 14, 4));
        assertEquals(new BigDecimal("0.00"), Decimals.read(cursor("8000"), 4, 2));
        assertThrows(BinlogFormatException.class, () -> Decimals.read(cursor("81"), 14, 4));
        assertThrows(BinlogFormatException.class, () -> Decimals.read(cursor("80"), 66, 2));
        // a leading group holding more digits than it may (0xFFFF in a 3..4-digit group)
        assertThrows(BinlogFormatException.class, () -> Decimals.read(cursor("FFFF00"), 4, 0));
    }

    @Test
    void temporalPackings() {
        // DATETIME2(0) 2024-02-29 23:59:59: ((2024*13+2) << 22 | 29 << 17 | 23 << 12 | 59 << 6 | 59) + 2^39
        long ym = 2024L * 13 + 2;
        long v = (ym << 22 | 29L << 17 | 23L << 12 | 59L << 6 | 59L) + 0x8000000000L;
        String hex = String.format("%010x", v);
        assertEquals("2024-02-29 23:59:59", Temporals.datetime2(cursor(hex), 0).toString());
        assertEquals("2024-02-29 23:59:59.12", Temporals.datetime2(cursor(hex + "0c"), 2).toString());
        // TIME2(0) -838:59:59 and TIME2(6) -00:00:01.500000
        long hms = 838L << 12 | 59 << 6 | 59;
        assertEquals("-838:59:59", Temporals.time2(cursor(String.format("%06x", 0x800000 - hms)), 0).toString());
        long packed = 0x800000000000L - ((1L << 24) + 500000);
        assertEquals("-00:00:01.500000", Temporals.time2(cursor(String.format("%012x", packed)), 6).toString());
        assertEquals("2012-03-18", Temporals.date(cursor(String.format("%06x",
                Integer.reverseBytes(2012 << 9 | 3 << 5 | 18) >>> 8))).toString());
        assertThrows(BinlogFormatException.class, () -> Temporals.time2(cursor("800000"), 7));
        assertThrows(BinlogFormatException.class, () -> Temporals.timestamp2(cursor("000000"), 0));
    }

    /**
     * TIME2 bytes a live MySQL 8.0.46 wrote (quoted in osheroff/mysql-binlog-connector-java PR #181 and
     * apache/shardingsphere PR #39674): the negative value is the complement of the whole packed payload.
     */
    @Test
    void negativeTime2AsMysqlWritesIt() {
        assertEquals("-16:08:04", Temporals.time2(cursor("7efdfc"), 0).toString());
        assertEquals("-16:08:04.250", Temporals.time2(cursor("7efdfbf63c"), 3).toString());
        assertEquals("-16:08:04.250000", Temporals.time2(cursor("7efdfbfc2f70"), 6).toString());
        assertEquals("-16:08:04.010123", Temporals.time2(cursor("7efdfbffd875"), 6).toString());
    }

    @Test
    void binaryJson() {
        // small object {"a": [1, true], "bb": "x"}: count 2, size, key entries (offset, length), value entries
        String array = "02" + "0200" + "0a00" + "050100" + "040100"; // [1, true]: all inlined
        // object: 2+2 header, 2*4 key entries, 2*3 value entries = 18; keys "a","bb" at 18, 19; array at 21
        String arrayBody = array.substring(2);
        int arrayAt = 21;
        int stringAt = arrayAt + arrayBody.length() / 2;
        int size = stringAt + 2;
        String obj = "00" + "0200" + String.format("%02x00", size)
                + "1200" + "0100" + "1300" + "0200"
                + "02" + String.format("%02x00", arrayAt) + "0c" + String.format("%02x00", stringAt)
                + "61" + "6262" + arrayBody + "0178";
        byte[] b = HexFormat.of().parseHex(obj);
        assertEquals("{\"a\": [1, true], \"bb\": \"x\"}", JsonBinary.text(b, 0, b.length));
        byte[] scalar = HexFormat.of().parseHex("0b000000000000f83f"); // double 1.5
        assertEquals("1.5", JsonBinary.text(scalar, 0, scalar.length));
        // an object whose size runs past the document, an offset into its own header, an unknown type
        byte[] bad1 = HexFormat.of().parseHex("000100ff00");
        assertThrows(BinlogFormatException.class, () -> JsonBinary.text(bad1, 0, bad1.length));
        byte[] bad2 = HexFormat.of().parseHex("02" + "0100" + "0800" + "020000");
        assertThrows(BinlogFormatException.class, () -> JsonBinary.text(bad2, 0, bad2.length));
        byte[] bad3 = HexFormat.of().parseHex("0e00");
        assertThrows(BinlogFormatException.class, () -> JsonBinary.text(bad3, 0, bad3.length));
    }

    @Test
    void deeplyNestedJsonIsRefused() {
        // [[[[...]]]]: each level a small array of one element at offset 7
        int depth = JsonBinary.MAX_DEPTH + 10;
        byte[] doc = new byte[1 + depth * 7 + 1];
        int p = 0;
        doc[p++] = 0x02;
        for (int i = 0; i < depth; i++) {
            int size = (depth - i) * 7 + 1;
            doc[p++] = 1;
            doc[p++] = 0;
            doc[p++] = (byte) size;
            doc[p++] = (byte) (size >> 8);
            doc[p++] = 0x02;
            doc[p++] = 7;
            doc[p++] = 0;
        }
        doc[p] = 0;
        assertThrows(BinlogFormatException.class, () -> JsonBinary.text(doc, 0, doc.length));
    }

    @Test
    void malformedTableMapsAndRowsAreRefused() {
        RowsFormat mysql = new RowsFormat(0, RowsFormat.Server.MYSQL, 1 << 20);
        // table_id 1, flags, schema "d", table "t", 1 column LONG, no metadata, null bitmap
        byte[] body = HexFormat.of().parseHex("010000000000" + "0000" + "016400" + "017400" + "01" + "03" + "00"
                + "01");
        TableMap t = TableMapDecoder.decode(event(19, body), mysql);
        assertEquals(List.of(3), t.columns().stream().map(Column::type).toList());
        for (int cut = 0; cut < body.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(body, cut);
            assertThrows(BinlogFormatException.class, () -> TableMapDecoder.decode(event(19, part), mysql),
                    "cut at " + cut);
        }
        // unknown column type 99
        byte[] unknown = body.clone();
        unknown[16] = 99;
        assertThrows(BinlogFormatException.class, () -> TableMapDecoder.decode(event(19, unknown), mysql));
        // WRITE_ROWS_V1 of that table: 1 column, present bitmap, null bitmap, 4-byte INT
        byte[] rows = HexFormat.of().parseHex("010000000000" + "0100" + "01" + "01" + "00" + "2a000000");
        assertEquals(42L, RowsDecoder.decode(event(23, rows), t, mysql).rows().get(0).after().get(0));
        for (int cut = 9; cut < rows.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(rows, cut);
            if (cut == 10) {
                continue; // bitmaps and no row: an empty (but well-formed) event
            }
            assertThrows(BinlogFormatException.class, () -> RowsDecoder.decode(event(23, part), t, mysql),
                    "cut at " + cut);
        }
        // a column count that differs from the TABLE_MAP's
        byte[] two = rows.clone();
        two[8] = 2;
        assertThrows(BinlogFormatException.class, () -> RowsDecoder.decode(event(23, two), t, mysql));
    }

    static byte[] event(int type, byte[] body) {
        byte[] e = new byte[Events.HEADER_SIZE + body.length];
        Events.writeHeader(e, 0, type, 1, 0, 0);
        System.arraycopy(body, 0, e, Events.HEADER_SIZE, body.length);
        Events.put32(e, Events.OFFSET_SIZE, e.length);
        return e;
    }
}
