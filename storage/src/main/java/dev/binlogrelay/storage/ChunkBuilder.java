package dev.binlogrelay.storage;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Gathers the events of one write batch into {@link Chunk}s and puts them into the batch: consecutive events of
 * one file, all starting in one {@link SegmentCache} window, at most {@link #MAX_CHUNK_BYTES} of events (a larger
 * event is a value of its own, which RocksDB puts in a blob file from {@link RocksTuning#MIN_BLOB_BYTES} on).
 *
 * <p>Why chunks: a value per event cost the writer one {@code put} (a JNI call) per event and a reader one
 * iterator step and one JNI copy per event; a chunk costs one of each per window at most. Why window-aligned: a
 * window's segment is then read with one seek and one step per chunk and no chunk is read twice by two windows;
 * windows are 256 KiB, so a chunk's header and its copy stay small and a reader pins at most about a window.
 *
 * <p>Measured with {@code StoreCpuBenchmark} (256 MiB, 16 groups per batch, 2 shared cores, load 2-7; CPU seconds
 * per GB of the whole process, later runs): with 83-byte events on average (groups of 42 + 60 + 200 + 31 bytes) a
 * reader went from 4.6-6.4 to 1.5-2.0 and storing from 17-19 to 8-9 (with the batch's file record and meta put
 * once); with 1.5 KB events (42 + 60 + 6000 + 31) a reader from 1.5-2.3 to 1.0-2.1 and storing from 4.4-6.4 to
 * 2.9-5.3, within the noise. Why 256 KiB and not 1 MiB: past a few events per value the per-value cost is
 * already small, and a larger chunk would cross windows (read twice, or windows made 4 times larger per reader).
 *
 * <p>Writer thread only. The events' arrays are not copied until {@link #flush}, which copies them once into a
 * reused direct buffer that the batch copies at {@code put}.
 */
final class ChunkBuilder {
    /** Events in a chunk at most: a window's worth. */
    static final int MAX_CHUNK_BYTES = 1 << SegmentCache.SHIFT;

    private final ByteBuffer key = ByteBuffer.allocateDirect(Keys.EVENT_KEY_LENGTH);
    private ByteBuffer value = ByteBuffer.allocateDirect(MAX_CHUNK_BYTES + 4096);
    private byte[][] events = new byte[64][];
    private int[] flags = new int[64];
    private int[] lengths = new int[64];
    private int count;
    private long bytes;
    private long fileSeq = -1;
    private long firstPosition;
    /** Values put by the last batch (chunks and single events), for tests and statistics. */
    private int valuesPut;

    /** Adds the event at {@code position} of file {@code seq}; puts the chunk before it when it cannot take it. */
    void add(WriteBatch batch, ColumnFamilyHandle cf, long seq, long position, byte[] event, int eventFlags)
            throws RocksDBException {
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

    /** Puts the chunk gathered so far, if any: a single event in the one-event form, several as a chunk. */
    void flush(WriteBatch batch, ColumnFamilyHandle cf) throws RocksDBException {
        if (count == 0) {
            return;
        }
        int length = count == 1 ? events[0].length + 1 : Chunk.valueLength(count, bytes);
        if (count == 1 && length > value.capacity()) {
            // one large event: an array rather than a direct buffer kept that large for good
            batch.put(cf, Keys.event(fileSeq, firstPosition), Values.event(flags[0], events[0]));
        } else {
            if (length > value.capacity()) {
                value = ByteBuffer.allocateDirect(length); // many tiny events: a larger header, once
            }
            value.clear();
            if (count == 1) {
                Values.putEvent(value, flags[0], events[0]);
            } else {
                Chunk.putHeader(value, count, flags, lengths);
                for (int i = 0; i < count; i++) {
                    value.put(events[i]);
                }
            }
            value.flip();
            key.clear();
            Keys.putEvent(key, fileSeq, firstPosition);
            key.flip();
            batch.put(cf, key, value);
        }
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
