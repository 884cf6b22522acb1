package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MysqlGtidEventTest {
    private static byte[] event(int type, String bodyHex) {
        byte[] body = HexFormat.of().parseHex(bodyHex);
        byte[] e = new byte[Events.HEADER_SIZE + body.length];
        Events.writeHeader(e, 1, type, 1, 0, 0);
        System.arraycopy(body, 0, e, Events.HEADER_SIZE, body.length);
        return e;
    }

    @Test
    void untaggedGtidFromMySql8() {
        // body of the first GTID event of binlog-invisible-columns.000001 (MySQL 8.0.26), CRC left out
        byte[] e = event(EventType.GTID, "0197c7af024c5011ecacd8681842034964010000000000000002000000000000000001000000000000"
                + "0037ad730d73d105fc4f019a3801007d0d69b6");
        assertEquals("97c7af02-4c50-11ec-acd8-681842034964:1",
                MysqlGtidEvent.gtid(e, ChecksumAlgorithm.NONE).orElseThrow().toString());
    }

    @Test
    void taggedGtidFromMySql96() {
        // body of the GTID_TAGGED event of binlog_transaction_with_GTID_TAG.000001 (MySQL 9.6.0), CRC left out
        byte[] e = event(EventType.GTID_TAGGED, "027800000002aaee25020804650222c503c502e1029cc10311035502dead03040c060a6d797461"
                + "6708000a040c7f1cf3b814244a0610a10412430f0b7872");
        assertEquals("55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3",
                MysqlGtidEvent.gtid(e, ChecksumAlgorithm.NONE).orElseThrow().toString());
    }

    @Test
    void anonymousHasNoneAndTruncatedIsRefused() {
        assertTrue(MysqlGtidEvent.gtid(event(EventType.ANONYMOUS_GTID, "00".repeat(42)), ChecksumAlgorithm.NONE).isEmpty());
        assertThrows(BinlogFormatException.class, () -> MysqlGtidEvent.gtid(event(EventType.GTID, "0197c7"), ChecksumAlgorithm.NONE));
        assertThrows(BinlogFormatException.class, () -> MysqlGtidEvent.gtid(event(EventType.GTID_TAGGED, "027800000002aaee"), ChecksumAlgorithm.NONE));
    }
}
