package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.Map;

/**
 * A blocking MySQL client that does TLS through an {@link SSLEngine}, so a test decides how bytes hit the
 * socket: with {@code coalesce}, the SSL request packet and the TLS ClientHello go out in one write, as a
 * fast client on a busy network may deliver them.
 */
final class TlsRawClient {
    private final InputStream in;
    private final OutputStream out;
    private final SSLEngine engine;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private byte[] pending;

    private TlsRawClient(Socket socket, SSLEngine engine) throws IOException {
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        this.netIn.flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.appIn.flip();
    }

    /** Logs in over TLS; returns "OK" or the ERR packet's text. */
    static String login(int port, String user, String password, boolean coalesce) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            HandshakeV10 hs = HandshakeV10.decode(Unpooled.wrappedBuffer(readPlainPacket(new DataInputStream(s.getInputStream()))));
            if ((hs.capabilities() & Capabilities.SSL) == 0) {
                throw new IOException("the server does not offer TLS");
            }
            int caps = Capabilities.CLIENT_DEFAULT & hs.capabilities() | Capabilities.PROTOCOL_41
                    | Capabilities.SECURE_CONNECTION | Capabilities.SSL;
            byte[] sslRequest = packet(1, HandshakeResponse41.encodeSslRequest(ByteBufAllocator.DEFAULT, caps, 1 << 24, 45));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{new TrustAll()}, null);
            SSLEngine engine = ctx.createSSLEngine("127.0.0.1", port);
            engine.setUseClientMode(true);
            TlsRawClient c = new TlsRawClient(s, engine);
            if (coalesce) {
                c.pending = sslRequest;
            } else {
                s.getOutputStream().write(sslRequest);
                s.getOutputStream().flush();
            }
            c.handshake();
            String plugin = hs.authPluginName();
            byte[] auth = NativePassword.scramble(password, hs.scramble());
            c.write(packet(2, new HandshakeResponse41(caps, 1 << 24, 45, user, auth, null, NativePassword.PLUGIN, Map.of())
                    .encode(ByteBufAllocator.DEFAULT)));
            byte[] reply = c.readPacket();
            if (reply.length > 0 && (reply[0] & 0xFF) == 0xFE) {
                throw new IOException("auth switch to " + plugin + " not expected");
            }
            return reply.length > 0 && reply[0] == 0 ? "OK" : ErrPacket.decode(Unpooled.wrappedBuffer(reply)).toString();
        }
    }

    private void handshake() throws IOException {
        engine.beginHandshake();
        SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
        ByteBuffer empty = ByteBuffer.allocate(0);
        while (hs != SSLEngineResult.HandshakeStatus.FINISHED && hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            switch (hs) {
                case NEED_WRAP -> {
                    ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                    hs = engine.wrap(empty, net).getHandshakeStatus();
                    send(net.flip());
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> hs = unwrapOnce().getHandshakeStatus();
                case NEED_TASK -> {
                    for (Runnable t; (t = engine.getDelegatedTask()) != null; ) {
                        t.run();
                    }
                    hs = engine.getHandshakeStatus();
                }
                default -> throw new IllegalStateException(hs.toString());
            }
        }
    }

    private SSLEngineResult unwrapOnce() throws IOException {
        while (true) {
            appIn.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            switch (r.getStatus()) {
                case OK, CLOSED -> {
                    return r;
                }
                case BUFFER_UNDERFLOW -> fill();
                case BUFFER_OVERFLOW -> {
                    ByteBuffer bigger = ByteBuffer.allocate(appIn.capacity() * 2);
                    bigger.put(appIn).flip();
                    appIn = bigger;
                }
            }
        }
    }

    private void fill() throws IOException {
        netIn.compact();
        if (!netIn.hasRemaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(netIn.capacity() * 2);
            netIn.flip();
            bigger.put(netIn);
            netIn = bigger;
        }
        int n = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (n < 0) {
            throw new EOFException("connection closed during TLS");
        }
        netIn.position(netIn.position() + n);
        netIn.flip();
    }

    private void send(ByteBuffer net) throws IOException {
        byte[] b = new byte[net.remaining()];
        net.get(b);
        if (pending != null) {
            byte[] both = new byte[pending.length + b.length];
            System.arraycopy(pending, 0, both, 0, pending.length);
            System.arraycopy(b, 0, both, pending.length, b.length);
            b = both;
            pending = null;
        }
        out.write(b);
        out.flush();
    }

    private void write(byte[] plain) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(plain);
        while (src.hasRemaining()) {
            ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(src, net);
            send(net.flip());
        }
    }

    /** One packet (no 16 MiB joining: login packets are small). */
    private byte[] readPacket() throws IOException {
        byte[] header = readApp(4);
        int len = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
        return readApp(len);
    }

    private byte[] readApp(int n) throws IOException {
        while (appIn.remaining() < n) {
            SSLEngineResult r = unwrapOnce();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new EOFException("TLS closed by the server");
            }
        }
        byte[] b = new byte[n];
        appIn.get(b);
        return b;
    }

    private static byte[] packet(int seq, ByteBuf payload) {
        try {
            int len = payload.readableBytes();
            byte[] b = new byte[4 + len];
            b[0] = (byte) len;
            b[1] = (byte) (len >>> 8);
            b[2] = (byte) (len >>> 16);
            b[3] = (byte) seq;
            payload.readBytes(b, 4, len);
            return b;
        } finally {
            payload.release();
        }
    }

    private static byte[] readPlainPacket(DataInputStream in) throws IOException {
        int len = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
        in.readUnsignedByte();
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
