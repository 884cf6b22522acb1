package dev.binlogrelay.bench.jmh;

import dev.binlogrelay.core.binlog.Events;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Event bytes for the microbenchmarks: a v4 header, a random body and a correct CRC32, so the relay's code sees
 * what it sees in production without a server.
 *
 * <pre>
 * event : timestamp (4) | type (1) | server_id (4) | event_size (4) | log_pos (4) | flags (2) | body | crc32 (4)
 * FDE body : binlog_version (2) | server_version (50) | create_timestamp (4) | header_length (1)
 *            | post_header_lengths (n) | checksum_alg (1)     then the crc32 (4)
 * </pre>
 */
final class SampleEvents {
    static final int WRITE_ROWS_V1 = 23;
    static final int FORMAT_DESCRIPTION = 15;

    private SampleEvents() {
    }

    /** A rows event of {@code size} bytes (CRC included) with a valid CRC32. */
    static byte[] rowsEvent(int size, long seed) {
        byte[] e = new byte[size];
        new Random(seed).nextBytes(e);
        header(e, WRITE_ROWS_V1, 4 + size);
        Events.fixCrc(e);
        return e;
    }

    /** A MariaDB 10.11 format description announcing CRC32, CRC included. */
    static byte[] formatDescription() {
        int postHeaders = 168;
        int size = Events.HEADER_SIZE + 2 + 50 + 4 + 1 + postHeaders + 1 + 4;
        byte[] e = new byte[size];
        header(e, FORMAT_DESCRIPTION, 0);
        int at = Events.HEADER_SIZE;
        e[at] = 4;
        byte[] version = "10.11.19-MariaDB-log".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, e, at + 2, version.length);
        e[at + 2 + 50 + 4] = (byte) Events.HEADER_SIZE;
        for (int i = 0; i < postHeaders; i++) {
            e[at + 2 + 50 + 4 + 1 + i] = (byte) (i % 20);
        }
        e[size - 5] = 1; // CRC32
        Events.fixCrc(e);
        return e;
    }

    private static void header(byte[] e, int type, long logPos) {
        Events.put32(e, 0, 1_700_000_000L);
        e[4] = (byte) type;
        Events.put32(e, 5, 1);
        Events.put32(e, Events.OFFSET_SIZE, e.length);
        Events.put32(e, Events.OFFSET_LOG_POS, logPos);
        e[17] = 0;
        e[18] = 0;
    }
}
