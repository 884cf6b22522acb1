package dev.binlogrelay.server.canal;

import java.util.ArrayDeque;

/**
 * A client's batches handed out and not yet acknowledged, oldest first: each batch's id and the point after its last
 * entry. Acks and rollbacks take the oldest, with Canal's errors for any other id. Guarded by its {@link ClientStream}.
 */
final class Batches {
    private record Batch(long id, Point end) {
    }

    private final ArrayDeque<Batch> outstanding = new ArrayDeque<>();

    void add(long id, Point end) {
        outstanding.add(new Batch(id, end));
    }

    /** Acknowledges the oldest batch, which must be {@code batchId}; returns the point after it. */
    Point ack(long batchId, String clientId) {
        take(batchId, "ack error , clientId:" + clientId + " batchId:" + batchId + " is not exist , please check");
        return outstanding.poll().end();
    }

    /** Rolls back every batch (batchId 0) or, Canal's way, the oldest (which must be {@code batchId}) and every later one. */
    void rollback(long batchId, String clientId) {
        if (batchId != 0) {
            take(batchId, "rollback error, clientId:" + clientId + " batchId:" + batchId + " is not exist , please check");
        }
        outstanding.clear();
    }

    private void take(long batchId, String notOutstanding) {
        if (outstanding.stream().noneMatch(b -> b.id() == batchId)) {
            throw new CanalError(400, notOutstanding);
        }
        long first = outstanding.peek().id();
        if (first != batchId) {
            throw new CanalError(400, "batchId:" + batchId + " is not the firstly:" + first);
        }
    }

    /** The point after the newest batch handed out, or {@code acked} when none is outstanding: where reading goes on. */
    Point lastEnd(Point acked) {
        Batch last = outstanding.peekLast();
        return last == null ? acked : last.end();
    }

    int size() {
        return outstanding.size();
    }

    void clear() {
        outstanding.clear();
    }
}
