package dev.binlogrelay.server.it;

import com.github.shyiko.mysql.binlog.network.ServerException;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 2 point 7: wrong passwords, unknown files, bad positions, malformed and oversized packets. */
class ErrorCasesIT {
    @TempDir
    static Path tmp;
    static MariaDbServer primary;
    static Relay relay;
    static String firstFile;
    static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        primary = MariaDbServer.builder().name("primary").serverId(1).start();
        firstFile = primary.binlogFiles().get(0);
        RelayHarness.createAppTable(primary);
        StockReplicasIT.workload0(primary, 5);
        var config = RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest");
        config.metrics = new dev.binlogrelay.server.config.RelayConfig.Metrics();
        metricsPort = dev.binlogrelay.testkit.FreePorts.find();
        config.metrics.listen = "127.0.0.1:" + metricsPort;
        relay = Relay.start(config);
        RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        RelayHarness.closeAll(relay, primary);
    }

    @Test
    void wrongPasswordGetsAccessDenied() {
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user=repl&password=wrong&connectTimeout=5000").close());
        assertEquals(1045, e.getErrorCode(), e.getMessage());
        SQLException unknownUser = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user=nobody&password=secret&connectTimeout=5000").close());
        assertEquals(1045, unknownUser.getErrorCode(), unknownUser.getMessage());
        assertTrue(unknownUser.getMessage().contains("Access denied for user 'nobody'"), unknownUser.getMessage());
    }

    @Test
    void mysqlConnectorJOfferingAnotherPluginIsSwitchedToNativePassword() throws Exception {
        String url = "jdbc:mysql://127.0.0.1:" + relay.port() + "/?sslMode=DISABLED&allowPublicKeyRetrieval=false"
                + "&defaultAuthenticationPlugin=caching_sha2_password&connectTimeout=5000";
        try (java.sql.Connection c = DriverManager.getConnection(url, "repl", "secret");
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT @@server_id")) {
            assertTrue(rs.next());
            assertEquals(9001, rs.getLong(1));
        }
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "repl", "nope").close());
        assertEquals(1045, e.getErrorCode(), e.getMessage());
    }

    @Test
    void metricsEndpointCountsRefusedLogins() throws Exception {
        assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + relay.port() + "/?user=repl&password=bad&connectTimeout=5000").close());
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^binlog_relay_downstream_auth_failures_total (\\S+)").matcher(r.body());
        assertTrue(m.find(), r.body());
        assertTrue(Double.parseDouble(m.group(1)) >= 1.0, r.body());
        assertTrue(r.body().contains("binlog_relay_upstream_streaming 1"), r.body());
    }

    @Test
    void unknownFileIsError1236NamingIt() {
        ServerException e = dumpError("nope-bin.000042", 4);
        assertEquals(1236, e.getErrorCode());
        assertTrue(e.getMessage().contains("nope-bin.000042"), e.getMessage());
    }

    @Test
    void positionThatIsNotAnEventBoundaryIsError1236NamingIt() {
        ServerException e = dumpError(firstFile, 5);
        assertEquals(1236, e.getErrorCode());
        assertTrue(e.getMessage().contains("5"), e.getMessage());
        ServerException beyond = dumpError(firstFile, 999_999_999L);
        assertEquals(1236, beyond.getErrorCode());
        assertTrue(beyond.getMessage().contains("999999999"), beyond.getMessage());
    }

    @Test
    void malformedAndOversizedPacketsCloseOnlyThatConnection() throws Exception {
        // a handshake response with a wrong sequence id
        try (Socket s = new Socket("127.0.0.1", relay.port())) {
            s.setSoTimeout(10_000);
            readPacket(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(new byte[]{5, 0, 0, 9, 1, 2, 3, 4, 5});
            out.flush();
            byte[] err = readPacket(s.getInputStream());
            assertEquals((byte) 0xFF, err[0], "an ERR packet before closing");
            assertEquals(-1, s.getInputStream().read(), "connection closed");
        }
        // a packet announcing more than the 16 MiB command limit
        try (Socket s = new Socket("127.0.0.1", relay.port())) {
            s.setSoTimeout(10_000);
            readPacket(s.getInputStream());
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[4 + 0xFFFFFF];
            chunk[0] = (byte) 0xFF;
            chunk[1] = (byte) 0xFF;
            chunk[2] = (byte) 0xFF;
            chunk[3] = 1;
            try {
                out.write(chunk);
                chunk[3] = 2;
                out.write(chunk, 0, 4 + 1024);
                out.flush();
            } catch (IOException closedWhileWriting) {
                // the relay may close before the whole packet is written
            }
            assertTrue(drainToEof(s.getInputStream()), "connection closed");
        }
        // everyone else is still served
        java.util.List<String> events = BinlogConnectorIT.readAll(relay.port(), firstFile, 4, null);
        assertTrue(events.size() > 10, "a well-behaved reader got only " + events);
    }

    private static boolean drainToEof(InputStream in) {
        try {
            while (in.read() >= 0) {
                // skip an ERR packet if one was sent
            }
            return true;
        } catch (IOException e) {
            return true; // reset by peer: closed as well
        }
    }

    private static byte[] readPacket(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len = d.readUnsignedByte() | d.readUnsignedByte() << 8 | d.readUnsignedByte() << 16;
        d.readUnsignedByte();
        byte[] b = new byte[len];
        d.readFully(b);
        return b;
    }

    private static ServerException dumpError(String file, long position) {
        return BinlogConnectorIT.refusedDump(relay.port(), 7777, file, position, null);
    }
}
