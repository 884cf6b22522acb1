package dev.binlogrelay.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mapped regions of the {@link EventFiles}, by file and region number: {@link #REGION} bytes of a file each,
 * mapped with {@link #OVERLAP} more so that an event crossing a region's end is still whole in it, and mapped again
 * once a growing file is {@link #REMAP_STEP} past the mapping. A mapping stays valid after a purge deletes its file
 * (it keeps its pages) until it is unreachable. Thread-safe.
 */
final class MappedRegions {
    /** Bytes of a file per mapped region. */
    static final long REGION = 64L << 20;
    /** Bytes mapped past a region's end, so that an event starting near it is whole in the region's mapping. */
    static final long OVERLAP = 16L << 20;
    /** A mapping of a growing file is renewed only once the file has grown this much past it. */
    static final long REMAP_STEP = 16L << 20;

    /** Maps up to {@code maxLength} bytes of the file from {@code start} (fewer if the file is shorter). */
    interface Mapper {
        ByteBuffer map(long start, long maxLength) throws IOException;
    }

    private volatile long region = REGION;
    private volatile long overlap = OVERLAP;
    private final ConcurrentHashMap<Long, ConcurrentHashMap<Long, ByteBuffer>> mapped = new ConcurrentHashMap<>();
    /** Regions mapped so far (each stays mapped until unreachable): for tests and statistics. */
    private final AtomicLong mappings = new AtomicLong();

    /**
     * A read-only view of bytes [from, to) of file {@code fileSeq}, or null if the stretch crosses the end of a
     * region, or the file grew a little past the region's mapping (the caller then copies the bytes).
     */
    ByteBuffer view(long fileSeq, long from, long to, Mapper mapper) throws IOException {
        long regionBytes = this.region;
        long overlapBytes = this.overlap;
        long number = from / regionBytes;
        long start = number * regionBytes;
        if (to > start + regionBytes + overlapBytes) {
            return null;
        }
        ConcurrentHashMap<Long, ByteBuffer> regions = mapped.computeIfAbsent(fileSeq, k -> new ConcurrentHashMap<>());
        ByteBuffer m = regions.get(number);
        if (m != null && start + m.capacity() < to && to - (start + m.capacity()) < REMAP_STEP) {
            // the file grew a little past the mapping (a reader just behind the tail): copy rather than map again
            // for every few commits (each mapping lives until it is unreachable)
            return null;
        }
        if (m == null || start + m.capacity() < to) {
            m = mapper.map(start, regionBytes + overlapBytes);
            mappings.incrementAndGet();
            regions.put(number, m);
        }
        return m.slice((int) (from - start), (int) (to - from)).asReadOnlyBuffer();
    }

    /** Forgets file {@code fileSeq}'s mappings (a purge); true if it had any. */
    boolean drop(long fileSeq) {
        return mapped.remove(fileSeq) != null; // views handed out keep their mapping until they are unreachable
    }

    void clear() {
        mapped.clear();
    }

    long mappings() {
        return mappings.get();
    }

    /** Test seam: smaller regions, so that a test's events cross their ends. Before any read. */
    void regions(long regionBytes, long overlapBytes) {
        this.region = regionBytes;
        this.overlap = overlapBytes;
        mapped.clear();
    }
}
