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
 * group of its own) with pseudo-random bodies ({@link #fill}), or transactions of GTID domain 0 ({@link #fillGtids}).
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
        ingest(store, stored);
        return stored;
    }

    /**
     * Stores {@code count} transactions after the format description, GTIDs 0-1-1 to 0-1-{@code count}: each a
     * MariaDB GTID event (which opens the transaction) and an XID event (which ends it).
     *
     * @return the events as stored, the format description first, then GTID and XID of each transaction
     */
    static List<byte[]> fillGtids(BinlogStore store, int count) {
        List<byte[]> stored = new ArrayList<>();
        stored.add(formatDescription());
        long end = 4 + stored.get(0).length;
        for (int seq = 1; seq <= count; seq++) {
            // MariaDB GTID: header | sequence (8) | domain (4) | flags2 (1) | padding (6) | CRC32
            byte[] gtid = new byte[Events.HEADER_SIZE + 19 + 4];
            end += gtid.length;
            Events.writeHeader(gtid, TIMESTAMP, EventType.MARIA_GTID, PRIMARY_ID, end, 0);
            Events.put64(gtid, Events.HEADER_SIZE, seq);
            Events.fixCrc(gtid);
            // XID: header | xid (8) | CRC32
            byte[] xid = new byte[Events.HEADER_SIZE + 8 + 4];
            end += xid.length;
            Events.writeHeader(xid, TIMESTAMP, EventType.XID, PRIMARY_ID, end, 0);
            Events.put64(xid, Events.HEADER_SIZE, 1000 + seq);
            Events.fixCrc(xid);
            stored.add(gtid);
            stored.add(xid);
        }
        ingest(store, stored);
        return stored;
    }

    private static void ingest(BinlogStore store, List<byte[]> events) {
        BinlogIngester ingester = new BinlogIngester(store);
        ingester.startStream(FILE, 4, null);
        ingester.offer(ArtificialEvents.fakeRotate(PRIMARY_ID, FILE, 4, ChecksumAlgorithm.CRC32));
        for (byte[] e : events) {
            ingester.offer(e.clone());
        }
        ingester.flush();
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
