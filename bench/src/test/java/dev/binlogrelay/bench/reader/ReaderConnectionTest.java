package dev.binlogrelay.bench.reader;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.downstream.DownstreamServer;
import dev.binlogrelay.server.downstream.UserDirectory;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.server.upstream.BinlogIngester;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench reader's login, queries and COM_BINLOG_DUMP against the relay's real downstream server (in this JVM,
 * on a loopback port) over a store holding one small synthetic file: the dump it asks for is the one it gets.
 */
@Timeout(30)
class ReaderConnectionTest {
    private static final String FILE = "mariadb-bin.000001";

    @TempDir
    Path dir;

    @Test
    void aNonBlockingDumpRequestedByTheReaderStreamsTheFileAndEnds() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false));
             RelayMetrics metrics = new RelayMetrics();
             DownstreamServer server = new DownstreamServer(store, INFO, new UserDirectory(Map.of("bench", "pw")), metrics,
                     16 << 20, 0, 1 << 20, 4 << 20, 1)) {
            List<byte[]> file = fill(store);
            int port = server.bind("127.0.0.1", 0).getPort();
            List<byte[]> events = new ArrayList<>();
            try (ReaderConnection c = ReaderConnection.open("127.0.0.1", port, "bench", "pw", 0)) {
                c.prepareForDump();
                c.requestDump(FILE, 4, ReaderConnection.DUMP_NON_BLOCK, 77);
                for (byte[] p = c.readDumpPacket(); (p[0] & 0xFF) != 0xFE; p = c.readDumpPacket()) {
                    assertEquals(0, p[0], "an event packet, not " + (p[0] & 0xFF));
                    events.add(Arrays.copyOfRange(p, 1, p.length));
                }
            }
            assertEquals(1 + file.size(), events.size(), "the fake rotate, then the file");
            assertTrue(Events.isArtificial(events.get(0)));
            assertEquals(new ArtificialEvents.RotateTarget(FILE, 4), ArtificialEvents.parseRotate(events.get(0), ChecksumAlgorithm.CRC32));
            for (int i = 0; i < file.size(); i++) {
                assertArrayEquals(file.get(i), events.get(1 + i), "event " + i + " as stored (the reader asked for stored checksums)");
            }
        }
    }

    /** A format description of a MariaDB 10.11 primary with CRC32, then five INTVAR events, through the ingester. */
    private static List<byte[]> fill(BinlogStore store) {
        byte[] fde = new byte[Events.HEADER_SIZE + 2 + 50 + 4 + 1 + 40 + 1 + 4];
        Events.writeHeader(fde, 1_700_000_000L, EventType.FORMAT_DESCRIPTION, 1, 4 + fde.length, 0);
        fde[Events.HEADER_SIZE] = 4;
        byte[] version = "10.11.5-MariaDB-log".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(version, 0, fde, Events.HEADER_SIZE + 2, version.length);
        fde[Events.HEADER_SIZE + 56] = (byte) Events.HEADER_SIZE;
        fde[fde.length - 5] = (byte) ChecksumAlgorithm.CRC32.code;
        Events.fixCrc(fde);
        List<byte[]> file = new ArrayList<>(List.of(fde));
        long end = 4 + fde.length;
        for (int i = 0; i < 5; i++) {
            byte[] e = new byte[60 + i];
            end += e.length;
            Arrays.fill(e, (byte) i);
            Events.writeHeader(e, 1_700_000_000L, EventType.INTVAR, 1, end, 0);
            Events.fixCrc(e);
            file.add(e);
        }
        BinlogIngester ingester = new BinlogIngester(store);
        ingester.startStream(FILE, 4, null);
        ingester.offer(ArtificialEvents.fakeRotate(1, FILE, 4, ChecksumAlgorithm.CRC32));
        for (byte[] e : file) {
            ingester.offer(e.clone());
        }
        ingester.flush();
        return file;
    }

    private static final RelayInfo INFO = new RelayInfo() {
        public long serverId() {
            return 9001;
        }

        public String serverVersion() {
            return "10.11.5-MariaDB-log";
        }

        public String binlogChecksum() {
            return "CRC32";
        }

        public String gtidBinlogPos() {
            return "";
        }

        public long gtidDomainId() {
            return 0;
        }

        public List<BinlogFile> binlogFiles() {
            return List.of();
        }

        public Optional<BinlogFile> masterStatus() {
            return Optional.empty();
        }

        public List<RegisteredReplica> replicas() {
            return List.of();
        }

        public int port() {
            return 3307;
        }
    };
}
