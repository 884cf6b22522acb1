package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 findings 3, 4, 5, 6, 8, 10 against a running relay (no upstream: the login phase, the SQL layer and
 * the dump request are what is tested): real clients (MariaDB Connector/J) and raw sockets for the hostile
 * bytes. The limits are set small so that every wait is short; every wait is bounded by a socket timeout.
 */
class HostileClientsIT {
    @TempDir
    Path tmp;
    private Relay relay;
    private final List<Socket> sockets = new ArrayList<>();

    private Relay start(Consumer<RelayConfig.Downstream> limits) throws Exception {
        RelayConfig c = RelayHarness.config(null, tmp.resolve("relay"), 9301, null);
        c.downstream.connectTimeout = "1s";
        c.downstream.authFailureThreshold = 0;
        limits.accept(c.downstream);
        relay = Relay.start(c);
        return relay;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private String url(String options) {
        return "jdbc:mariadb://127.0.0.1:" + relay.port() + "/?connectTimeout=5000&socketTimeout=10000" + options;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url(""), RelayHarness.USER, RelayHarness.PASSWORD);
    }

    /** A socket that has read the handshake (or an ERR sent in its place) and sends nothing. */
    private Socket silent() throws IOException {
        Socket s = new Socket("127.0.0.1", relay.port());
        sockets.add(s);
        s.setSoTimeout(10_000);
        readPacket(s.getInputStream());
        return s;
    }

    private static byte[] readPacket(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len = d.readUnsignedByte() | d.readUnsignedByte() << 8 | d.readUnsignedByte() << 16;
        d.readUnsignedByte();
        byte[] b = new byte[len];
        d.readFully(b);
        return b;
    }

    private static int errorCode(byte[] p) {
        return p.length >= 3 && (p[0] & 0xFF) == 0xFF ? (p[1] & 0xFF) | (p[2] & 0xFF) << 8 : -1;
    }

    /** Reads until the relay closes the connection (bounded by the socket timeout); false if it did not. */
    private static boolean closedByRelay(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // an ERR may come first
            }
            return true;
        } catch (SocketException reset) {
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }

    @Test
    void silentAndStallingLoginsAreClosedAfterConnectTimeoutWhileOthersLogIn() throws Exception {
        start(d -> d.maxUnauthenticatedPerHost = 6);
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            silent.add(silent());
        }
        // one more stalls one byte short of a 16 MiB handshake response: refused from the header, at once
        Socket stalling = silent();
        OutputStream out = stalling.getOutputStream();
        out.write(new byte[]{(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, 1, 0, 0, 0, 0});
        out.flush();
        assertEquals(1156, errorCode(readPacket(stalling.getInputStream())));
        assertTrue(closedByRelay(stalling));
        // the six held ones count against the per-host cap until connect_timeout closes them
        long start = System.nanoTime();
        for (Socket s : silent) {
            assertTrue(closedByRelay(s), "closed after connect_timeout");
        }
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 500 && waited < 9_000, "closed after about 1 s, not " + waited + " ms");
        try (Connection c = connect(); ResultSet rs = c.createStatement().executeQuery("SELECT @@connect_timeout")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getLong(1));
        }
    }

    @Test
    void perHostAndTotalConnectionLimitsAnswer1040() throws Exception {
        start(d -> {
            d.maxUnauthenticatedPerHost = 2;
            d.maxConnections = 4;
        });
        silent();
        silent();
        SQLException perHost = assertThrows(SQLException.class, () -> connect().close());
        assertEquals(1040, perHost.getErrorCode(), perHost.getMessage());
        assertTrue(perHost.getMessage().contains("have not logged in"), perHost.getMessage());
        for (Socket s : sockets) {
            s.close(); // frees the host's login slots
        }
        try (Connection a = connect(); Connection b = connect(); Connection c = connect(); Connection d = connect()) {
            SQLException tooMany = assertThrows(SQLException.class, () -> connect().close());
            assertEquals(1040, tooMany.getErrorCode(), tooMany.getMessage());
            assertTrue(tooMany.getMessage().contains("Too many connections"), tooMany.getMessage());
            try (ResultSet rs = a.createStatement().executeQuery("SELECT @@max_connections")) {
                assertTrue(rs.next());
                assertEquals(4, rs.getInt(1));
            }
        }
        connect().close(); // room again
    }

    @Test
    void anIdleSessionIsClosedWithError4031() throws Exception {
        start(d -> d.idleTimeout = "1s");
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            c.query("SET @x = 1");
            long start = System.nanoTime();
            byte[] err = c.nextPacket();
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertEquals(4031, errorCode(err));
            assertTrue(waited >= 500, "after idle_timeout, not " + waited + " ms");
            assertThrows(EOFException.class, c::nextPacket);
        }
    }

    @Test
    void anUnknownUserIsSwitchedLikeAKnownOne() throws Exception {
        start(d -> { });
        for (String user : new String[] {RelayHarness.USER, "nobody"}) {
            Socket s = silent();
            int caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH;
            ByteBuf r = new HandshakeResponse41(caps, 1 << 24, 45, user, "x".getBytes(), null, "dialog", Map.of())
                    .encode(ByteBufAllocator.DEFAULT);
            writePacket(s, 1, r);
            byte[] answer = readPacket(s.getInputStream());
            assertEquals(0xFE, answer[0] & 0xFF, user + " gets an auth switch, not " + errorCode(answer));
        }
    }

    @Test
    void aMalformedConnectAttributesLengthIsBadHandshake() throws Exception {
        start(d -> { });
        Socket s = silent();
        int caps = Capabilities.PROTOCOL_41 | Capabilities.SECURE_CONNECTION | Capabilities.PLUGIN_AUTH;
        ByteBuf r = new HandshakeResponse41(caps, 1 << 24, 45, "repl", new byte[20], null, NativePassword.PLUGIN, Map.of())
                .encode(ByteBufAllocator.DEFAULT);
        r.setIntLE(0, caps | Capabilities.CONNECT_ATTRS);
        r.writeByte(0xFE).writeLongLE(-1L);
        writePacket(s, 1, r);
        byte[] err = readPacket(s.getInputStream());
        assertEquals(1043, errorCode(err));
        assertTrue(closedByRelay(s));
    }

    @Test
    void repeatedWrongPasswordsDelayTheHostsLogins() throws Exception {
        start(d -> {
            d.authFailureThreshold = 2;
            d.authFailureMaxDelay = "1s";
        });
        for (int i = 0; i < 2; i++) {
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url(""), "repl", "wrong").close());
            assertEquals(1045, e.getErrorCode());
        }
        long start = System.nanoTime();
        SQLException third = assertThrows(SQLException.class, () -> DriverManager.getConnection(url(""), "repl", "wrong").close());
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1045, third.getErrorCode());
        assertTrue(waited >= 900, "the third answer was held back, " + waited + " ms");
        assertTrue(relay.metrics().registry().scrape().stream().anyMatch(m ->
                m.getMetadata().getPrometheusName().equals("binlog_relay_downstream_auth_delayed")));
        connect().close(); // the right password still logs in (after the delay), and resets the host
        start = System.nanoTime();
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url(""), "repl", "wrong").close());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 900, "answered at once after a success");
    }

    @Test
    void sqlLimitsWithARealClient() throws Exception {
        start(d -> {
            d.maxPacket = 256L * 1024;
            d.maxUserVariablesBytes = 400L * 1024;
        });
        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT @@max_allowed_packet")) {
                assertTrue(rs.next());
                assertEquals(256 * 1024, rs.getLong(1), "what downstream.max_packet enforces");
            }
            SQLException charset = assertThrows(SQLException.class, () -> st.execute("SET NAMES 'nosuchcharset'"));
            assertEquals(1115, charset.getErrorCode(), charset.getMessage());
            st.execute("SET @a = '" + "x".repeat(100_000) + "'");
            st.execute("SET @b = CONCAT(@a, @a, @a)");
            SQLWarning w = st.getWarnings();
            assertNotNull(w, "warning 1301");
            assertEquals(1301, w.getErrorCode(), w.getMessage());
            try (ResultSet rs = st.executeQuery("SELECT @b")) {
                assertTrue(rs.next());
                assertNull(rs.getString(1), "longer than max_allowed_packet: NULL");
            }
            st.execute("SET @c = CONCAT(@a, @a)");
            SQLException budget = assertThrows(SQLException.class, () -> st.execute("SET @d = CONCAT(@a, @a)"));
            assertEquals(1290, budget.getErrorCode(), budget.getMessage());
        }
    }

    /** A dump by a GTID set of 32,000 intervals: decoded at once (it took 7 s), and a bad position is 1236. */
    @Test
    void aHugeGtidSetDoesNotBlockTheRelayAndHugePositionsAreRefused() throws Exception {
        start(d -> { });
        UUID source = UUID.randomUUID();
        int n = 32_000;
        ByteBuf set = Unpooled.buffer(8 + 24 + 16 * n).writeLongLE(1).writeLong(source.getMostSignificantBits())
                .writeLong(source.getLeastSignificantBits()).writeLongLE(n);
        for (long i = n - 1; i >= 0; i--) {
            set.writeLongLE(2 * i + 1).writeLongLE(2 * i + 2); // in reverse: the worst order for sorted insertion
        }
        try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
            ByteBuf dump = Unpooled.buffer().writeByte(Commands.COM_BINLOG_DUMP_GTID).writeShortLE(4).writeIntLE(77)
                    .writeIntLE(0).writeLongLE(4).writeIntLE(set.readableBytes()).writeBytes(set);
            long start = System.nanoTime();
            c.sendCommand(dump);
            byte[] answer = c.nextPacket();
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1236, errorCode(answer), "the store is empty");
            assertTrue(took < 3_000, "answered in " + took + " ms");
        }
        for (long position : new long[] {-1L, Long.MIN_VALUE}) {
            try (RawDumpClient c = new RawDumpClient(relay.port(), RelayHarness.USER, RelayHarness.PASSWORD)) {
                byte[] name = "mariadb-bin.000001".getBytes();
                c.sendCommand(Unpooled.buffer().writeByte(Commands.COM_BINLOG_DUMP_GTID).writeShortLE(0).writeIntLE(78)
                        .writeIntLE(name.length).writeBytes(name).writeLongLE(position).writeIntLE(8).writeLongLE(0));
                byte[] answer = c.nextPacket();
                assertEquals(1236, errorCode(answer));
            }
        }
    }

    private static void writePacket(Socket s, int seq, ByteBuf payload) throws IOException {
        byte[] b = new byte[payload.readableBytes()];
        payload.readBytes(b);
        payload.release();
        OutputStream out = s.getOutputStream();
        out.write(new byte[]{(byte) b.length, (byte) (b.length >>> 8), (byte) (b.length >>> 16), (byte) seq});
        out.write(b);
        out.flush();
    }
}
