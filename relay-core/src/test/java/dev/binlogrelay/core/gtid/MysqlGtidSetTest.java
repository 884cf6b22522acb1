package dev.binlogrelay.core.gtid;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MysqlGtidSetTest {
    /** PREVIOUS_GTIDS body of the MySQL 9.6 fixture binlog_transaction_with_GTID_TAG.000001 (CRC left out). */
    private static final String TAGGED_9_6 = "010200000000000155778904029911f1b1b84ef0c4956feb000100000000000000"
            + "01000000000000000e0000000000000055778904029911f1b1b84ef0c4956feb0a6d797461670100000000000000"
            + "01000000000000000300000000000000";
    /** PREVIOUS_GTIDS body of binlog_transaction_previous_GTID_no_tag.000001 (MySQL 8.0.40). */
    private static final String UNTAGGED_8_0 = "0100000000000000b9b88c66075511f198994a9da94c4d7101000000000000000100000000000000"
            + "0300000000000000";

    private static MysqlGtidSet decodeHex(String hex) {
        return MysqlGtidSet.decode(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
    }

    private static String encodeHex(MysqlGtidSet set) {
        ByteBuf out = Unpooled.buffer();
        set.encode(out);
        assertEquals(set.encodedSize(), out.readableBytes());
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test
    void decodesAndReencodesRecordedSetsByteForByte() {
        MysqlGtidSet tagged = decodeHex(TAGGED_9_6);
        assertEquals("55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2", tagged.toString());
        assertEquals(TAGGED_9_6, encodeHex(tagged));
        MysqlGtidSet untagged = decodeHex(UNTAGGED_8_0);
        assertEquals("b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2", untagged.toString());
        assertEquals(UNTAGGED_8_0, encodeHex(untagged));
    }

    @Test
    void textRoundTripMergesAndSorts() {
        MysqlGtidSet s = MysqlGtidSet.parse("3E11FA47-71CA-11E1-9E33-C80AA9429562:7:1-5:6, 2174b383-5441-11e8-b90a-c80aa9429562:3");
        assertEquals("2174b383-5441-11e8-b90a-c80aa9429562:3,3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7", s.toString());
        assertEquals(s, MysqlGtidSet.parse(s.toString()));
        assertEquals(s, decodeHex(encodeHex(s)));
    }

    @Test
    void containsAndWith() {
        UUID u = UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
        MysqlGtidSet.Tsid t = new MysqlGtidSet.Tsid(u, "");
        MysqlGtidSet s = MysqlGtidSet.parse(u + ":1-3:5");
        assertTrue(s.contains(t, 2));
        assertFalse(s.contains(t, 4));
        assertFalse(s.contains(new MysqlGtidSet.Tsid(u, "other"), 2));
        assertEquals(u + ":1-5", s.with(t, 4).toString());
        assertTrue(MysqlGtidSet.EMPTY.isEmpty());
        assertEquals("0000000000000000", encodeHex(MysqlGtidSet.EMPTY));
    }

    /**
     * The binary form can name a source with {@code n_intervals = 0} (ReplicationCommandFuzzTest found one in a
     * COM_BINLOG_DUMP_GTID): it holds no transaction, so it is dropped, as MySQL's text and binary forms leave it
     * out; otherwise its text form would be a bare UUID that {@link MysqlGtidSet#parse} refuses.
     */
    @Test
    void aSourceWithoutIntervalsHoldsNothingAndIsDropped() {
        String noIntervals = "3e11fa4771ca11e19e33c80aa9429562" + "0000000000000000";
        MysqlGtidSet alone = decodeHex("0100000000000000" + noIntervals);
        assertEquals(MysqlGtidSet.EMPTY, alone);
        assertEquals("", alone.toString());
        assertEquals("0000000000000000", encodeHex(alone));

        MysqlGtidSet withAnother = decodeHex("0200000000000000" + noIntervals + UNTAGGED_8_0.substring(16));
        assertEquals("b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2", withAnother.toString());
        assertEquals(withAnother, MysqlGtidSet.parse(withAnother.toString()));
        assertEquals(UNTAGGED_8_0, encodeHex(withAnother));
        assertEquals(1, withAnother.intervals().size());

        // a tagged source without intervals is dropped too, and what is left is written in the untagged form again
        String uuid = UNTAGGED_8_0.substring(16, 48);
        MysqlGtidSet tagged = decodeHex("0102000000000001" + uuid + "0a" + "6d79746167" + "0000000000000000"
                + uuid + "00" + UNTAGGED_8_0.substring(48));
        assertEquals(withAnother, tagged);
        assertEquals(UNTAGGED_8_0, encodeHex(tagged));
    }

    @Test
    void malformedInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MysqlGtidSet.parse("not-a-uuid:1"));
        assertThrows(IllegalArgumentException.class, () -> MysqlGtidSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-2"));
        assertThrows(IllegalArgumentException.class, () -> MysqlGtidSet.parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:Bad-Tag:1"));
        assertThrows(IllegalArgumentException.class, () -> decodeHex("0100000000000000b9b88c66"));
        assertThrows(IllegalArgumentException.class, () -> decodeHex("ffffffffffff0000"));
        assertThrows(IllegalArgumentException.class, () -> decodeHex(UNTAGGED_8_0.substring(0, UNTAGGED_8_0.length() - 2)));
    }
}
