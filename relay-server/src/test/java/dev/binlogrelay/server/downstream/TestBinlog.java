package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.upstream.BinlogIngester;
import dev.binlogrelay.storage.BinlogStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic binlog file of a MariaDB 10.11 primary with CRC32 checksums, stored through the relay's own
 * {@link BinlogIngester} as if it arrived from upstream: a format description, then standalone INTVAR events (each a
 * group of its own) with pseudo-random bodies.
 */
final class TestBinlog {
    static final String FILE = "mariadb-bin.000001";
    static final long PRIMARY_ID = 1;
    private static final long TIMESTAMP = 1_700_000_000L;

    private TestBinlog() {
    }

    /**
     * Stores {@code count} events of {@code size} bytes each after the format description.
     *
     * @return the events as stored, the format description first (the byte at which each starts is 4 plus the sizes
     *         of those before it)
     */
    static List<byte[]> fill(BinlogStore store, int count, int size) {
        List<byte[]> stored = new ArrayList<>();
        stored.add(formatDescription());
        long end = 4 + stored.get(0).length;
        Random random = new Random(count * 31L + size);
        for (int i = 0; i < count; i++) {
            end += size;
            byte[] e = new byte[size];
            random.nextBytes(e);
            Events.writeHeader(e, TIMESTAMP, EventType.INTVAR, PRIMARY_ID, end, 0);
            Events.fixCrc(e);
            stored.add(e);
        }
        BinlogIngester ingester = new BinlogIngester(store);
        ingester.startStream(FILE, 4, null);
        ingester.offer(ArtificialEvents.fakeRotate(PRIMARY_ID, FILE, 4, ChecksumAlgorithm.CRC32));
        for (byte[] e : stored) {
            ingester.offer(e.clone());
        }
        ingester.flush();
        return stored;
    }

    /** header | binlog_version 4 | server_version (50) | create_timestamp | header_length 19 | 40 post-header lengths | CRC32 (1) | crc */
    private static byte[] formatDescription() {
        byte[] e = new byte[Events.HEADER_SIZE + 2 + 50 + 4 + 1 + 40 + 1 + 4];
        Events.writeHeader(e, TIMESTAMP, EventType.FORMAT_DESCRIPTION, PRIMARY_ID, 4 + e.length, 0);
        int at = Events.HEADER_SIZE;
        e[at] = 4;
        byte[] version = "10.11.5-MariaDB-log".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, e, at + 2, version.length);
        Events.put32(e, at + 52, TIMESTAMP);
        e[at + 56] = (byte) Events.HEADER_SIZE;
        e[e.length - 5] = (byte) ChecksumAlgorithm.CRC32.code;
        Events.fixCrc(e);
        return e;
    }
}
