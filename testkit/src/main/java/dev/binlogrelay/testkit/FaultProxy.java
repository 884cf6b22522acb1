package dev.binlogrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fault-injecting loopback TCP proxy for tests: what a client sees as one server address, while the test breaks
 * the connections behind it in the ways networks and servers do.
 *
 * <ul>
 *   <li>{@link #retarget}: new connections go to another server (a failover behind a fixed address);</li>
 *   <li>{@link #dropConnections}: close every connection (FIN); {@link #resetConnections}: abort them (RST);</li>
 *   <li>{@link #resetAfterDump}: in every connection, abort both sides once the server has sent that many bytes after
 *       the client's binlog dump command, so the cut lands where the test wants it (inside an event, even inside a
 *       20 MiB one);</li>
 *   <li>{@link #resetOnceAfterMore}: abort the first dumping connection that receives that many more bytes from now
 *       on (long-lived connections included, wherever their stream stands);</li>
 *   <li>{@link #corruptAfterDump}: flip the byte at that offset instead;</li>
 *   <li>{@link #stall}: stop forwarding both ways and keep the sockets open: a peer that vanished without a FIN
 *       (half-open), found only by timeouts and heartbeats;</li>
 *   <li>{@link #trickle}: forward what the server sends at most this many bytes a second.</li>
 * </ul>
 * A dump command is recognised as a client packet with sequence id 0 and command byte 0x12 (COM_BINLOG_DUMP) or
 * 0x1E (COM_BINLOG_DUMP_GTID) at the start of a read; good enough for tests, where the client writes it in one go.
 */
public final class FaultProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final AtomicLong connections = new AtomicLong();
    private volatile int targetPort;
    private volatile boolean closed;
    private volatile long corruptAfterDump = -1;
    private volatile long resetAfterDump = -1;
    private final AtomicLong resetOnceAfterDump = new AtomicLong(-1);
    private final AtomicReference<Arming> resetOnceAfterMore = new AtomicReference<>();
    private final AtomicLong armings = new AtomicLong();
    private volatile boolean stalled;
    private volatile int trickleBytesPerSecond;

    public FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    public void retarget(int port) {
        this.targetPort = port;
    }

    /** Closes every forwarded connection (both sides, FIN); new ones go to the current target. */
    public void dropConnections() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** Aborts every forwarded connection (both sides, RST). */
    public void resetConnections() {
        for (Socket s : open) {
            abort(s);
        }
        open.clear();
    }

    /** In every connection from now on, flips the byte {@code offset} bytes into what the server sends after the dump command; -1 stops. */
    public void corruptAfterDump(long offset) {
        this.corruptAfterDump = offset;
    }

    /** In every connection from now on, aborts both sides after the server sent {@code offset} bytes after the dump command; -1 stops. */
    public void resetAfterDump(long offset) {
        this.resetAfterDump = offset;
    }

    /**
     * Like {@link #resetAfterDump}, for one connection only: the first that gets that far after its dump command is
     * aborted there; later ones are left alone.
     */
    public void resetOnceAfterDump(long offset) {
        resetOnceAfterDump.set(offset);
    }

    /**
     * Like {@link #resetOnceAfterDump}, counted from now instead of from the dump command: the first dumping
     * connection that receives {@code bytes} more bytes from the server (counted from the first bytes each one
     * receives after this call) is aborted there. Cuts long-lived connections too, at whatever point their
     * stream has reached; which connection is cut is a race between them.
     */
    public void resetOnceAfterMore(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes " + bytes);
        }
        resetOnceAfterMore.set(new Arming(bytes, armings.incrementAndGet()));
    }

    /** True until the connection armed by {@link #resetOnceAfterDump} or {@link #resetOnceAfterMore} was cut. */
    public boolean resetPending() {
        return resetOnceAfterDump.get() >= 0 || resetOnceAfterMore.get() != null;
    }

    /** Stops a pending {@link #resetOnceAfterDump} or {@link #resetOnceAfterMore}. */
    public void cancelPendingReset() {
        resetOnceAfterDump.set(-1);
        resetOnceAfterMore.set(null);
    }

    /** One {@link #resetOnceAfterMore} call: each connection counts its bytes from where it stood when it saw it. */
    private record Arming(long bytes, long id) {
    }

    /** Stops (true) or resumes (false) forwarding in both directions, keeping every socket open. */
    public void stall(boolean on) {
        this.stalled = on;
    }

    /** Forwards what servers send at most this fast (0: as fast as it comes). */
    public void trickle(int bytesPerSecond) {
        this.trickleBytesPerSecond = bytesPerSecond;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException e) {
                    closeQuietly(client);
                    continue;
                }
                connections.incrementAndGet();
                open.add(client);
                open.add(upstream);
                AtomicLong sinceDump = new AtomicLong(-1); // bytes the server sent after the dump command; -1 before
                pump(client, upstream, false, sinceDump);
                pump(upstream, client, true, sinceDump);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer, AtomicLong sinceDump) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            long seenArming = 0;
            long armedAt = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    while (stalled && !closed && !from.isClosed()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // holding the bytes while stalled
                    }
                    if (!fromServer) {
                        if (sinceDump.get() < 0 && n >= 5 && buf[3] == 0 && (buf[4] == 0x12 || buf[4] == 0x1E)) {
                            sinceDump.set(0);
                        }
                        out.write(buf, 0, n);
                        continue;
                    }
                    long start = sinceDump.get();
                    int forward = n;
                    boolean cut = false;
                    if (start >= 0) {
                        long corrupt = corruptAfterDump;
                        if (corrupt >= start && corrupt < start + n) {
                            buf[(int) (corrupt - start)] ^= 0x5A;
                        }
                        long reset = resetAfterDump;
                        long once = resetOnceAfterDump.get();
                        if (reset >= start && reset < start + n) {
                            forward = (int) (reset - start);
                            cut = true;
                        } else if (once >= start && once < start + n && resetOnceAfterDump.compareAndSet(once, -1)) {
                            forward = (int) (once - start);
                            cut = true;
                        }
                        Arming more = resetOnceAfterMore.get();
                        if (!cut && more != null) {
                            if (more.id() != seenArming) {
                                seenArming = more.id();
                                armedAt = start;
                            }
                            long at = armedAt + more.bytes();
                            if (at >= start && at < start + n && resetOnceAfterMore.compareAndSet(more, null)) {
                                forward = (int) (at - start);
                                cut = true;
                            }
                        }
                        sinceDump.set(start + n);
                    }
                    write(out, buf, forward);
                    if (cut) {
                        abort(from);
                        abort(to);
                        return;
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void write(OutputStream out, byte[] buf, int n) throws IOException {
        int rate = trickleBytesPerSecond;
        if (rate <= 0) {
            out.write(buf, 0, n);
            out.flush();
            return;
        }
        int slice = Math.max(1, rate / 20);
        for (int off = 0; off < n; off += slice) {
            int len = Math.min(slice, n - off);
            out.write(buf, off, len);
            out.flush();
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1) * len / rate); // the trickle's pace, not a synchronisation
        }
    }

    private static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        dropConnections();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
