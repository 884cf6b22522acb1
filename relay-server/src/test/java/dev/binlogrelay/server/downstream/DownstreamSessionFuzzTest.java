package dev.binlogrelay.server.downstream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.core.auth.CachingSha2Password;
import dev.binlogrelay.core.auth.Credentials;
import dev.binlogrelay.core.auth.NativePassword;
import dev.binlogrelay.core.auth.Pem;
import dev.binlogrelay.core.protocol.ErrPacket;
import dev.binlogrelay.core.protocol.HandshakeV10;
import dev.binlogrelay.core.protocol.PacketDecoder;
import dev.binlogrelay.core.protocol.PacketEncoder;
import dev.binlogrelay.core.protocol.PacketSequence;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.metrics.RelayMetrics;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes what a downstream client can send the relay, through the real pipeline (packet decoder, encoder,
 * {@link LoginHandler}, then {@link ClientSession}) in an {@link EmbeddedChannel}: the handshake response with connect
 * attributes, auth switch responses, the caching_sha2_password exchange (scramble, public key request, RSA-encrypted
 * or clear password), then commands: COM_QUERY, COM_REGISTER_SLAVE, COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID and others.
 * The store is real and empty, so a dump request is refused (the dump itself is not in scope).
 *
 * <p>Contract: nothing escapes the pipeline, the relay logs no ERROR (what an exception other than a protocol error
 * becomes: "internal error" with a stack trace), and a connection the relay closes got an ERR packet first (unless
 * the client sent COM_QUIT).
 *
 * <p>Input: byte 0 picks the announced plugin (bit 0: caching_sha2_password, else mysql_native_password); then records
 * {@code kind (1) | length (2, LE) | data}, each sent as one packet with the sequence id the relay expects. Kind (mod
 * 4) 0: data is the payload; 1: the mysql_native_password scramble of data (as the password) with the handshake's
 * nonce; 2: the caching_sha2_password scramble; 3: data || NUL XOR nonce, RSA-encrypted with the relay's key (full
 * auth over plain TCP). Users: {@code repl}/secret (both plugins, password in config), {@code sha2}/secret
 * (caching_sha2_password hash: full auth), {@code empty} (no password), {@code tls} (requires TLS, which is off).
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/server/downstream/DownstreamSessionFuzzTestInputs/exchange/}:
 * logins of the MariaDB client (captured), MySQL 8 style caching_sha2 logins, then the statements and commands stock
 * replicas, mariadb-binlog and CDC readers send.
 */
class DownstreamSessionFuzzTest {
    private static final Path DIR;
    private static final BinlogStore STORE;
    private static final KeyPair RSA = Pem.generateRsa(1024);
    private static final UserDirectory USERS = new UserDirectory(List.of(
            new UserAccount("repl", Credentials.ofPassword("secret"), null, false),
            new UserAccount("sha2", Credentials.ofHashes(List.of(CachingSha2Hash.create("secret").format())), AuthPlugin.CACHING_SHA2_PASSWORD, false),
            new UserAccount("empty", Credentials.ofPassword(""), null, false),
            new UserAccount("tls", Credentials.ofPassword("secret"), null, true)));
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    private static final Logger RELAY_LOG = (Logger) LoggerFactory.getLogger("dev.binlogrelay.server");

    static {
        try {
            DIR = Files.createTempDirectory("session-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        STORE = BinlogStore.open(DIR.resolve("store"), StoreOptions.defaults());
        // the relay's log lines go to LOG only while this class runs (a fuzzing run would print millions)
        LOG.start();
        RELAY_LOG.addAppender(LOG);
        RELAY_LOG.setAdditive(false);
        RELAY_LOG.setLevel(Level.INFO);
    }

    @AfterAll
    static void closeStore() {
        RELAY_LOG.detachAppender(LOG);
        RELAY_LOG.setAdditive(true);
        RELAY_LOG.setLevel(null);
        STORE.close();
        BinlogStore.destroy(DIR.resolve("store"));
    }

    @FuzzTest
    @Timeout(30)
    void exchange(byte[] input) {
        LOG.list.clear();
        AuthPlugin announced = input.length > 0 && (input[0] & 1) != 0 ? AuthPlugin.CACHING_SHA2_PASSWORD : AuthPlugin.MYSQL_NATIVE_PASSWORD;
        try (DownstreamServer server = new DownstreamServer(STORE, INFO, USERS, new DownstreamSecurity(null, RSA, announced),
                new RelayMetrics(), 1 << 16, 0, 1 << 16, 1 << 20, 1)) { // a registry per server: each registers its gauges
            PacketSequence sequence = new PacketSequence();
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.pipeline().addLast(DownstreamServer.DECODER, new PacketDecoder(sequence, server.maxPacket()))
                    .addLast(DownstreamServer.ENCODER, new PacketEncoder(sequence))
                    .addLast(DownstreamServer.SESSION, new LoginHandler(server, sequence, 1));
            ch.pipeline().fireChannelActive();
            List<byte[]> replies = new ArrayList<>(drain(ch));
            byte[] nonce = HandshakeV10.decode(Unpooled.wrappedBuffer(replies.get(0))).scramble();
            byte[] last = null;
            int at = 1;
            while (at + 3 <= input.length && ch.isOpen()) {
                int kind = input[at] & 3;
                int len = Math.min((input[at + 1] & 0xFF) | (input[at + 2] & 0xFF) << 8, input.length - at - 3);
                byte[] data = Arrays.copyOfRange(input, at + 3, at + 3 + len);
                at += 3 + len;
                last = payload(kind, data, nonce);
                ByteBuf packet = Unpooled.buffer(4 + last.length).writeMediumLE(last.length).writeByte(sequence.next()).writeBytes(last);
                ch.writeInbound(packet);
                ch.runPendingTasks();
                replies.addAll(drain(ch));
                for (Object m; (m = ch.readInbound()) != null; ) {
                    fail("the session passed a message on: " + m);
                }
            }
            ch.checkException();
            if (!ch.isOpen()) {
                boolean quit = last != null && last.length > 0 && last[0] == 0x01;
                byte[] lastReply = replies.get(replies.size() - 1);
                assertTrue(quit || ErrPacket.is(Unpooled.wrappedBuffer(lastReply)),
                        "the relay closed the connection without an ERR; its last packet: " + Arrays.toString(lastReply));
            }
            ch.finishAndReleaseAll();
        }
        for (ILoggingEvent e : LOG.list) {
            assertTrue(e.getLevel().toInt() < Level.ERROR.toInt(), () -> "ERROR logged: " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage()));
        }
    }

    private static byte[] payload(int kind, byte[] data, byte[] nonce) {
        return switch (kind) {
            case 1 -> NativePassword.scramble(new String(data, java.nio.charset.StandardCharsets.UTF_8), nonce);
            case 2 -> CachingSha2Password.scramble(data, nonce);
            case 3 -> CachingSha2Password.encryptPassword(Arrays.copyOf(data, Math.min(data.length, 85)), nonce, RSA.getPublic());
            default -> data;
        };
    }

    /** The payloads the relay wrote (packet headers checked and stripped). */
    private static List<byte[]> drain(EmbeddedChannel ch) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            wire.writeBytes(bytes);
        }
        byte[] all = wire.toByteArray();
        List<byte[]> payloads = new ArrayList<>();
        int off = 0;
        while (off < all.length) {
            assertTrue(all.length - off >= 4, "a partial packet header from the relay");
            int len = all[off] & 0xFF | (all[off + 1] & 0xFF) << 8 | (all[off + 2] & 0xFF) << 16;
            assertTrue(all.length - off - 4 >= len, "a partial packet from the relay");
            payloads.add(Arrays.copyOfRange(all, off + 4, off + 4 + len));
            off += 4 + len;
        }
        assertEquals(all.length, off);
        return payloads;
    }

    /** A relay in front of MariaDB 10.11 that holds nothing yet. */
    private static final RelayInfo INFO = new RelayInfo() {
        @Override
        public long serverId() {
            return 9001;
        }

        @Override
        public String serverVersion() {
            return "10.11.5-MariaDB-log";
        }

        @Override
        public String binlogChecksum() {
            return "CRC32";
        }

        @Override
        public String gtidBinlogPos() {
            return "";
        }

        @Override
        public long gtidDomainId() {
            return 0;
        }

        @Override
        public List<BinlogFile> binlogFiles() {
            return List.of();
        }

        @Override
        public Optional<BinlogFile> masterStatus() {
            return Optional.empty();
        }

        @Override
        public List<RegisteredReplica> replicas() {
            return List.of();
        }

        @Override
        public int port() {
            return 3307;
        }
    };
}
