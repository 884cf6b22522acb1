package dev.binlogrelay.server.canal.entry;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The Canal entries of stored rows events, decoded once and shared by every client stream that reads them.
 *
 * <p><b>What is cached.</b> Key: the rows event's file and start position in the store. Value: its entries
 * <em>unfiltered</em> and serialized ({@link EncodedEntry}: the bytes a client is sent, plus schema and table for
 * its filter). Decoding a rows event depends only on the stored bytes, the file's format description and the
 * schema history's definition at that position, never on the client, its destination or its filter, so one value
 * serves every client; each filters by the schema and table kept beside the bytes (a string compare against a
 * per-client memo, no parse). Caching per (destination, filter) instead would decode the same event once per
 * destination: the bench's 8 clients have 8 destinations, so it would save nothing there. Only rows events are
 * cached: they are where the decoding cost is (value formatting, protobuf building, schema lookups), and the other
 * events must reach each stream anyway (QUERY tells its schema tracker of DDL; TABLE_MAPs are decoded by a stream
 * only when it has to decode a rows event itself). MySQL's TRANSACTION_PAYLOAD events are not cached (their
 * inner events must reach the stream's schema tracker).
 *
 * <p>Measured with the bench's canal scenario (quick mode: 54,000 row changes to 8 clients of 8 destinations, 3 runs,
 * on the shared 2-core machine): the relay's CPU per million rows went from 16.2 / 11.6 / 11.1 s without the cache
 * (Canal 1.1.7 in the same runs: 20.7 / 10.7 / 10.0) to 4.9 / 3.3 / 3.7 s with it and read-ahead (Canal: 13.6 /
 * 10.1 / 9.6), about a third of Canal's, where before each of the 8 streams decoded everything itself.
 *
 * <p><b>Eviction is oldest-inserted first, by bytes</b>, for the reason storage's {@code SegmentCache} gives:
 * clients move forward through the binlog, so the value decoded longest ago is the least likely to be wanted
 * again, where a frequency-based policy would keep old values every client touched and refuse the newest, which
 * the slower clients are about to ask for. The bound counts each entry's bytes plus {@link EncodedEntry#OVERHEAD},
 * and what is cached is reported to {@code accounting} (the Canal memory budget) as it comes and goes.
 *
 * <p><b>One decode per key.</b> The first stream to miss a key decodes it; a stream asking for a key being decoded
 * waits for it, however long it takes (the owner completes the slot on every path, a failure too; a timeout would
 * have every waiter decode a slow event again). A decode that fails is not cached and is not handed on: each
 * stream waiting for it then decodes the event itself and meets the error (or not) itself. A value larger than an eighth of the bound is handed to its stream
 * and not kept.
 *
 * <p>Threading: any thread; a stream calls {@link #get} on its worker with its own decoder.
 */
public final class EntryCache {
    private static final long KEY_OVERHEAD = 128;
    /** How often a stream waiting for another's decode looks whether it left the rest to a {@link Deferred}. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** A stored event: its file and start position. */
    public record Key(String file, long position) {
    }

    private static final class Slot {
        final Key key;
        final CompletableFuture<List<EncodedEntry>> value = new CompletableFuture<>();
        /** The decode still to finish when the slot was taken by {@link #later}: whoever needs it runs it. */
        volatile Deferred later;
        long counted;

        Slot(Key key) {
            this.key = key;
        }
    }

    private final long maxBytes;
    private final LongConsumer accounting;
    private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();
    private final Queue<Slot> order = new ConcurrentLinkedQueue<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /**
     * @param maxBytes   the bound on what is kept (entry bytes plus overhead)
     * @param accounting told +n when n bytes are kept and -n when they are evicted
     */
    public EntryCache(long maxBytes, LongConsumer accounting) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("an entry cache must hold more than 0 bytes, not " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.accounting = accounting;
    }

    /**
     * The entries of the event at {@code key}: cached, or decoded by another stream now (waiting for it), or made
     * by {@code decoder} (and kept).
     */
    public List<EncodedEntry> get(Key key, Supplier<List<EncodedEntry>> decoder) {
        Slot s = slots.get(key);
        if (s == null) {
            Slot mine = new Slot(key);
            s = slots.putIfAbsent(key, mine);
            if (s == null) {
                misses.incrementAndGet();
                return decode(mine, decoder);
            }
        }
        hits.incrementAndGet();
        return await(s, decoder);
    }

    /**
     * The value of a slot another stream owns: waits for it however long the decode takes (the owner completes the
     * slot on every path), in slices so that a decode the owner left to a {@link Deferred} meanwhile is joined (run
     * here if no worker has started it: a worker queue full of waiters cannot hold it up). A failed decode is not
     * this stream's error: it decodes the event itself.
     */
    private static List<EncodedEntry> await(Slot s, Supplier<List<EncodedEntry>> decoder) {
        try {
            while (true) {
                Deferred d = s.later;
                if (d != null && !s.value.isDone()) {
                    try {
                        return d.join();
                    } catch (RuntimeException | Error failed) {
                        return decoder.get();
                    }
                }
                try {
                    return s.value.get(SLICE_NANOS, TimeUnit.NANOSECONDS);
                } catch (TimeoutException stillDecoding) {
                    // wait on: the owner is decoding the values, or a worker makes the entries
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return decoder.get();
        } catch (ExecutionException e) {
            return decoder.get();
        }
    }

    /**
     * As {@link #get}, for a decode in two parts: on a miss {@code decoder} runs now (the part that must run in the
     * stream's order) and returns the rest, which the returned {@link Deferred} runs (on a worker, or on whichever
     * stream joins it first) and then keeps. A stream finding the key taken this way shares its Deferred; one finding
     * it being decoded by {@link #get} waits as there, now.
     */
    public Deferred later(Key key, Supplier<Supplier<List<EncodedEntry>>> decoder) {
        Slot s = slots.get(key);
        if (s == null) {
            Slot mine = new Slot(key);
            s = slots.putIfAbsent(key, mine);
            if (s == null) {
                misses.incrementAndGet();
                Supplier<List<EncodedEntry>> rest;
                try {
                    rest = decoder.get();
                } catch (Throwable e) {
                    abandon(mine, e);
                    throw e;
                }
                Deferred d = new Deferred(() -> decode(mine, rest));
                mine.later = d;
                return d;
            }
        }
        hits.incrementAndGet();
        Deferred d = s.later;
        if (d != null) {
            return d;
        }
        return Deferred.done(await(s, () -> decoder.get().get()));
    }

    /**
     * A decode this stream owned failed: the slot leaves the cache and completes with the failure, so that every
     * stream waiting on it decodes the event itself (see {@link #await}); every failure path of an owner ends here.
     */
    private void abandon(Slot mine, Throwable failure) {
        slots.remove(mine.key, mine);
        mine.value.completeExceptionally(failure);
    }

    private List<EncodedEntry> decode(Slot mine, Supplier<List<EncodedEntry>> decoder) {
        List<EncodedEntry> v;
        try {
            v = List.copyOf(decoder.get());
        } catch (Throwable e) { // a sneaky checked one too
            abandon(mine, e);
            throw e;
        }
        long counted = KEY_OVERHEAD;
        for (EncodedEntry e : v) {
            counted += e.counted();
        }
        mine.counted = counted;
        if (counted > maxBytes / 8) {
            slots.remove(mine.key, mine); // too big to keep: waiting streams still get it
            mine.value.complete(v);
            return v;
        }
        bytes.addAndGet(counted);
        accounting.accept(counted);
        order.add(mine);
        mine.value.complete(v);
        while (bytes.get() > maxBytes) {
            Slot old = order.poll();
            if (old == null) {
                break;
            }
            slots.remove(old.key, old);
            bytes.addAndGet(-old.counted);
            accounting.accept(-old.counted);
        }
        return v;
    }

    /** Drops every value (their bytes are released from the accounting). */
    public void clear() {
        for (Slot old; (old = order.poll()) != null; ) {
            slots.remove(old.key, old);
            bytes.addAndGet(-old.counted);
            accounting.accept(-old.counted);
        }
    }

    /** Bytes kept now (entry bytes plus overhead). */
    public long bytes() {
        return bytes.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Lookups that found the event cached or being decoded. */
    public long hits() {
        return hits.get();
    }

    /** Lookups that decoded the event. */
    public long misses() {
        return misses.get();
    }
}
