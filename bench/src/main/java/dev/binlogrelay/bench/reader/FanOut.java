package dev.binlogrelay.bench.reader;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * N raw readers that each dump the whole binlog from one server, all at once. {@link #connect} logs every reader
 * in (blocking, on a small pool, not timed); {@link #stream} sends every COM_BINLOG_DUMP and reads the streams on
 * a few selector threads that share one read buffer each, so a thousand readers fit on two cores. Each reader's
 * per-connection state is a {@link DumpStreamCounter} of a few dozen bytes.
 *
 * <p>Threading: {@link #connect}, {@link #stream} and {@link #close} are called by one thread; the read loops
 * own the counters of their readers until the stream call returns.
 */
public final class FanOut implements AutoCloseable {
    private static final int READ_BUFFER = 512 * 1024;
    private static final int READS_PER_WAKEUP = 4;

    /** A server to read from. */
    public record Target(String name, String host, int port, String user, String password) {
    }

    /** One reader's result; times are {@link System#nanoTime()}. */
    public record ReaderResult(int index, StreamTally tally, long startNanos, long endNanos) {
        public double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    /** All readers of one run; the wall time runs from the first dump request to the last EOF. */
    public record Outcome(List<ReaderResult> readers, long startNanos, long endNanos, double readerCpuSeconds) {
        public double wallSeconds() {
            return (endNanos - startNanos) / 1e9;
        }

        public long wireBytes() {
            return readers.stream().mapToLong(r -> r.tally().wireBytes()).sum();
        }
    }

    private final Target target;
    private final List<ReaderConnection> connections;

    private FanOut(Target target, List<ReaderConnection> connections) {
        this.target = target;
        this.connections = connections;
    }

    /** Opens {@code readers} connections, logs them in and prepares them for a dump; all or none. */
    public static FanOut connect(Target target, int readers, int loginThreads, int receiveBuffer) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(readers, loginThreads)),
                r -> new Thread(r, "bench-login"));
        List<Future<ReaderConnection>> pending = new ArrayList<>(readers);
        List<ReaderConnection> opened = new ArrayList<>(readers);
        try {
            for (int i = 0; i < readers; i++) {
                pending.add(pool.submit(() -> {
                    ReaderConnection c = ReaderConnection.open(target.host(), target.port(), target.user(),
                            target.password(), receiveBuffer);
                    try {
                        c.prepareForDump();
                    } catch (IOException | RuntimeException e) {
                        c.close();
                        throw e;
                    }
                    return c;
                }));
            }
            IOException failure = null;
            for (Future<ReaderConnection> f : pending) {
                try {
                    opened.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) {
                        failure = new IOException(target.name() + ": cannot open reader " + opened.size() + " of "
                                + readers + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            if (failure != null) {
                opened.forEach(ReaderConnection::close);
                throw failure;
            }
            return new FanOut(target, opened);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opened.forEach(ReaderConnection::close);
            throw new IOException("interrupted while connecting readers to " + target.name(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Every reader dumps {@code file} from position 4 to the end of the binlog (non-blocking dump). The first
     * reader also checks every event's CRC32 when {@code verifyFirst}. Readers still running at {@code timeout}
     * are closed and reported with a problem.
     */
    public Outcome stream(String file, int flags, long serverIdBase, int readerThreads, boolean verifyFirst,
                          Duration timeout) throws IOException, InterruptedException {
        int n = connections.size();
        CountDownLatch done = new CountDownLatch(n);
        List<ReaderState> states = new ArrayList<>(n);
        List<ReadLoop> loops = new ArrayList<>();
        for (int t = 0; t < Math.max(1, Math.min(readerThreads, n)); t++) {
            ReadLoop loop = new ReadLoop(Selector.open(), done);
            loops.add(loop);
            loop.thread.start();
        }
        long start = System.nanoTime();
        boolean all;
        try {
            for (int i = 0; i < n; i++) {
                ReaderConnection c = connections.get(i);
                ReaderState s = new ReaderState(i, c, new DumpStreamCounter(verifyFirst && i == 0));
                states.add(s);
                s.start = System.nanoTime();
                c.requestDump(file, 4, flags, serverIdBase + i);
                c.channel().configureBlocking(false);
                loops.get(i % loops.size()).add(s);
            }
            all = done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            for (ReadLoop loop : loops) {
                loop.stop();
            }
        }
        double cpu = loops.stream().mapToDouble(l -> l.cpuSeconds).sum();
        long end = 0;
        List<ReaderResult> results = new ArrayList<>(n);
        for (ReaderState s : states) {
            if (s.end == 0) {
                s.counter.tally().problem = "still reading after " + timeout + " (" + s.counter.tally().wireBytes() + " bytes)";
                s.end = System.nanoTime();
            }
            end = Math.max(end, s.end);
            results.add(new ReaderResult(s.index, s.counter.tally(), s.start, s.end));
        }
        if (!all) {
            close();
        }
        return new Outcome(results, start, end, cpu);
    }

    @Override
    public void close() {
        connections.forEach(ReaderConnection::close);
    }

    @Override
    public String toString() {
        return "FanOut[" + target.name() + ", " + connections.size() + " readers]";
    }

    private static final class ReaderState {
        final int index;
        final ReaderConnection connection;
        final DumpStreamCounter counter;
        volatile long start;
        volatile long end;

        ReaderState(int index, ReaderConnection connection, DumpStreamCounter counter) {
            this.index = index;
            this.connection = connection;
            this.counter = counter;
        }
    }

    /** One selector thread with its own read buffer. */
    private static final class ReadLoop implements Runnable {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final Selector selector;
        private final CountDownLatch done;
        private final Queue<ReaderState> incoming = new ConcurrentLinkedQueue<>();
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        private final Thread thread;
        private volatile boolean running = true;
        private volatile double cpuSeconds;

        ReadLoop(Selector selector, CountDownLatch done) {
            this.selector = selector;
            this.done = done;
            this.thread = new Thread(this, "bench-reader");
            thread.setDaemon(true);
        }

        void add(ReaderState s) {
            incoming.add(s);
            selector.wakeup();
        }

        void stop() throws InterruptedException {
            running = false;
            selector.wakeup();
            thread.join(10_000);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    selector.select(100);
                    for (ReaderState s; (s = incoming.poll()) != null; ) {
                        try {
                            s.connection.channel().register(selector, SelectionKey.OP_READ, s);
                        } catch (ClosedChannelException e) {
                            s.counter.closedEarly();
                            finish(s, null);
                        }
                    }
                    var keys = selector.selectedKeys();
                    for (SelectionKey key : keys) {
                        if (key.isValid()) {
                            read(key, (ReaderState) key.attachment());
                        }
                    }
                    keys.clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reader selector failed", e);
            } finally {
                cpuSeconds = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() / 1e9 : 0;
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        private void read(SelectionKey key, ReaderState s) {
            SocketChannel ch = s.connection.channel();
            for (int i = 0; i < READS_PER_WAKEUP; i++) {
                buffer.clear();
                int r;
                try {
                    r = ch.read(buffer);
                } catch (IOException e) {
                    s.counter.tally().problem = "read failed: " + e.getMessage();
                    finish(s, key);
                    return;
                }
                if (r < 0) {
                    s.counter.closedEarly();
                    finish(s, key);
                    return;
                }
                if (r == 0) {
                    return;
                }
                buffer.flip();
                s.counter.feed(buffer);
                if (s.counter.finished()) {
                    finish(s, key);
                    return;
                }
                if (r < buffer.capacity()) {
                    return;
                }
            }
        }

        private void finish(ReaderState s, SelectionKey key) {
            s.end = System.nanoTime();
            if (key != null) {
                key.cancel();
            }
            s.connection.close();
            done.countDown();
        }
    }
}
