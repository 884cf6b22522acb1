package dev.binlogrelay.bench.reader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Thousands of raw readers holding blocking dumps at the tail of one server, in one JVM: each logs in on a small
 * pool of threads (blocking, in waves of {@code wave} connections, the next wave only once every reader of the last
 * has its first packet), then its socket goes non-blocking to one of a few selector threads that share a read
 * buffer each. A reader's state is a {@link TailStream}: its framing, a bit per transaction of the writer and,
 * for every {@code sampleEvery}-th reader, the transactions' arrival times.
 *
 * <p>Threading: {@link #open}, {@link #awaitArrivals} and {@link #close} are called by one thread; the selector
 * threads own the streams' parsing state; the arrival times are read after {@link #close} (which joins them).
 */
public final class TailReaders implements AutoCloseable {
    private static final int READ_BUFFER = 256 * 1024;

    /** How many readers {@link #open} got to the tail, and why it stopped short (null when all did). */
    public record Opened(int readers, String stoppedBecause) {
    }

    private final List<ReaderConnection> connections = new ArrayList<>();
    private final List<TailStream> streams = new ArrayList<>();
    private final List<Loop> loops = new ArrayList<>();

    /** Starts {@code selectorThreads} read loops; readers come with {@link #open}. */
    public TailReaders(int selectorThreads) throws IOException {
        for (int t = 0; t < selectorThreads; t++) {
            Loop loop = new Loop(Selector.open());
            loops.add(loop);
            loop.thread.start();
        }
    }

    /**
     * Opens up to {@code n} readers dumping from {@code file:position} (server ids {@code serverIdBase + i}) whose
     * writer's ids are {@code firstId .. firstId + count - 1}. Before each wave {@code guard} may return a reason to
     * stop (e.g. the server's memory); a reader that cannot log in or start its dump stops the opening too. Readers
     * already open stay open either way.
     */
    public Opened open(FanOut.Target target, String file, long position, int n, long serverIdBase, long firstId, int count,
                       int sampleEvery, long baseNanos, int wave, int loginThreads, Duration waveTimeout,
                       Supplier<String> guard) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(loginThreads, r -> new Thread(r, "bench-scale-login"));
        try {
            while (connections.size() < n) {
                String stop = guard.get();
                if (stop != null) {
                    return new Opened(connections.size(), stop);
                }
                int from = connections.size();
                int to = Math.min(n, from + wave);
                List<Future<ReaderConnection>> pending = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    long serverId = serverIdBase + i;
                    pending.add(pool.submit(() -> {
                        ReaderConnection c = ReaderConnection.open(target.host(), target.port(), target.user(),
                                target.password(), 0);
                        try {
                            c.prepareForDump();
                            c.requestDump(file, position, 0, serverId);
                            c.channel().configureBlocking(false);
                        } catch (IOException | RuntimeException e) {
                            c.close();
                            throw e;
                        }
                        return c;
                    }));
                }
                String failed = null;
                List<TailStream> wave0 = new ArrayList<>();
                long deadline = System.nanoTime() + waveTimeout.toNanos();
                for (Future<ReaderConnection> f : pending) {
                    try {
                        // a server out of file descriptors leaves connections in its accept queue, unanswered
                        ReaderConnection c = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        int index = connections.size();
                        TailStream s = new TailStream(firstId, count, index % sampleEvery == 0, baseNanos);
                        connections.add(c);
                        streams.add(s);
                        wave0.add(s);
                        loops.get(index % loops.size()).add(c, s);
                    } catch (ExecutionException e) {
                        failed = failed != null ? failed : String.valueOf(e.getCause().getMessage());
                    } catch (TimeoutException e) {
                        f.cancel(true); // interrupting the login closes its channel
                        failed = failed != null ? failed : "no answer to the login within " + waveTimeout;
                    }
                }
                if (failed != null) {
                    return new Opened(connections.size(), "reader " + (connections.size() + 1) + " failed: " + failed);
                }
                for (TailStream s : wave0) {
                    while (!s.started() && s.problem() == null && System.nanoTime() < deadline) {
                        Thread.sleep(2);
                    }
                    if (!s.started() || s.problem() != null) {
                        return new Opened(connections.size(), "a reader of the wave from " + from + " did not start its dump"
                                + " within " + waveTimeout + (s.problem() == null ? "" : ": " + s.problem()));
                    }
                }
            }
            return new Opened(connections.size(), null);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Waits until every reader has the first {@code n} transactions or failed, at most {@code timeout}; returns the
     * readers still short (0: all complete).
     */
    public int awaitArrivals(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int short0 = 0;
        for (TailStream s : streams) {
            while (s.arrived() < n && s.problem() == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (s.arrived() < n) {
                short0++;
            }
        }
        return short0;
    }

    /**
     * Closes and forgets the readers whose dump failed (a server that took the connection but could not serve it);
     * returns how many, and the first one's problem in {@code firstProblem}.
     */
    public int dropFailed(String[] firstProblem) {
        int dropped = 0;
        for (int i = streams.size() - 1; i >= 0; i--) {
            String p = streams.get(i).problem();
            if (p != null) {
                firstProblem[0] = p;
                connections.remove(i).close();
                streams.remove(i);
                dropped++;
            }
        }
        return dropped;
    }

    public int size() {
        return streams.size();
    }

    /** The first problem of a reader, with its index, or null. */
    public String firstProblem() {
        for (int i = 0; i < streams.size(); i++) {
            if (streams.get(i).problem() != null) {
                return "reader " + i + ": " + streams.get(i).problem();
            }
        }
        return null;
    }

    /** Readers that miss one of the first {@code n} transactions, and the missing transactions in all. */
    public long[] missing(int n) {
        long readers = 0;
        long txs = 0;
        for (TailStream s : streams) {
            int m = s.missingOf(n);
            if (m > 0) {
                readers++;
                txs += m;
            }
        }
        return new long[] {readers, txs};
    }

    /** Arrival latencies of transactions {@code from .. to - 1} at the sampled readers, nanoseconds (after {@link #close}). */
    public long[] sampledLatencies(int from, int to, java.util.function.IntToLongFunction sentNanos) {
        List<TailStream> sampled = streams.stream().filter(TailStream::sampled).toList();
        long[] out = new long[sampled.size() * Math.max(0, to - from)];
        int k = 0;
        for (TailStream s : sampled) {
            for (int i = from; i < to; i++) {
                long a = s.arrivalNanos(i);
                if (a != 0) {
                    out[k++] = a - sentNanos.applyAsLong(i);
                }
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    public int sampledReaders() {
        return (int) streams.stream().filter(TailStream::sampled).count();
    }

    /** CPU seconds of the selector threads so far (the bench's own reading cost). */
    public double readerCpuSeconds() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return loops.stream().mapToLong(l -> Math.max(0, mx.getThreadCpuTime(l.thread.getId()))).sum() / 1e9;
    }

    /** Stops the read loops and closes every connection. */
    @Override
    public void close() {
        for (Loop l : loops) {
            l.running = false;
            l.selector.wakeup();
        }
        for (Loop l : loops) {
            try {
                l.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        connections.forEach(ReaderConnection::close);
    }

    private static final class Loop implements Runnable {
        private final Selector selector;
        private final Queue<Object[]> incoming = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        private final Thread thread;
        private volatile boolean running = true;

        Loop(Selector selector) {
            this.selector = selector;
            this.thread = new Thread(this, "bench-scale-reader");
            thread.setDaemon(true);
        }

        void add(ReaderConnection c, TailStream s) {
            incoming.add(new Object[] {c, s});
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    for (Object[] a; (a = incoming.poll()) != null; ) {
                        try {
                            ((ReaderConnection) a[0]).channel().register(selector, SelectionKey.OP_READ, a);
                        } catch (ClosedChannelException e) {
                            ((TailStream) a[1]).fail("closed before its dump was read");
                        }
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey key : keys) {
                        if (key.isValid()) {
                            read(key, (Object[]) key.attachment());
                        }
                    }
                    keys.clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reader selector failed", e);
            } finally {
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        private void read(SelectionKey key, Object[] a) {
            ReaderConnection c = (ReaderConnection) a[0];
            TailStream s = (TailStream) a[1];
            buffer.clear();
            int r;
            try {
                r = c.channel().read(buffer);
            } catch (IOException e) {
                s.fail("read failed: " + e.getMessage());
                key.cancel();
                return;
            }
            if (r < 0) {
                s.fail("the server closed the connection after " + s.arrived() + " transactions");
                key.cancel();
                return;
            }
            buffer.flip();
            s.feed(buffer, System.nanoTime());
            if (s.problem() != null) {
                key.cancel();
            }
        }
    }
}
