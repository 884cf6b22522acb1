package dev.binlogrelay.bench;

import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.BinlogWriter;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StateUpdate;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The store alone, without network or peers: CPU seconds per GB of events the process spends storing a binlog and
 * then reading it back with one cursor. CPU seconds of the whole process (RocksDB's flush and compaction threads
 * included), so the number holds on a loaded machine better than a wall-clock rate does; after the writes it waits
 * until the process is idle (flushes and compactions done, at most 20 s) and counts that to storing. Groups are
 * GTID (42 B), table map (60 B), one rows event (ROWS bytes) and XID (31 B), {@code GROUPS} groups per
 * {@code appendGroups} call (one network read), files of 64 MiB, {@code storage.sync: none}, hot-tail cache off (so
 * the reader reads RocksDB through the segment cache). Uses only the store's public API, so it runs against older
 * builds too (their classes first on the classpath).
 *
 * <pre>
 * java -cp BENCH_CP [-Dstore.compression=UPPER,BOTTOM] dev.binlogrelay.bench.StoreCpuBenchmark [MiB=256] [ROWS=200] [GROUPS=16] [REPEAT=2]
 * </pre>
 * {@code store.compression} sets {@code storage.rocksdb.compression} and {@code bottommost_compression} (e.g.
 * {@code none,none}); the rows events are random bytes, so compression finds nothing to save.
 * The first repetition includes the JIT's warm-up; compare the later ones.
 */
public final class StoreCpuBenchmark {
    private static final int[] SMALL = {42, 60, 31};

    private StoreCpuBenchmark() {
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    public static void main(String[] args) throws Exception {
        long total = (args.length > 0 ? Long.parseLong(args[0]) : 256) << 20;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int perBatch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int repeat = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int[] lengths = {SMALL[0], SMALL[1], rows, SMALL[2]};
        Random rnd = new Random(42);
        byte[][] pool = new byte[64][];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new byte[Math.max(rows, 64)];
            rnd.nextBytes(pool[i]);
        }
        for (int rep = 1; rep <= repeat; rep++) {
            Path dir = Files.createTempDirectory("binlog-relay-store-cpu-");
            try {
                run(dir, rep, total, lengths, perBatch, pool);
            } finally {
                deleteTree(dir);
            }
        }
    }

    private static void run(Path dir, int rep, long total, int[] lengths, int perBatch, byte[][] pool) throws Exception {
        StoreOptions options = StoreOptions.defaults().withSyncEachGroup(false).withCacheBytes(0);
        String compression = System.getProperty("store.compression"); // upper,bottommost, e.g. none,lz4
        if (compression != null) {
            String[] c = compression.split(",");
            options = options.withCompression(c[0], c[c.length - 1]);
        }
        long written = 0;
        long events = 0;
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        try (BinlogStore store = BinlogStore.open(dir, options)) {
            int fileNo = 1;
            long pos = 4;
            int k = 0;
            while (written < total) {
                String file = String.format("mariadb-bin.%06d", fileNo);
                List<BinlogWriter.Group> batch = new ArrayList<>(perBatch);
                for (int g = 0; g < perBatch; g++) {
                    List<EventToStore> group = new ArrayList<>(lengths.length);
                    for (int i = 0; i < lengths.length; i++) {
                        byte[] e = Arrays.copyOf(pool[k++ & 63], lengths[i]);
                        int flags = (i == 0 ? StoredEvent.GROUP_START : 0) | (i == lengths.length - 1 ? StoredEvent.GROUP_END : 0);
                        group.add(new EventToStore(pos, e, flags, null));
                        pos += e.length;
                        written += e.length;
                        events++;
                    }
                    batch.add(new BinlogWriter.Group(file, group, StateUpdate.NONE));
                }
                store.writer().appendGroups(batch);
                if (pos > 64L << 20) {
                    fileNo++;
                    pos = 4;
                }
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 100; i++) { // until idle: at most 20 s
                long before = cpuNanos();
                Thread.sleep(200);
                if (cpuNanos() - before < 20_000_000L) {
                    break;
                }
            }
            long cpu1 = cpuNanos();
            long t2 = System.nanoTime();
            long read = 0;
            long n = 0;
            // as a sender does: each event's bytes copied once into a send buffer
            java.nio.ByteBuffer send = java.nio.ByteBuffer.allocateDirect(64 << 20);
            try (BinlogCursor c = store.openCursor("mariadb-bin.000001", 4)) {
                for (StoredEvent e; (e = c.next()) != null; ) {
                    if (send.remaining() < e.length()) {
                        send.clear();
                    }
                    if (e.length() <= send.capacity()) {
                        send.put(e.view());
                    }
                    read += e.length();
                    n++;
                }
            }
            long cpu2 = cpuNanos();
            long t3 = System.nanoTime();
            if (read != written || n != events) {
                throw new IllegalStateException("read " + n + " events of " + read + " bytes, wrote " + events + " of " + written);
            }
            double gb = written / 1e9;
            System.out.printf("run %d: %,d bytes in %,d events; store %.2f CPU-s/GB (%.0f MB/s to the last append);"
                            + " one reader %.2f CPU-s/GB (%.0f MB/s)%n", rep, written, events, (cpu1 - cpu0) / 1e9 / gb,
                    written / 1e3 / ((t1 - t0) / 1e6), (cpu2 - cpu1) / 1e9 / gb, written / 1e3 / ((t3 - t2) / 1e6));
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
