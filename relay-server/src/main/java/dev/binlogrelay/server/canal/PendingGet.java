package dev.binlogrelay.server.canal;

import com.google.protobuf.ByteString;
import dev.binlogrelay.server.memory.PendingWriteBudget;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A get in progress on a {@link ClientStream}: what it asked for and what it has so far; guarded by the stream. */
final class PendingGet {
    final int batchSize;
    /** -1: answer with what is there; 0: wait until the batch is full; more: wait at most this long (ns). */
    final long timeoutNanos;
    final CompletableFuture<Batched> result = new CompletableFuture<>();
    final List<ByteString> entries = new ArrayList<>();
    /**
     * What one entry of a get holds beyond its bytes: its list slot and ByteString object (a cached entry's bytes
     * are shared, their record counted by the cache), counted so that batches of tiny entries are not undercounted.
     */
    static final int ENTRY_OVERHEAD = 48;
    /** Bytes of {@link #entries} (what {@code canal.max_batch_bytes} bounds). */
    long payload;
    /**
     * Bytes of {@link #entries} plus {@link #ENTRY_OVERHEAD} each, counted in the Canal memory budget until the batch
     * is written or dropped.
     */
    long bytes;
    Point end;
    boolean expired;
    /** Its timeout's timer, cancelled when it ends (else it would keep this get, entries and all, until it fires). */
    java.util.concurrent.Future<?> timer;

    /** The get ended: its timer is no longer needed, nor its entries (the answer has its own list). */
    void ended() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        entries.clear();
    }

    /** Ends this get with {@code error}, giving back the budget its entries held. */
    void fail(PendingWriteBudget budget, CanalError error) {
        budget.release(bytes);
        bytes = 0;
        ended();
        result.completeExceptionally(error);
    }

    PendingGet(int batchSize, long timeoutNanos) {
        this.batchSize = batchSize;
        this.timeoutNanos = timeoutNanos;
    }

    /** A get's answer: batch id -1 and no entries when nothing came; {@code counted} bytes held in the budget. */
    record Batched(long id, List<ByteString> entries, long counted) {
    }
}
