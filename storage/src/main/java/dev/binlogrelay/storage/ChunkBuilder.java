package dev.binlogrelay.storage;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Gathers the events of one write batch into {@link Chunk}s: consecutive events of one file, all starting in one
 * {@link SegmentCache} window, at most {@link #MAX_CHUNK_BYTES} of events (a larger event is a chunk of its own).
 * A chunk's bytes go to the file's {@link EventFiles} at their positions and its index into the batch (layout 4;
 * before it, the chunk's value held the bytes).
 *
 * <p>Why chunks: a value per event cost the writer one {@code put} (a JNI call) per event and a reader one
 * iterator step and one JNI copy per event; a chunk costs one of each per window at most. Why window-aligned: a
 * window's segment is then read with one seek and one step per chunk and no chunk is read twice by two windows;
 * windows were 256 KiB (1 MiB since segments are views of the mapped event file, see {@link SegmentCache#SHIFT}).
 *
 * <p>Measured with {@code StoreCpuBenchmark} (256 MiB, 16 groups per batch, 2 shared cores, load 2-7; CPU seconds
 * per GB of the whole process, later runs): with 83-byte events on average (groups of 42 + 60 + 200 + 31 bytes) a
 * reader went from 4.6-6.4 to 1.5-2.0 and storing from 17-19 to 8-9 (with the batch's file record and meta put
 * once); with 1.5 KB events (42 + 60 + 6000 + 31) a reader from 1.5-2.3 to 1.0-2.1 and storing from 4.4-6.4 to
 * 2.9-5.3, within the noise. (Then, 256 KiB rather than 1 MiB kept a reader's copy of a window small; with views
 * a window costs a reader no copy, and 1 MiB windows cut the per-window costs.)
 *
 * <p>Layout 4, measured the same way (256 MiB of 6 KB rows events, runs 2-3 of 3, 2 cores shared with two other
 * builds): storing 3.4-5.5 CPU-s/GB with the bytes in RocksDB, 1.2-3.7 with them in event files; one reader
 * 1.23-1.27 and 0.82-1.64.
 *
 * <p>Writer thread only. The events' arrays are not copied until {@link #flush}, which copies them once into a
 * reused direct buffer and writes it to the event file with one positional write.
 */
final class ChunkBuilder {
    /** Events in a chunk at most: a window's worth. */
    static final int MAX_CHUNK_BYTES = 1 << SegmentCache.SHIFT;

    private final ByteBuffer key = ByteBuffer.allocateDirect(Keys.EVENT_KEY_LENGTH);
    private final EventFiles files;
    /** The events' bytes of a chunk, written to the event file at once. */
    private final ByteBuffer value = ByteBuffer.allocateDirect(MAX_CHUNK_BYTES);
    private ByteBuffer index = ByteBuffer.allocateDirect(Chunk.indexLength(64));
    private byte[][] events = new byte[64][];
    private int[] flags = new int[64];
    private int[] lengths = new int[64];
    private int count;
    private long bytes;
    private long fileSeq = -1;
    private long firstPosition;
    /** Values put by the last batch (chunks and single events), for tests and statistics. */
    private int valuesPut;

    ChunkBuilder(EventFiles files) {
        this.files = files;
    }

    /** Adds the event at {@code position} of file {@code seq}; writes the chunk before it when it cannot take it. */
    void add(WriteBatch batch, ColumnFamilyHandle cf, long seq, long position, byte[] event, int eventFlags)
            throws RocksDBException, IOException {
        if (count > 0 && (seq != fileSeq || position != firstPosition + bytes
                || SegmentCache.window(position) != SegmentCache.window(firstPosition) || bytes + event.length > MAX_CHUNK_BYTES)) {
            flush(batch, cf);
        }
        if (count == 0) {
            fileSeq = seq;
            firstPosition = position;
        }
        if (count == events.length) {
            events = Arrays.copyOf(events, count * 2);
            flags = Arrays.copyOf(flags, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        events[count] = event;
        flags[count] = eventFlags;
        lengths[count] = event.length;
        count++;
        bytes += event.length;
    }

    /**
     * Writes the chunk gathered so far, if any: its events' bytes to the file's {@link EventFiles} at their
     * positions (one positional write through the reused direct buffer, or one per event when they do not fit),
     * and its index into the batch under the key of its first event. The bytes are written now, before the batch:
     * an index never points past what was written.
     */
    void flush(WriteBatch batch, ColumnFamilyHandle cf) throws RocksDBException, IOException {
        if (count == 0) {
            return;
        }
        if (bytes <= value.capacity()) {
            value.clear();
            for (int i = 0; i < count; i++) {
                value.put(events[i]);
            }
            value.flip();
            files.write(fileSeq, firstPosition, value);
        } else {
            long pos = firstPosition;
            for (int i = 0; i < count; i++) {
                files.write(fileSeq, pos, events[i]);
                pos += events[i].length;
            }
        }
        int length = Chunk.indexLength(count);
        if (length > index.capacity()) {
            index = ByteBuffer.allocateDirect(length); // many tiny events: a larger index, once
        }
        index.clear();
        Chunk.putIndex(index, count, flags, lengths);
        index.flip();
        key.clear();
        Keys.putEvent(key, fileSeq, firstPosition);
        key.flip();
        batch.put(cf, key, index);
        valuesPut++;
        Arrays.fill(events, 0, count, null);
        count = 0;
        bytes = 0;
    }

    /** Forgets what was gathered (a batch that failed) and the count of values put. */
    void reset() {
        Arrays.fill(events, 0, count, null);
        count = 0;
        bytes = 0;
        valuesPut = 0;
    }

    /** Values put since the last {@link #reset}. */
    int valuesPut() {
        return valuesPut;
    }
}
