package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.EofPacket;
import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.core.protocol.command.BinlogDumpGtid;
import dev.binlogrelay.core.protocol.command.RegisterReplica;
import dev.binlogrelay.core.protocol.command.ReplicationCommand;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.binlogrelay.server.downstream.EmbeddedRelay.command;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorCode;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.errorMessage;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.frames;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.onePacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientSession}, the command phase, on an {@link EmbeddedChannel} behind a real login, over a real store
 * holding one synthetic file ({@link TestBinlog}): what each replication command does, what a malformed or unknown
 * one does, and which failures end the connection (protocol errors) and which do not (a refused dump).
 */
@Timeout(10)
class ClientSessionTest {
    private static final ChecksumAlgorithm CRC = ChecksumAlgorithm.CRC32;
    @TempDir
    static Path dir;
    private static BinlogStore store;
    private EmbeddedRelay relay;
    private EmbeddedChannel ch;

    /** One store for the class: no test here changes it. */
    @BeforeAll
    static void fill() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false));
        TestBinlog.fill(store, 3, 40);
    }

    @AfterAll
    static void closeStore() {
        store.close();
    }

    @BeforeEach
    void start() {
        // downstream.start_wait 0: a dump from where the relay has not got to yet is refused at once here (DumpStartWaitTest waits)
        relay = new EmbeddedRelay(DownstreamLimits.defaults(16 << 20).withStartWait(java.time.Duration.ZERO),
                AuthPlugin.MYSQL_NATIVE_PASSWORD, store, SendLimits.defaults());
        ch = relay.connect();
        EmbeddedRelay.logIn(ch);
    }

    @AfterEach
    void stop() {
        ch.finishAndReleaseAll();
        relay.close();
    }

    private static byte[] bytes(ReplicationCommand c) {
        ByteBuf b = c.encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void registerIsAnsweredWithOkAndListsTheReplica() {
        command(ch, bytes(new RegisterReplica(7, "replica-a", "repl", "", 3307)));
        EmbeddedRelay.Packet ok = frames(ch).get(0);
        assertEquals(0, ok.first(), "OK");
        assertEquals(1, ok.seq());
        assertEquals(List.of(new RelayInfo.RegisteredReplica(7, "replica-a", 3307, 9001, "")), relay.server.replicas());
        ch.close();
        assertEquals(List.of(), relay.server.replicas(), "gone with its connection");
    }

    /** A replica without report_host is listed under the address it connected from. */
    @Test
    void aRegisterWithoutHostOrPortPartUsesThePeersHost() {
        command(ch, new byte[] {Commands.COM_REGISTER_SLAVE, 5, 0, 0, 0, 0, 0, 0});
        assertEquals(0, onePacket(ch)[0]);
        assertEquals(List.of(new RelayInfo.RegisteredReplica(5, "localhost", 0, 9001, "")), relay.server.replicas());
    }

    /**
     * SHOW BINLOG EVENTS is answered off the event loop (it reads the store). Commands the client sends before the
     * answer (in the same write here) wait for it and are answered after it, in order, each starting a new
     * exchange at sequence id 0.
     */
    @Test
    void commandsPipelinedBehindShowBinlogEventsAreAnsweredAfterItInOrder() {
        ByteBuf wire = Unpooled.buffer();
        for (String sql : List.of("SHOW BINLOG EVENTS", "SELECT 1", "SHOW BINLOG EVENTS LIMIT 1")) {
            byte[] q = sql.getBytes(StandardCharsets.UTF_8);
            wire.writeMediumLE(1 + q.length).writeByte(0).writeByte(Commands.COM_QUERY).writeBytes(q);
        }
        ch.writeInbound(wire);
        List<EmbeddedRelay.Packet> out = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        // this relay has no binary log (SHOW BINLOG EVENTS is an empty listing, as on a server without one):
        // column count, 6 definitions, EOF, EOF; then SELECT 1's count, definition, EOF, row, EOF; then 6+3 again
        int expected = (1 + 6 + 1 + 1) + (1 + 1 + 1 + 1 + 1) + (1 + 6 + 1 + 1);
        while (out.size() < expected && System.nanoTime() < deadline) {
            ch.runPendingTasks();
            out.addAll(frames(ch));
            Thread.onSpinWait();
        }
        assertEquals(expected, out.size(), "the three answers: " + out.stream().map(p -> p.seq() + ":" + p.first()).toList());
        assertTrue(ch.isOpen(), "no protocol error");
        assertEquals(6, out.get(0).first(), "six columns first");
        assertEquals(1, out.get(0).seq());
        assertEquals(1, out.get(9).first(), "then SELECT 1's one column");
        assertEquals(1, out.get(9).seq(), "a new exchange");
        assertEquals("1", new String(out.get(12).payload(), 1, 1, StandardCharsets.UTF_8), "SELECT 1's row");
        assertEquals(6, out.get(14).first(), "then the last listing");
        assertEquals(1, out.get(14).seq(), "a new exchange");
    }

    /** The packet decoder hands over whole packets however the bytes arrive: one OK, one registration. */
    @Test
    void aCommandFedOneByteAtATimeIsOneCommand() {
        byte[] payload = bytes(new RegisterReplica(8, "replica-b", "", "", 3306));
        byte[] wire = new byte[4 + payload.length];
        wire[0] = (byte) payload.length;
        System.arraycopy(payload, 0, wire, 4, payload.length);
        for (int i = 0; i < wire.length; i++) {
            assertTrue(frames(ch).isEmpty(), "an answer before the whole command arrived, at byte " + i);
            ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1));
        }
        assertEquals(0, onePacket(ch)[0]);
        assertEquals(List.of(new RelayInfo.RegisteredReplica(8, "replica-b", 3306, 9001, "")), relay.server.replicas());
    }

    /** A command that does not hold its fields is a malformed packet (1156), and the connection ends. */
    @Test
    void truncatedCommandsAreMalformedPacketsThatEndTheConnection() {
        byte[] whole = bytes(new RegisterReplica(7, "replica-a", "repl", "", 3307));
        command(ch, Arrays.copyOf(whole, 9));
        byte[] err = onePacket(ch);
        assertEquals(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, errorCode(err));
        assertEquals("Malformed packet: COM_REGISTER_SLAVE host needs 9 bytes but only 3 remain", errorMessage(err));
        assertFalse(ch.isOpen());
        assertEquals(List.of(), relay.server.replicas());

        for (byte[] truncated : List.of(Arrays.copyOf(bytes(new BinlogDump(4, 0, 3, TestBinlog.FILE)), 7),
                Arrays.copyOf(bytes(new BinlogDumpGtid(4, 3, "", 4, MysqlGtidSet.EMPTY)), 15))) {
            EmbeddedChannel other = relay.connect();
            EmbeddedRelay.logIn(other);
            command(other, truncated);
            byte[] answer = onePacket(other);
            assertEquals(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, errorCode(answer), errorMessage(answer));
            assertTrue(errorMessage(answer).startsWith("Malformed packet: " + Commands.name(truncated[0])), errorMessage(answer));
            assertFalse(other.isOpen());
            other.finishAndReleaseAll();
        }
    }

    /** The error a MariaDB primary gives for a file it does not have, and the connection stays usable. */
    @Test
    void aDumpOfAnUnknownFileIsRefusedWith1236() {
        command(ch, bytes(new BinlogDump(4, 0, 3, "mariadb-bin.000099")));
        byte[] err = onePacket(ch);
        assertEquals(ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, errorCode(err));
        assertEquals("Could not find first log file name in binary log index file: 'mariadb-bin.000099' is not among "
                + "the binlog files the relay holds (mariadb-bin.000001 to mariadb-bin.000001)", errorMessage(err));
        assertTrue(ch.isOpen());
        command(ch, new byte[] {Commands.COM_PING});
        assertEquals(0, onePacket(ch)[0], "still in the command phase");
    }

    /**
     * A MariaDB replica asking by GTID (COM_BINLOG_DUMP after {@code SET @slave_connect_state}) on a store holding
     * transactions 0-1-1 to 0-1-10: the dump starts at the file's beginning, leaves out the transactions the replica
     * has, tells it where it stands with a fake GTID_LIST once its position is passed, then sends the rest as stored.
     * A GTID beyond the relay's last is refused with 1236, and the session goes on.
     */
    @Test
    void aDumpByMariaDbGtidSkipsTheTransactionsTheReaderHas(@TempDir Path gtidDir) {
        try (BinlogStore gtids = BinlogStore.open(gtidDir, StoreOptions.defaults().withSyncEachGroup(false));
             EmbeddedRelay gtidRelay = new EmbeddedRelay(DownstreamLimits.defaults(16 << 20).withStartWait(java.time.Duration.ZERO),
                     AuthPlugin.MYSQL_NATIVE_PASSWORD,
                     gtids, SendLimits.defaults())) {
            List<byte[]> file = TestBinlog.fillGtids(gtids, 10);
            EmbeddedChannel reader = gtidRelay.connect();
            try {
                EmbeddedRelay.logIn(reader);
                for (String sql : List.of("SET @master_binlog_checksum = @@global.binlog_checksum",
                        "SET @mariadb_slave_capability = 4", "SET @slave_connect_state = '0-1-99'")) {
                    set(reader, sql);
                }
                command(reader, bytes(new BinlogDump(4, BinlogDump.NON_BLOCK, 3, "")));
                byte[] err = onePacket(reader);
                assertEquals(ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, errorCode(err));
                assertEquals("Error: connecting slave requested to start from GTID 0-1-99, which is not in the master's "
                        + "binlog (the relay's last GTID in domain 0 is 0-1-10)", errorMessage(err));

                set(reader, "SET @slave_connect_state = '0-1-5'");
                command(reader, bytes(new BinlogDump(4, BinlogDump.NON_BLOCK, 3, "")));
                List<EmbeddedRelay.Packet> stream = frames(reader);
                assertEquals(1 + 1 + 1 + 2 * 5 + 1, stream.size(), "fake rotate, format description, GTID_LIST, 6 to 10, EOF");
                byte[] rotate = event(stream.get(0));
                assertEquals(new ArtificialEvents.RotateTarget(TestBinlog.FILE, 4), ArtificialEvents.parseRotate(rotate, CRC));
                assertArrayEquals(file.get(0), event(stream.get(1)), "the format description as stored");
                byte[] list = event(stream.get(2));
                assertEquals(EventType.MARIA_GTID_LIST, Events.type(list));
                long endOfFifth = Events.logPos(file.get(10));
                assertEquals(endOfFifth, Events.logPos(list), "where the reader stands: the end of 0-1-5");
                assertEquals(List.of(new MariaGtid(0, 1, 5)), MariaGtidEvent.gtidList(list, CRC));
                for (int i = 0; i < 10; i++) {
                    assertArrayEquals(file.get(11 + i), event(stream.get(3 + i)), "event " + i + " of 0-1-6 to 0-1-10");
                }
                assertEquals(new MariaGtid(0, 1, 6), MariaGtidEvent.gtid(event(stream.get(3))));
                assertTrue(EofPacket.is(Unpooled.wrappedBuffer(stream.get(stream.size() - 1).payload())));
                assertTrue(gtidRelay.logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains(
                        "dumps from GTID '0-1-5' at " + TestBinlog.FILE + ":4")), "the dump's log line names the GTID start");
            } finally {
                reader.finishAndReleaseAll();
            }
        }
    }

    /** Runs a statement the relay answers with OK. */
    private static void set(EmbeddedChannel ch, String sql) {
        command(ch, query(sql));
        assertEquals(0, onePacket(ch)[0], sql);
    }

    /** The event in a dump's packet: the payload after its OK byte. */
    private static byte[] event(EmbeddedRelay.Packet p) {
        assertEquals(0, p.first(), "an event packet");
        return Arrays.copyOfRange(p.payload(), 1, p.payload().length);
    }

    /** A GTID set its size covers but that is not one: 1236, as from a server, not a broken connection. */
    @Test
    void aDumpGtidWithAMalformedSetIsRefusedWith1236() {
        byte[] payload = bytes(new BinlogDumpGtid(BinlogDumpGtid.THROUGH_GTID, 3, "", 4, MysqlGtidSet.EMPTY));
        payload[payload.length - 8] = 5; // the set announces 5 sources and holds none
        command(ch, payload);
        byte[] err = onePacket(ch);
        assertEquals(ErrorCodes.ER_MASTER_FATAL_READING_BINLOG, errorCode(err));
        assertTrue(errorMessage(err).contains("GTID set announces 5 sources"), errorMessage(err));
        assertTrue(ch.isOpen());
    }

    @Test
    void anUnsupportedCommandIsRefusedWith1047AndTheSessionGoesOn() {
        command(ch, new byte[] {Commands.COM_STATISTICS});
        byte[] err = onePacket(ch);
        assertEquals(ErrorCodes.ER_UNKNOWN_COM_ERROR, errorCode(err));
        assertEquals("binlog-relay does not support COM_STATISTICS", errorMessage(err));
        command(ch, query("SELECT @@server_id"));
        assertTrue(frames(ch).size() > 1, "a result set");
    }

    @Test
    void aCommandWithTheWrongSequenceIdIsAMalformedPacket() {
        EmbeddedRelay.send(ch, 1, new byte[] {Commands.COM_PING});
        byte[] err = onePacket(ch);
        assertEquals(ErrorCodes.ER_NET_PACKETS_OUT_OF_ORDER, errorCode(err));
        assertEquals("Malformed packet: packet sequence id 1 where 0 was expected", errorMessage(err));
        assertFalse(ch.isOpen());
    }

    /** While dumping, a reader may only close the connection. */
    @Test
    void aPacketDuringADumpEndsTheConnection() {
        command(ch, bytes(new BinlogDump(4, 0, 3, TestBinlog.FILE)));
        assertTrue(frames(ch).size() >= 5, "fake rotate, format description, 3 events (a blocking dump: no EOF)");
        command(ch, new byte[] {Commands.COM_PING});
        assertFalse(ch.isOpen());
        assertTrue(frames(ch).isEmpty(), "no answer in the middle of a stream");
    }

    /** Issue 12: the status flags of OK and EOF packets follow the session's autocommit and transaction. */
    @Test
    void okAndEofStatusFlagsTrackAutocommitAndTransactions() {
        int autocommit = dev.binlogrelay.core.protocol.ServerStatus.AUTOCOMMIT;
        int inTrans = dev.binlogrelay.core.protocol.ServerStatus.IN_TRANS;
        assertEquals(autocommit, okStatus("SET @a = 1"));
        assertEquals(0, okStatus("SET autocommit=0"));
        assertEquals(0, okStatus("SET @b = 2"), "later OKs too");
        assertEquals(0, lastEofStatus("SELECT @@autocommit"));
        assertEquals(inTrans, okStatus("BEGIN"));
        assertEquals(inTrans, lastEofStatus("SELECT 1"));
        assertEquals(0, okStatus("COMMIT"));
        assertEquals(inTrans, okStatus("START TRANSACTION"));
        assertEquals(autocommit, okStatus("SET autocommit=1"), "turning autocommit on commits");
        assertEquals(autocommit | inTrans, okStatus("START TRANSACTION WITH CONSISTENT SNAPSHOT"));
        assertEquals(autocommit, okStatus("ROLLBACK"));
        command(ch, new byte[] {Commands.COM_PING});
        assertEquals(autocommit, dev.binlogrelay.core.protocol.OkPacket.decode(io.netty.buffer.Unpooled.wrappedBuffer(onePacket(ch))).status());
    }

    private int okStatus(String sql) {
        command(ch, query(sql));
        byte[] ok = onePacket(ch);
        assertEquals(0, ok[0], "OK for " + sql);
        return dev.binlogrelay.core.protocol.OkPacket.decode(io.netty.buffer.Unpooled.wrappedBuffer(ok)).status();
    }

    private int lastEofStatus(String sql) {
        command(ch, query(sql));
        List<EmbeddedRelay.Packet> packets = frames(ch);
        byte[] eof = packets.get(packets.size() - 1).payload();
        return dev.binlogrelay.core.protocol.EofPacket.decode(io.netty.buffer.Unpooled.wrappedBuffer(eof)).status();
    }

    private static byte[] query(String sql) {
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[1 + q.length];
        p[0] = Commands.COM_QUERY;
        System.arraycopy(q, 0, p, 1, q.length);
        return p;
    }
}
