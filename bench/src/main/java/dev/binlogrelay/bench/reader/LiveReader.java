package dev.binlogrelay.bench.reader;

import dev.binlogrelay.core.protocol.ErrPacket;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One reader on its own thread, reading a blocking dump a packet at a time: the reader of the live-latency
 * and behind-reader benchmarks. It stamps {@link System#nanoTime()} on every packet as it is read and, for
 * rows events, looks for the writer's marker ({@code LAT:} and 12 digits, see {@code PacedWriter}) to record
 * when each transaction arrived. It also folds every event from the files into a {@link StreamTally}-style
 * count and fingerprint, optionally stopping once it holds {@code stopAtBytes} bytes of them (a reader that
 * started behind and must get exactly the files' bytes up to a point).
 *
 * <pre>
 * event packet : 0x00 | timestamp (4) | type (1) | server_id (4) | event_size (4) | log_pos (4) | flags (2) | body | crc32 (4)
 * </pre>
 *
 * Threading: the reader thread writes everything; other threads read the volatile totals and the arrival array
 * (entries are written once, read after {@link #awaitArrivals} or {@link #awaitBound}).
 */
public final class LiveReader implements AutoCloseable {
    private static final int WRITE_ROWS_V1 = 23;
    private static final int WRITE_ROWS_V2 = 30;
    private static final byte[] MARKER = "LAT:".getBytes(StandardCharsets.US_ASCII);
    public static final int MARKER_DIGITS = 12;

    private final String name;
    private final ReaderConnection connection;
    private final long[] arrivals;
    private final long firstId;
    private final long stopAtBytes;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile boolean closing;
    private volatile String problem;
    private volatile long realEvents;
    private volatile long realEventBytes;
    private volatile long fingerprint;
    private volatile long arrived;
    private volatile long boundNanos;
    private volatile long startNanos;

    /**
     * Logs in and sends a blocking COM_BINLOG_DUMP from {@code file:position}; arrivals of marker ids
     * {@code firstId .. firstId + arrivals.length - 1} go into {@code arrivals} (may be null).
     */
    public LiveReader(String name, FanOut.Target target, String file, long position, long serverId, long[] arrivals,
                      long firstId, long stopAtBytes) throws IOException {
        this.name = name;
        this.arrivals = arrivals;
        this.firstId = firstId;
        this.stopAtBytes = stopAtBytes;
        this.connection = ReaderConnection.open(target.host(), target.port(), target.user(), target.password(), 0);
        try {
            connection.prepareForDump();
            startNanos = System.nanoTime();
            connection.requestDump(file, position, 0, serverId);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
        this.thread = new Thread(this::run, "bench-live-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closing) {
                byte[] p = connection.readDumpPacket();
                long now = System.nanoTime();
                started.countDown();
                int first = p.length == 0 ? -1 : p[0] & 0xFF;
                if (first == 0x00 && p.length >= 20) {
                    if (event(p, now)) {
                        return;
                    }
                } else if (first == 0xFE && p.length < 9) {
                    problem = "EOF in a blocking dump";
                    return;
                } else if (first == 0xFF) {
                    problem = "server error " + ErrPacket.decode(Unpooled.wrappedBuffer(p));
                    return;
                } else {
                    problem = "unexpected packet of " + p.length + " bytes starting with " + first;
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                problem = "read failed: " + e;
            }
        } finally {
            started.countDown();
            bound.countDown();
        }
    }

    /** True when the reader is done (reached its byte bound). */
    private boolean event(byte[] p, long now) {
        int type = p[1 + 4] & 0xFF;
        long size = Integer.toUnsignedLong(DumpStreamCounter.intLe(p, 1 + 9));
        int flags = (p[1 + 17] & 0xFF) | (p[1 + 18] & 0xFF) << 8;
        if (size != p.length - 1) {
            problem = "event of type " + type + " says event_size " + size + " but its packet carries " + (p.length - 1);
            return true;
        }
        if ((flags & DumpStreamCounter.ARTIFICIAL_FLAG) != 0 || type == DumpStreamCounter.HEARTBEAT) {
            return false;
        }
        realEvents++;
        realEventBytes += size;
        fingerprint = StreamTally.mix(fingerprint, type, size, DumpStreamCounter.intLe(p, p.length - 4));
        if (arrivals != null && (type == WRITE_ROWS_V1 || type == WRITE_ROWS_V2)) {
            long id = markerId(p);
            if (id >= firstId && id - firstId < arrivals.length && arrivals[(int) (id - firstId)] == 0) {
                arrivals[(int) (id - firstId)] = now;
                arrived++;
            }
        }
        if (stopAtBytes >= 0 && realEventBytes >= stopAtBytes) {
            boundNanos = now;
            bound.countDown();
            return true;
        }
        return false;
    }

    /** The id after the first {@code LAT:} marker in a rows event, or -1. */
    static long markerId(byte[] p) {
        outer:
        for (int i = 20; i + MARKER.length + MARKER_DIGITS <= p.length; i++) {
            for (int k = 0; k < MARKER.length; k++) {
                if (p[i + k] != MARKER[k]) {
                    continue outer;
                }
            }
            long id = 0;
            for (int k = 0; k < MARKER_DIGITS; k++) {
                int d = p[i + MARKER.length + k] - '0';
                if (d < 0 || d > 9) {
                    continue outer;
                }
                id = id * 10 + d;
            }
            return id;
        }
        return -1;
    }

    /** Waits until the dump has started (the first packet arrived). */
    public void awaitStarted(Duration timeout) throws InterruptedException {
        if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + ": no packet within " + timeout);
        }
        if (problem != null) {
            throw new IllegalStateException(name + ": " + problem);
        }
    }

    /** Waits until {@code count} marked transactions arrived; false on timeout or a failed stream. */
    public boolean awaitArrivals(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrived < count && problem == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return arrived >= count;
    }

    /** Waits until the reader holds {@code stopAtBytes} bytes of events; false on timeout or a failed stream. */
    public boolean awaitBound(Duration timeout) throws InterruptedException {
        bound.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return problem == null && boundNanos != 0;
    }

    public String name() {
        return name;
    }

    public String problem() {
        return problem;
    }

    public long realEventBytes() {
        return realEventBytes;
    }

    public long arrived() {
        return arrived;
    }

    /** When the dump was requested and when the byte bound was reached ({@link System#nanoTime()}; 0: not yet). */
    public long startNanos() {
        return startNanos;
    }

    public long boundNanos() {
        return boundNanos;
    }

    /** Null when the reader got exactly {@code e}'s events (count, bytes, fingerprint), else what differs. */
    public String check(BinlogFiles.Expected e) {
        if (problem != null) {
            return problem;
        }
        if (realEvents != e.events() || realEventBytes != e.eventBytes() || fingerprint != e.fingerprint()) {
            return "got " + realEvents + " events / " + realEventBytes + " B / fingerprint " + Long.toHexString(fingerprint)
                    + ", expected " + e.events() + " / " + e.eventBytes() + " B / " + Long.toHexString(e.fingerprint());
        }
        return null;
    }

    @Override
    public void close() {
        closing = true;
        connection.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
