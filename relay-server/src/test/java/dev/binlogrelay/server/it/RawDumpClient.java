package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A minimal blocking replication client for tests that need control a stock tool does not give: choosing
 * the checksum a reader declares, or a reader that stops reading its socket. Uses the relay-core codecs.
 */
final class RawDumpClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int sequence;

    RawDumpClient(int port, String user, String password) throws IOException {
        this(port, user, password, 0);
    }

    /**
     * @param receiveBuffer SO_RCVBUF to ask for (0: the system's): a small one makes a reader that does not read
     *                      fill its side of the connection after a few KiB
     */
    RawDumpClient(int port, String user, String password, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        HandshakeV10 hs = HandshakeV10.decode(Unpooled.wrappedBuffer(read()));
        int caps = Capabilities.CLIENT_DEFAULT & hs.capabilities() | Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION;
        write(new HandshakeResponse41(caps, 1 << 30, 45, user, NativePassword.scramble(password, hs.scramble()), null,
                NativePassword.PLUGIN, Map.of()).encode(ByteBufAllocator.DEFAULT));
        expectOk(read(), "login");
    }

    void query(String sql) throws IOException {
        sequence = 0;
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        write(Unpooled.buffer().writeByte(Commands.COM_QUERY).writeBytes(q));
        expectOk(read(), sql);
    }

    /** Sends COM_BINLOG_DUMP (non-blocking) and returns every event until EOF. */
    List<byte[]> dumpAll(String file, long position, long serverId) throws IOException {
        return dumpAll(file, position, serverId, 1);
    }

    List<byte[]> dumpAll(String file, long position, long serverId, int flags) throws IOException {
        sendDump(file, position, serverId, flags);
        List<byte[]> events = new ArrayList<>();
        for (byte[] e; (e = readEvent()) != null; ) {
            events.add(e);
        }
        return events;
    }

    /** The next event of a dump, or null at EOF. */
    byte[] readEvent() throws IOException {
        byte[] p = read();
        if (p.length > 0 && (p[0] & 0xFF) == 0xFE && p.length < 9) {
            return null;
        }
        if (p.length > 0 && (p[0] & 0xFF) == 0xFF) {
            throw new IOException("dump failed: " + ErrPacket.decode(Unpooled.wrappedBuffer(p)));
        }
        byte[] e = new byte[p.length - 1];
        System.arraycopy(p, 1, e, 0, e.length);
        return e;
    }

    void sendDump(String file, long position, long serverId, int flags) throws IOException {
        sequence = 0;
        write(new BinlogDump(position, flags, serverId, file).encode(ByteBufAllocator.DEFAULT));
    }

    /** Sends one command packet (sequence id 0): for hostile or unusual commands. */
    void sendCommand(ByteBuf payload) throws IOException {
        sequence = 0;
        write(payload);
    }

    /** The next packet's payload (blocks up to the socket timeout; EOFException when the relay closed). */
    byte[] nextPacket() throws IOException {
        return read();
    }

    private static void expectOk(byte[] p, String what) throws IOException {
        if (p.length == 0 || p[0] != 0) {
            throw new IOException(what + " failed: " + (p.length > 0 && (p[0] & 0xFF) == 0xFF
                    ? ErrPacket.decode(Unpooled.wrappedBuffer(p)).toString() : "unexpected packet"));
        }
    }

    private void write(ByteBuf payload) throws IOException {
        byte[] b = new byte[payload.readableBytes()];
        payload.readBytes(b);
        payload.release();
        byte[] header = {(byte) b.length, (byte) (b.length >>> 8), (byte) (b.length >>> 16), (byte) sequence++};
        byte[] packet = new byte[header.length + b.length];
        System.arraycopy(header, 0, packet, 0, header.length);
        System.arraycopy(b, 0, packet, header.length, b.length);
        out.write(packet); // one write: a FaultProxy recognises a dump command only as one read
        out.flush();
    }

    /** One logical packet (joins 16 MiB chunks). */
    private byte[] read() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int len;
        do {
            len = in.readUnsignedByte() | in.readUnsignedByte() << 8 | in.readUnsignedByte() << 16;
            sequence = in.readUnsignedByte() + 1;
            byte[] b = new byte[len];
            in.readFully(b);
            all.write(b);
        } while (len == 0xFFFFFF);
        return all.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
