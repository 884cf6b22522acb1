package dev.binlogrelay.storage;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reads the events of a stretch of one file from the {@code events} column family: one seek, then one iterator
 * step per {@link Chunk}. Each value is copied by RocksDB into a pooled direct buffer (a native copy, no Java
 * array of up to 256 KiB per chunk to zero and collect), and each event in range is copied from there into the
 * array its {@link StoredEvent} holds: one Java copy per event, as readers had with a value per event, without
 * the JNI call per event.
 *
 * <p>Memory: at most {@link #POOLED} buffers of {@link #BUFFER_BYTES} are kept; a load finding none takes a new
 * one (dropped after if the pool is full). A value larger than the buffer (a single large event) is read as a
 * Java array.
 */
final class ChunkReader {
    /** A window's chunk with the header of 8 Ki events fits. */
    static final int BUFFER_BYTES = ChunkBuilder.MAX_CHUNK_BYTES + 64 * 1024;
    static final int POOLED = 4;
    private static final ArrayBlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(POOLED);

    private ChunkReader() {
    }

    /**
     * The events of file {@code fileSeq} starting in [from, to). A window's start is never inside a chunk (chunks
     * keep to their window, see {@link ChunkBuilder}), so a whole window is read from a seek to its start; a
     * stretch starting inside a window may start inside a chunk, which seek-for-prev finds.
     */
    static List<StoredEvent> read(StoreContext ctx, long fileSeq, String fileName, long from, long to) {
        List<StoredEvent> events = new ArrayList<>();
        ByteBuffer buffer = POOL.poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        }
        // the upper bound stops the iterator at the last chunk in range: without it, stepping past that chunk
        // loads the next one (another block, or with blob files another blob read) only to find its key out of range
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
                Chunk.addEvents(fileName, pos, value, from, to, events);
                it.next();
            }
            try {
                it.status();
            } catch (RocksDBException e) {
                throw ctx.rocks().failure("read events " + fileName + ":" + from + ".." + to, e);
            }
        } finally {
            POOL.offer(buffer);
        }
        return events;
    }
}
