package dev.binlogrelay.server.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder for tests: what a relay sees as one upstream address, while the test points it at one
 * server or another ({@link #retarget}) and cuts the open connections ({@link #dropConnections}), as a failover
 * behind a fixed address would.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile int targetPort;
    private volatile boolean closed;
    /** When >= 0: the byte this far into what the server sends after the client's dump command is flipped. */
    private volatile long corruptAfterDump = -1;

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void retarget(int port) {
        this.targetPort = port;
    }

    /**
     * In every connection from now on, flips the byte {@code offset} bytes into what the server sends after the client
     * sent a binlog dump command (COM_BINLOG_DUMP or COM_BINLOG_DUMP_GTID); -1 stops that.
     */
    void corruptAfterDump(long offset) {
        this.corruptAfterDump = offset;
    }

    /** Closes every forwarded connection (both sides); new ones go to the current target. */
    void dropConnections() {
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
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
                open.add(client);
                open.add(upstream);
                java.util.concurrent.atomic.AtomicLong sinceDump = new java.util.concurrent.atomic.AtomicLong(-1); // bytes the server sent since the dump command; -1 before it
                pump(client, upstream, (buf, n) -> {
                    // a dump command: a packet with sequence id 0 and command byte 0x12 or 0x1E
                    if (sinceDump.get() < 0 && n >= 5 && buf[3] == 0 && (buf[4] == 0x12 || buf[4] == 0x1E)) {
                        sinceDump.set(0);
                    }
                });
                pump(upstream, client, (buf, n) -> {
                    long at = corruptAfterDump;
                    long start = sinceDump.get();
                    if (start >= 0) {
                        if (at >= start && at < start + n) {
                            buf[(int) (at - start)] ^= 0x5A;
                        }
                        sinceDump.set(start + n);
                    }
                });
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** Sees (and may change) each chunk before it is forwarded. */
    private interface Tap {
        void chunk(byte[] buf, int n);
    }

    private void pump(Socket from, Socket to, Tap tap) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    tap.chunk(buf, n);
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
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
        closeQuietly(server);
        dropConnections();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
