package dev.binlogrelay.core.binlog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

/**
 * Fuzzes the event parsers the ingester applies to each event a primary sends: format description, rotate, GTID
 * (MariaDB and MySQL, tagged), GTID list, previous GTIDs, the group tracker's look at queries. See {@link EventChecks}
 * for the contract (a value or {@link BinlogFormatException}; round trips where the relay builds such events).
 *
 * <p>The input is an event; its size field is set to its length first (the ingester refuses any other with
 * {@link Events#checkHeader}, which is checked on the raw input too), and it is parsed as if the stream's checksum
 * were NONE and then CRC32, after a GTID event and outside a group.
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/core/binlog/BinlogEventFuzzTestInputs/ingestEvent/}: single
 * events cut from real binlogs (shared/fixtures/binlog: MySQL 5.6-9.6 and MariaDB 10.5 files from
 * mysql-binlog-connector-java, rust_mysql_common and rust-mysql-binlog, see that folder's README for sources and
 * licences; this module's MariaDB 10.11 files).
 */
class BinlogEventFuzzTest {
    @FuzzTest
    @Timeout(10)
    void ingestEvent(byte[] input) {
        EventChecks.parsed(() -> {
            Events.checkHeader(input);
            return input;
        });
        if (input.length < Events.HEADER_SIZE) {
            return;
        }
        byte[] e = Arrays.copyOf(input, input.length);
        Events.put32(e, Events.OFFSET_SIZE, e.length);
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            EventChecks.check(e, alg, new GroupTracker());
            GroupTracker inGroup = new GroupTracker();
            inGroup.classify(mariaGtid(), alg);
            EventChecks.check(e, alg, inGroup);
        }
    }

    /** A MariaDB GTID event that opens a transaction. */
    private static byte[] mariaGtid() {
        byte[] g = new byte[Events.HEADER_SIZE + 13];
        Events.writeHeader(g, 0, EventType.MARIA_GTID, 1, 0, 0);
        return g;
    }
}
