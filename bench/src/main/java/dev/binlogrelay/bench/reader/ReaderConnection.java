package dev.binlogrelay.bench.reader;

import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.QueryResponseReader;
import dev.binlogrelay.core.protocol.TextResultSet;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One replication client connection, blocking until the dump starts: login with mysql_native_password, text
 * queries, and the COM_BINLOG_DUMP request ({@link BinlogDump}), all with relay-core's codecs. After
 * {@link #requestDump} the {@link #channel()} is handed to {@link FanOut}, which reads the stream without blocking.
 */
public final class ReaderConnection implements AutoCloseable {
    /** The dump flag for a dump that ends with EOF at the end of the binlog ({@link BinlogDump#NON_BLOCK}). */
    public static final int DUMP_NON_BLOCK = BinlogDump.NON_BLOCK;
    private static final int MAX_PACKET = 1 << 24;

    private final String peer;
    private final SocketChannel channel;
    private int sequence;

    private ReaderConnection(String peer, SocketChannel channel) {
        this.peer = peer;
        this.channel = channel;
    }

    /** Connects and logs in; {@code receiveBuffer} 0 leaves the socket's receive buffer to the kernel. */
    public static ReaderConnection open(String host, int port, String user, String password, int receiveBuffer)
            throws IOException {
        String peer = host + ":" + port;
        SocketChannel ch = SocketChannel.open();
        try {
            if (receiveBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(new InetSocketAddress(host, port));
            ReaderConnection c = new ReaderConnection(peer, ch);
            c.login(user, password);
            return c;
        } catch (IOException e) {
            ch.close();
            throw new IOException(peer + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void login(String user, String password) throws IOException {
        byte[] first = readPacket();
        if ((first[0] & 0xFF) == ErrPacket.HEADER) {
            throw new IOException("refused the connection: " + ErrPacket.decode(Unpooled.wrappedBuffer(first)));
        }
        HandshakeV10 hs = HandshakeV10.decode(Unpooled.wrappedBuffer(first));
        int caps = Capabilities.CLIENT_DEFAULT & hs.capabilities() | Capabilities.PROTOCOL_41
                | Capabilities.SECURE_CONNECTION;
        writePacket(new HandshakeResponse41(caps, MAX_PACKET, 45, user, NativePassword.scramble(password, hs.scramble()),
                null, NativePassword.PLUGIN, Map.of("program_name", "binlog-relay-bench")).encode(ByteBufAllocator.DEFAULT));
        byte[] answer = readPacket();
        if (AuthSwitchRequest.is(Unpooled.wrappedBuffer(answer))) {
            AuthSwitchRequest sw = AuthSwitchRequest.decode(Unpooled.wrappedBuffer(answer));
            if (!sw.pluginName().equals(NativePassword.PLUGIN)) {
                throw new IOException("asks for auth plugin " + sw.pluginName() + "; the bench speaks only "
                        + NativePassword.PLUGIN);
            }
            writePacket(Unpooled.wrappedBuffer(NativePassword.scramble(password, sw.data())));
            answer = readPacket();
        }
        expectOk(answer, "login as " + user);
    }

    /** Runs a statement; returns its result set (empty for statements without one). */
    public TextResultSet query(String sql) throws IOException {
        sequence = 0;
        ByteBuf q = Unpooled.buffer().writeByte(Commands.COM_QUERY).writeBytes(sql.getBytes(StandardCharsets.UTF_8));
        writePacket(q);
        QueryResponseReader reader = new QueryResponseReader();
        while (!reader.accept(Unpooled.wrappedBuffer(readPacket()))) {
            // next packet of the response
        }
        if (reader.isError()) {
            throw new IOException(peer + ": " + sql + ": " + reader.error());
        }
        return reader.resultSet();
    }

    /**
     * Sets what a MariaDB replica sets so that the relay and the server send the same bytes: events with their
     * stored checksums, and MariaDB GTID events as they are.
     */
    public void prepareForDump() throws IOException {
        query("SET @master_binlog_checksum = @@global.binlog_checksum");
        query("SET @mariadb_slave_capability = 4");
    }

    /** Sends COM_BINLOG_DUMP; the stream is then read from {@link #channel()}. */
    public void requestDump(String file, long position, int flags, long serverId) throws IOException {
        sequence = 0;
        writePacket(new BinlogDump(position, flags, serverId, file).encode(ByteBufAllocator.DEFAULT));
    }

    public SocketChannel channel() {
        return channel;
    }

    public String peer() {
        return peer;
    }

    private void expectOk(byte[] p, String what) throws IOException {
        if (p.length > 0 && p[0] == 0) {
            return;
        }
        throw new IOException(peer + ": " + what + " failed: " + (p.length > 0 && (p[0] & 0xFF) == ErrPacket.HEADER
                ? ErrPacket.decode(Unpooled.wrappedBuffer(p)).toString() : "unexpected packet"));
    }

    private void writePacket(ByteBuf payload) throws IOException {
        try {
            int len = payload.readableBytes();
            ByteBuffer out = ByteBuffer.allocate(4 + len);
            out.put((byte) len).put((byte) (len >>> 8)).put((byte) (len >>> 16)).put((byte) sequence++);
            payload.readBytes(out);
            out.flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } finally {
            payload.release();
        }
    }

    /**
     * One logical packet of a dump read in blocking mode (16 MiB chunks joined), for readers that handle one
     * packet at a time ({@link LiveReader}); the payload's first byte is 0x00 (event), 0xFE (EOF) or 0xFF (error).
     */
    public byte[] readDumpPacket() throws IOException {
        byte[] first = readPacket();
        if (first.length < 0xFFFFFF) {
            return first;
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(first.length * 2);
        all.write(first);
        byte[] next;
        do {
            next = readPacket();
            all.write(next);
        } while (next.length == 0xFFFFFF);
        return all.toByteArray();
    }

    /** One packet of the login or query phase (those never reach 16 MiB). */
    private byte[] readPacket() throws IOException {
        ByteBuffer header = readFully(4);
        int len = (header.get(0) & 0xFF) | (header.get(1) & 0xFF) << 8 | (header.get(2) & 0xFF) << 16;
        sequence = (header.get(3) & 0xFF) + 1;
        return readFully(len).array();
    }

    private ByteBuffer readFully(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException(peer + " closed the connection");
            }
        }
        return b.flip();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }
}
