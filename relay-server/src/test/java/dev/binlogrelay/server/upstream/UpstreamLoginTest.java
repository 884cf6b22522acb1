package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.auth.CachingSha2Password;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.auth.Pem;
import dev.binlogrelay.core.flavor.StartPosition;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.AuthSwitchRequest;
import dev.binlogrelay.core.protocol.Capabilities;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeResponse41;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.OkPacket;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.core.protocol.ServerStatus;
import dev.binlogrelay.core.protocol.command.BinlogDumpGtid;
import dev.binlogrelay.core.protocol.command.RegisterReplica;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream login against a scripted primary, in an EmbeddedChannel: caching_sha2_password fast and full
 * auth, auth switches both ways, ssl_mode refusals. The primary's packets are fed one byte at a time.
 */
class UpstreamLoginTest {
    private static final KeyPair PRIMARY_KEY = Pem.generateRsa(2048);
    private static final String FIRST_QUERY = "SELECT @@GLOBAL.server_id";

    @TempDir
    Path tmp;
    private BinlogStore store;
    private final List<Throwable> errors = new ArrayList<>();
    private final byte[] nonce = NativePassword.newScramble();
    private int serverSeq;
    private String version = "5.5.5-10.11.5-MariaDB-log";

    @BeforeEach
    void openStore() {
        store = BinlogStore.open(tmp.resolve("store"), StoreOptions.defaults());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private String start = "earliest";

    private EmbeddedChannel client(String password, UpstreamSecurity security) {
        UpstreamSettings settings = new UpstreamSettings("127.0.0.1", 3306, "repl", password, 9001,
                dev.binlogrelay.server.admin.RelayInfo.serverUuid(9001), StartPosition.parse(start), 0, 50, 1000, 1000, security);
        PacketSequence sequence = new PacketSequence();
        UpstreamClient.Listener listener = new UpstreamClient.Listener() {
            @Override
            public void onError(Throwable cause) {
                errors.add(cause);
            }
        };
        return new EmbeddedChannel(new PacketDecoder(sequence, 1 << 20), new PacketEncoder(sequence),
                new UpstreamLogin(settings, new BinlogIngester(store), sequence, listener));
    }

    /** Sends a packet from the scripted primary, one byte at a time. */
    private void serverSends(EmbeddedChannel ch, byte[] payload) {
        byte[] wire = new byte[4 + payload.length];
        wire[0] = (byte) payload.length;
        wire[1] = (byte) (payload.length >>> 8);
        wire[2] = (byte) (payload.length >>> 16);
        wire[3] = (byte) serverSeq++;
        System.arraycopy(payload, 0, wire, 4, payload.length);
        for (byte b : wire) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }

    /** The next packet the client wrote: its payload; checks its sequence id. */
    private byte[] clientSent(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
            if (all.readableBytes() >= 4 && all.readableBytes() >= 4 + all.getUnsignedMediumLE(0)) {
                break;
            }
        }
        int len = all.readUnsignedMediumLE();
        int seq = all.readUnsignedByte();
        byte[] payload = new byte[len];
        all.readBytes(payload);
        assertFalse(all.isReadable(), "one packet at a time");
        all.release();
        if (seq != 0) {
            assertEquals(serverSeq, seq, "client sequence id");
            serverSeq++;
        } else {
            serverSeq = 1; // a new command
        }
        return payload;
    }

    private byte[] handshake(String plugin, boolean ssl) {
        int caps = Capabilities.SERVER_DEFAULT | (ssl ? Capabilities.SSL : 0);
        return bytes(new HandshakeV10(version, 7, nonce, caps, 255, ServerStatus.AUTOCOMMIT, plugin).encode(ByteBufAllocator.DEFAULT));
    }

    private static byte[] ok() {
        return bytes(OkPacket.of(0).encode(ByteBufAllocator.DEFAULT));
    }

    private void assertLoggedIn(EmbeddedChannel ch) {
        byte[] query = clientSent(ch);
        assertEquals(3, query[0], "COM_QUERY");
        assertTrue(new String(query, 1, query.length - 1, StandardCharsets.UTF_8).startsWith(FIRST_QUERY));
        assertTrue(errors.isEmpty(), errors.toString());
        assertNull(ch.pipeline().get(UpstreamLogin.class), "the login handler removed itself");
        ch.finishAndReleaseAll();
    }

    @Test
    void cachingSha2FastAuthWithItsOkInTheSameRead() {
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(ch, handshake(CachingSha2Password.PLUGIN, false));
        HandshakeResponse41 r = HandshakeResponse41.decode(Unpooled.wrappedBuffer(clientSent(ch)));
        assertEquals(CachingSha2Password.PLUGIN, r.authPluginName());
        assertTrue(CachingSha2Password.verifyScramble(CachingSha2Password.digest("pw"), nonce, r.authResponse()));
        // 0x01 0x03 and the OK arrive together
        byte[] fast = {1, 3};
        byte[] okp = ok();
        ByteBuf both = Unpooled.buffer();
        for (byte[] p : List.of(fast, okp)) {
            both.writeMediumLE(p.length).writeByte(serverSeq++).writeBytes(p);
        }
        ch.writeInbound(both);
        assertLoggedIn(ch);
    }

    @Test
    void cachingSha2FullAuthAskingForTheKey() {
        EmbeddedChannel ch = client("pässword", UpstreamSecurity.of(SslMode.PREFERRED, null, null));
        serverSends(ch, handshake(CachingSha2Password.PLUGIN, false)); // no TLS offered: preferred goes plain
        clientSent(ch);
        serverSends(ch, new byte[]{1, 4});
        assertArrayEquals(new byte[]{2}, clientSent(ch), "public key request");
        byte[] pem = Pem.encode(PRIMARY_KEY.getPublic()).getBytes(StandardCharsets.US_ASCII);
        byte[] keyPacket = new byte[1 + pem.length];
        keyPacket[0] = 1;
        System.arraycopy(pem, 0, keyPacket, 1, pem.length);
        serverSends(ch, keyPacket);
        byte[] encrypted = clientSent(ch);
        assertArrayEquals("pässword".getBytes(StandardCharsets.UTF_8),
                CachingSha2Password.decryptPassword(encrypted, nonce, PRIMARY_KEY.getPrivate()).orElseThrow());
        serverSends(ch, ok());
        assertLoggedIn(ch);
    }

    @Test
    void cachingSha2FullAuthWithAConfiguredKey() {
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, PRIMARY_KEY.getPublic()));
        serverSends(ch, handshake(CachingSha2Password.PLUGIN, true)); // TLS offered, but disabled
        HandshakeResponse41 r = HandshakeResponse41.decode(Unpooled.wrappedBuffer(clientSent(ch)));
        assertEquals(0, r.capabilities() & Capabilities.SSL);
        serverSends(ch, new byte[]{1, 4});
        assertArrayEquals("pw".getBytes(StandardCharsets.UTF_8),
                CachingSha2Password.decryptPassword(clientSent(ch), nonce, PRIMARY_KEY.getPrivate()).orElseThrow());
        serverSends(ch, ok());
        assertLoggedIn(ch);
    }

    @Test
    void authSwitchesBothWays() {
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(ch, handshake(NativePassword.PLUGIN, false));
        HandshakeResponse41 r = HandshakeResponse41.decode(Unpooled.wrappedBuffer(clientSent(ch)));
        assertEquals(NativePassword.PLUGIN, r.authPluginName());
        byte[] nonce2 = NativePassword.newScramble();
        serverSends(ch, bytes(new AuthSwitchRequest(CachingSha2Password.PLUGIN, nonce2).encode(ByteBufAllocator.DEFAULT)));
        assertTrue(CachingSha2Password.verifyScramble(CachingSha2Password.digest("pw"), nonce2, clientSent(ch)));
        byte[] nonce3 = NativePassword.newScramble();
        serverSends(ch, bytes(new AuthSwitchRequest(NativePassword.PLUGIN, nonce3).encode(ByteBufAllocator.DEFAULT)));
        assertTrue(NativePassword.verify(NativePassword.storedHash("pw"), nonce3, clientSent(ch)));
        serverSends(ch, ok());
        assertLoggedIn(ch);
    }

    @Test
    void logsInToAMySql8PrimaryWithItsDefaultPlugin() {
        version = "8.0.36";
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(ch, handshake(CachingSha2Password.PLUGIN, false));
        HandshakeResponse41 r = HandshakeResponse41.decode(Unpooled.wrappedBuffer(clientSent(ch)));
        assertEquals(CachingSha2Password.PLUGIN, r.authPluginName());
        serverSends(ch, new byte[]{1, 3});
        assertTrue(errors.isEmpty());
        serverSends(ch, ok());
        // the MySQL flavor's server-info query asks for the server UUID and GTID mode, not a MariaDB domain
        byte[] query = clientSent(ch);
        assertEquals(3, query[0], "COM_QUERY");
        assertEquals("SELECT @@GLOBAL.server_id, @@version, @@GLOBAL.server_uuid, @@GLOBAL.gtid_mode",
                new String(query, 1, query.length - 1, StandardCharsets.UTF_8));
        assertTrue(errors.isEmpty(), errors.toString());
        ch.finishAndReleaseAll();
    }

    private String sentQuery(EmbeddedChannel ch) {
        byte[] q = clientSent(ch);
        assertEquals(3, q[0], "COM_QUERY");
        return new String(q, 1, q.length - 1, StandardCharsets.UTF_8);
    }

    private void serverSendsResultSet(EmbeddedChannel ch, java.util.List<String> columns, String... row) {
        for (ByteBuf p : dev.binlogrelay.core.protocol.TextResultSet.single(columns, row).encode(ByteBufAllocator.DEFAULT)) {
            serverSends(ch, bytes(p));
        }
    }

    /** Logged in to a scripted MySQL 8.0.36 primary: the server-info query, answered. */
    private EmbeddedChannel loggedInToMysql(String uuid) {
        version = "8.0.36";
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(ch, handshake(NativePassword.PLUGIN, false));
        clientSent(ch);
        serverSends(ch, ok());
        assertEquals("SELECT @@GLOBAL.server_id, @@version, @@GLOBAL.server_uuid, @@GLOBAL.gtid_mode", sentQuery(ch));
        serverSendsResultSet(ch, java.util.List.of("a", "b", "c", "d"), "1", "8.0.36", uuid, "ON");
        // issue 12: the primary's variables, learned for the SQL answers downstream
        assertEquals("SHOW GLOBAL VARIABLES", sentQuery(ch));
        for (ByteBuf p : dev.binlogrelay.core.protocol.TextResultSet.of(java.util.List.of("Variable_name", "Value"),
                java.util.List.of(java.util.List.of("character_set_server", "utf8mb4"),
                        java.util.List.of("Max_Allowed_Packet", "67108864"))).encode(ByteBufAllocator.DEFAULT)) {
            serverSends(ch, bytes(p));
        }
        return ch;
    }

    @Test
    void aRefusedVariablesQueryKeepsWhatTheStoreHas() {
        store.state().recordUpstreamVariables(java.util.Map.of("character_set_server", "latin1"));
        version = "8.0.36";
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(ch, handshake(NativePassword.PLUGIN, false));
        clientSent(ch);
        serverSends(ch, ok());
        sentQuery(ch);
        serverSendsResultSet(ch, java.util.List.of("a", "b", "c", "d"), "1", "8.0.36", "3e11fa47-71ca-11e1-9e33-c80aa9429562", "ON");
        assertEquals("SHOW GLOBAL VARIABLES", sentQuery(ch));
        serverSends(ch, bytes(new dev.binlogrelay.core.protocol.ErrPacket(1227, "42000", "Access denied").encode(ByteBufAllocator.DEFAULT)));
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals("SHOW BINARY LOGS", sentQuery(ch), "the login goes on (start: earliest)");
        assertEquals(java.util.Map.of("character_set_server", "latin1"), store.state().upstreamVariables());
        ch.finishAndReleaseAll();
    }

    /** The whole MySQL replica exchange up to the dump, with a MySQL GTID set as upstream.start. */
    @Test
    void aMySqlPrimaryGetsAReplicasSetupAndAGtidDump() {
        String uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
        start = uuid + ":1-5";
        EmbeddedChannel ch = loggedInToMysql(uuid);
        String me = dev.binlogrelay.server.admin.RelayInfo.serverUuid(9001);
        for (String expected : java.util.List.of("SELECT UNIX_TIMESTAMP()", "SELECT @@GLOBAL.SERVER_ID",
                "SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum",
                "SELECT @source_binlog_checksum", "SELECT @@GLOBAL.GTID_MODE", "SELECT @@GLOBAL.SERVER_UUID",
                "SET @slave_uuid = '" + me + "', @replica_uuid = '" + me + "'")) {
            assertEquals(expected, sentQuery(ch));
            serverSends(ch, ok());
        }
        byte[] register = clientSent(ch);
        assertEquals(0x15, register[0], "COM_REGISTER_SLAVE");
        assertEquals(new RegisterReplica(9001, "", "", "", 0), RegisterReplica.decode(Unpooled.wrappedBuffer(register)));
        serverSends(ch, ok());
        byte[] dump = clientSent(ch);
        assertEquals(new BinlogDumpGtid(BinlogDumpGtid.THROUGH_GTID, 9001, "", 4, MysqlGtidSet.parse(uuid + ":1-5")),
                BinlogDumpGtid.decode(Unpooled.wrappedBuffer(dump)), "auto-positioning: no file, the relay's set");
        ByteBuf expected = new dev.binlogrelay.core.flavor.MysqlFlavor(8, 0, 36)
                .dumpCommand(9001, null, 0, uuid + ":1-5").encode(ByteBufAllocator.DEFAULT);
        org.junit.jupiter.api.Assertions.assertArrayEquals(bytes(expected), dump);
        assertEquals(0x1E, dump[0], "COM_BINLOG_DUMP_GTID");
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(uuid, store.state().serverUuid().orElseThrow());
        assertEquals("ON", store.state().gtidMode().orElseThrow());
        assertEquals(java.util.Map.of("character_set_server", "utf8mb4", "max_allowed_packet", "67108864"),
                store.state().upstreamVariables(), "by lower-case name");
        ch.finishAndReleaseAll();
    }

    /** A MariaDB GTID position cannot start a MySQL primary: a clear error, reported like any other. */
    @Test
    void aMariaDbGtidStartIsRefusedByAMySqlPrimary() {
        start = "0-1-100";
        EmbeddedChannel ch = loggedInToMysql("3e11fa47-71ca-11e1-9e33-c80aa9429562");
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).getMessage().contains("upstream.start cannot be used with mysql 8.0.36")
                && errors.get(0).getMessage().contains("'0-1-100' is not a MySQL GTID set"), errors.get(0).getMessage());
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void aServerOfNoKnownFlavorIsRefusedAfterTheLogin() {
        version = "4.1.22-standard";
        EmbeddedChannel ch = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(ch, handshake(NativePassword.PLUGIN, false));
        clientSent(ch);
        serverSends(ch, ok());
        assertEquals(1, errors.size());
        assertTrue(errors.get(0) instanceof dev.binlogrelay.core.flavor.UnsupportedFlavorException, errors.get(0).toString());
        assertTrue(errors.get(0).getMessage().contains("4.1.22-standard"), errors.get(0).getMessage());
    }

    @Test
    void refusals() {
        EmbeddedChannel required = client("pw", UpstreamSecurity.of(SslMode.REQUIRED, null, null));
        serverSends(required, handshake(CachingSha2Password.PLUGIN, false));
        assertTrue(errors.get(0).getMessage().contains("upstream.ssl_mode is required but 127.0.0.1:3306 does not offer TLS"),
                errors.get(0).getMessage());
        assertFalse(required.isOpen());

        serverSeq = 0;
        EmbeddedChannel unknown = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(unknown, handshake(NativePassword.PLUGIN, false));
        clientSent(unknown);
        serverSends(unknown, bytes(new AuthSwitchRequest("auth_gssapi_client", nonce).encode(ByteBufAllocator.DEFAULT)));
        assertTrue(errors.get(1).getMessage().contains("auth_gssapi_client"), errors.get(1).getMessage());

        serverSeq = 0;
        EmbeddedChannel denied = client("pw", UpstreamSecurity.of(SslMode.DISABLED, null, null));
        serverSends(denied, handshake(CachingSha2Password.PLUGIN, false));
        clientSent(denied);
        serverSends(denied, bytes(new ErrPacket(1045, "28000", "Access denied for user 'repl'@'h' (using password: YES)")
                .encode(ByteBufAllocator.DEFAULT)));
        assertTrue(errors.get(2).getMessage().contains("1045"), errors.get(2).getMessage());
        assertEquals(3, errors.size(), Arrays.toString(errors.toArray()));
    }
}
