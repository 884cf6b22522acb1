package dev.binlogrelay.storage;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reads the events of a stretch of one file: one seek in the {@code events} column family, then one iterator step
 * per {@link Chunk}. A layout-4 value is a chunk's index, whose events' bytes are in the store's {@link EventFiles}:
 * consecutive indexes make one run of bytes, whose events are views of the mapped event file (nothing copied; a
 * run crossing a mapped region's end is read with {@code pread} instead). A layout-2 or -3 value holds its bytes
 * and is copied by RocksDB into a pooled direct buffer, and each event in range from there into an array.
 *
 * <p>Memory: at most {@link #POOLED} buffers of {@link #BUFFER_BYTES} are kept; a load finding none takes a new
 * one (dropped after if the pool is full). A value or an event larger than the buffer is read as a Java array.
 */
final class ChunkReader {
    /** A window's chunk with the header of 8 Ki events fits. */
    static final int BUFFER_BYTES = ChunkBuilder.MAX_CHUNK_BYTES + 64 * 1024;
    static final int POOLED = 8;
    private static final ArrayBlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(POOLED);

    private final StoreContext ctx;
    private final long fileSeq;
    private final String fileName;
    private final long from;
    private final long to;
    private final List<StoredEvent> events = new ArrayList<>();
    /** The pending run of indexed events in range: first position, end, and each event's flags and length. */
    private long runStart = -1;
    private long runEnd;
    private int runCount;
    private int[] runFlags = new int[256];
    private int[] runLengths = new int[256];

    private ChunkReader(StoreContext ctx, long fileSeq, String fileName, long from, long to) {
        this.ctx = ctx;
        this.fileSeq = fileSeq;
        this.fileName = fileName;
        this.from = from;
        this.to = to;
    }

    /**
     * The events of file {@code fileSeq} starting in [from, to). A window's start is never inside a chunk (chunks
     * keep to their window, see {@link ChunkBuilder}), so a whole window is read from a seek to its start; a
     * stretch starting inside a window may start inside a chunk, which seek-for-prev finds.
     */
    static List<StoredEvent> read(StoreContext ctx, long fileSeq, String fileName, long from, long to) {
        return new ChunkReader(ctx, fileSeq, fileName, from, to).read();
    }

    private List<StoredEvent> read() {
        ByteBuffer buffer = take();
        // the upper bound stops the iterator at the last chunk in range: without it, stepping past that chunk
        // loads the next one only to find its key out of range
        try (Slice bound = new Slice(Keys.event(fileSeq, to));
             ReadOptions scan = new ReadOptions(ctx.scanOptions()).setIterateUpperBound(bound);
             RocksIterator it = ctx.newEventIterator(scan)) {
            byte[] key = new byte[Keys.EVENT_KEY_LENGTH];
            boolean windowStart = SegmentCache.window(from) << SegmentCache.SHIFT == from;
            if (!windowStart) {
                it.seekForPrev(Keys.event(fileSeq, from));
            }
            if (windowStart || !it.isValid() || it.key(key) != Keys.EVENT_KEY_LENGTH || Keys.eventFile(key) != fileSeq) {
                it.seek(Keys.event(fileSeq, from));
            }
            while (it.isValid()) {
                if (it.key(key) != Keys.EVENT_KEY_LENGTH || Keys.eventFile(key) != fileSeq) {
                    break;
                }
                long pos = Keys.eventPosition(key);
                if (pos >= to) {
                    break;
                }
                buffer.clear();
                int length = it.value(buffer);
                ByteBuffer value = length <= buffer.capacity() ? buffer : ByteBuffer.wrap(it.value());
                if (Chunk.isIndex(value)) {
                    addIndex(pos, value);
                } else {
                    readRun();
                    Chunk.addEvents(fileName, pos, value, from, to, events);
                }
                it.next();
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw ctx.rocks().failure("read events " + fileName + ":" + from + ".." + to, e);
            }
            readRun();
        } finally {
            POOL.offer(buffer);
        }
        return events;
    }

    /** Adds the events in range of the index at {@code position} to the pending run (reading the run before if not adjacent). */
    private void addIndex(long position, ByteBuffer index) {
        int n = Chunk.count(fileName, position, index);
        long pos = position;
        for (int i = 0; i < n && pos < to; i++) {
            int len = Chunk.length(index, i);
            if (pos >= from) {
                if (runStart >= 0 && pos != runEnd) {
                    readRun();
                }
                if (runStart < 0) {
                    runStart = pos;
                    runEnd = pos;
                }
                if (runCount == runFlags.length) {
                    runFlags = Arrays.copyOf(runFlags, runCount * 2);
                    runLengths = Arrays.copyOf(runLengths, runCount * 2);
                }
                runFlags[runCount] = Chunk.flags(index, i);
                runLengths[runCount] = len;
                runCount++;
                runEnd += len;
            }
            pos += len;
        }
    }

    /**
     * Adds the pending run's events as views of the mapped event file (no copy), or, for a run crossing a mapped
     * region's end, reads its bytes with {@code pread}, a buffer at a time, into one array per event.
     */
    private void readRun() {
        if (runStart < 0) {
            return;
        }
        EventFiles files = ctx.rocks().eventFiles;
        ByteBuffer mapped = files.view(fileSeq, fileName, runStart, runEnd);
        if (mapped != null) {
            touchPages(mapped);
            int at = 0;
            for (int i = 0; i < runCount; i++) {
                int len = runLengths[i];
                events.add(new StoredEvent(fileName, runStart + at, mapped.slice(at, len), runFlags[i]));
                at += len;
            }
        } else {
            readRunCopying(files);
        }
        runStart = -1;
        runCount = 0;
    }

    /**
     * Reads one byte of each page of a mapped run, so that a page not in the page cache is read from disk here (a
     * segment loader's thread, for a reader far behind) rather than by the page fault of the send path's copy on a
     * network event loop shared with other readers.
     */
    private static void touchPages(ByteBuffer mapped) {
        int sum = 0;
        for (int i = 0; i < mapped.limit(); i += 4096) {
            sum += mapped.get(i);
        }
        pageSum = sum; // kept, so the reads are not optimized away
    }

    /** Where {@link #touchPages} leaves its sum. */
    @SuppressWarnings("unused")
    private static volatile int pageSum;

    private void readRunCopying(EventFiles files) {
        ByteBuffer data = take();
        try {
            long bufStart = runStart;
            long bufEnd = runStart;
            long pos = runStart;
            for (int i = 0; i < runCount; i++) {
                int len = runLengths[i];
                byte[] bytes;
                if (pos + len <= bufEnd) {
                    bytes = new byte[len];
                    data.get((int) (pos - bufStart), bytes);
                } else if (len > data.capacity()) {
                    bytes = files.read(fileSeq, fileName, pos, len);
                } else {
                    data.clear();
                    data.limit((int) Math.min(data.capacity(), runEnd - pos));
                    files.read(fileSeq, fileName, pos, data);
                    bufStart = pos;
                    bufEnd = pos + data.limit();
                    bytes = new byte[len];
                    data.get(0, bytes);
                }
                events.add(new StoredEvent(fileName, pos, bytes, runFlags[i]));
                pos += len;
            }
        } finally {
            POOL.offer(data);
        }
    }

    private static ByteBuffer take() {
        ByteBuffer b = POOL.poll();
        return b != null ? b : ByteBuffer.allocateDirect(BUFFER_BYTES);
    }
}
