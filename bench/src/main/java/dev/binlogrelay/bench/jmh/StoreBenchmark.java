package dev.binlogrelay.bench.jmh;

import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.EventToStore;
import dev.binlogrelay.storage.StoreOptions;
import dev.binlogrelay.storage.StoredEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The store on its own (no network): {@link #appendGroup} writes one transaction-like group (GTID 42 B, table
 * map 60 B, a rows event of {@code rowsBytes}, XID 31 B) with the store's fsync per group on or off;
 * {@link #readCursor} reads a {@value #READ_EVENTS}-event file from its start with a cursor, from the hot-tail
 * cache or, with the cache off, from RocksDB. Scores: microseconds per group, microseconds per event read.
 */
public class StoreBenchmark {
    static final int READ_EVENTS = 4096;
    static final String FILE = "mariadb-bin.000001";

    /**
     * A store being appended to, fresh for each iteration (deleted after it, so disk use stays bounded); a new
     * file every 64 MiB keeps groups inside one file.
     */
    @State(Scope.Thread)
    public static class Appending {
        @Param({"false", "true"})
        boolean sync;

        @Param({"1024", "16384"})
        int rowsBytes;

        Path dir;
        BinlogStore store;
        List<byte[]> events;
        int fileNo;
        long next;

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = Files.createTempDirectory("binlog-relay-jmh-append-");
            store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(sync));
            events = List.of(SampleEvents.rowsEvent(42, 1), SampleEvents.rowsEvent(60, 2),
                    SampleEvents.rowsEvent(rowsBytes, 3), SampleEvents.rowsEvent(31, 4));
            fileNo = 1;
            next = 4;
        }

        @TearDown(Level.Iteration)
        public void close() {
            store.close();
            deleteTree(dir);
        }
    }

    /** A store holding one file of {@value #READ_EVENTS} events of 2 KiB, cached or not. */
    @State(Scope.Thread)
    public static class Reading {
        @Param({"hot-tail-cache", "rocksdb"})
        String source;

        Path dir;
        BinlogStore store;

        @Setup(Level.Trial)
        public void fill() throws IOException {
            dir = Files.createTempDirectory("binlog-relay-jmh-read-");
            store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false)
                    .withCacheBytes(source.equals("rocksdb") ? 0 : 64L << 20));
            long pos = 4;
            for (int i = 0; i < READ_EVENTS; i++) {
                byte[] e = SampleEvents.rowsEvent(2048, i);
                store.writer().appendGroup(FILE, List.of(new EventToStore(pos, e,
                        StoredEvent.GROUP_START | StoredEvent.GROUP_END, null)), dev.binlogrelay.storage.StateUpdate.NONE);
                pos += e.length;
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
            deleteTree(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long appendGroup(Appending a) {
        if (a.next > 64L << 20) {
            a.fileNo++;
            a.next = 4;
        }
        String file = String.format("mariadb-bin.%06d", a.fileNo);
        List<EventToStore> group = new ArrayList<>(a.events.size());
        long pos = a.next;
        for (int i = 0; i < a.events.size(); i++) {
            byte[] e = a.events.get(i);
            int flags = (i == 0 ? StoredEvent.GROUP_START : 0) | (i == a.events.size() - 1 ? StoredEvent.GROUP_END : 0);
            group.add(new EventToStore(pos, e, flags, null));
            pos += e.length;
        }
        a.store.writer().appendGroup(file, group, dev.binlogrelay.storage.StateUpdate.NONE);
        a.next = pos;
        return pos;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @OperationsPerInvocation(READ_EVENTS)
    public long readCursor(Reading r) throws Exception {
        long bytes = 0;
        int n = 0;
        try (BinlogCursor c = r.store.openCursor(FILE, 4)) {
            for (StoredEvent e; (e = c.next()) != null; ) {
                bytes += e.length();
                n++;
            }
        }
        if (n != READ_EVENTS) {
            throw new IllegalStateException("read " + n + " events");
        }
        return bytes;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
