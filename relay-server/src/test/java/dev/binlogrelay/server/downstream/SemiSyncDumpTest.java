package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.AuthPlugin;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.core.protocol.command.RegisterReplica;
import dev.binlogrelay.core.protocol.command.SemiSyncAck;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.binlogrelay.server.downstream.EmbeddedRelay.command;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.frames;
import static dev.binlogrelay.server.downstream.EmbeddedRelay.onePacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A semi-sync dump on an {@link EmbeddedChannel} over a store of five transactions ({@link TestBinlog#fillGtids}):
 * a reader that set {@code @rpl_semi_sync_slave} gets the header on every event packet, an ack request on each
 * transaction's last event with the packet numbering restarting after it, and its acks (sequence id 0, fed split at
 * every byte) are counted per reader; a reader that did not set it gets the plain stream and may send nothing.
 */
@Timeout(20)
class SemiSyncDumpTest {
    private static final int TRANSACTIONS = 5;
    @TempDir
    static Path dir;
    private static BinlogStore store;
    private static List<byte[]> file;
    private EmbeddedRelay relay;
    private EmbeddedChannel ch;

    @BeforeAll
    static void fill() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(false).withSegmentCacheBytes(0));
        file = TestBinlog.fillGtids(store, TRANSACTIONS);
    }

    @AfterAll
    static void closeStore() {
        store.close();
    }

    @AfterEach
    void stop() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
        relay.close();
    }

    private void connect(String... setup) {
        relay = new EmbeddedRelay(DownstreamLimits.defaults(16 << 20), AuthPlugin.MYSQL_NATIVE_PASSWORD, store,
                SendLimits.defaults());
        ch = relay.connect();
        EmbeddedRelay.logIn(ch);
        for (String sql : setup) {
            command(ch, query(sql));
            assertEquals(0, onePacket(ch)[0], sql);
        }
        command(ch, bytes(new RegisterReplica(3, "replica-semi", "", "", 3306)));
        assertEquals(0, onePacket(ch)[0]);
        command(ch, bytes(new BinlogDump(4, 0, 3, TestBinlog.FILE))); // blocking: the reader stays in its dump
        ch.runPendingTasks();
    }

    private static byte[] query(String sql) {
        byte[] q = sql.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[1 + q.length];
        p[0] = Commands.COM_QUERY;
        System.arraycopy(q, 0, p, 1, q.length);
        return p;
    }

    private static byte[] bytes(dev.binlogrelay.core.protocol.command.ReplicationCommand c) {
        ByteBuf b = c.encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private RelayInfo.ReaderSemiSync readerStatus() {
        List<RelayInfo.RegisteredReplica> replicas = relay.server.replicas();
        assertEquals(1, replicas.size());
        return replicas.get(0).semiSync();
    }

    @Test
    void everyEventCarriesTheHeaderAndEachTransactionEndAsksForAnAck() {
        connect("SET @master_binlog_checksum = @@global.binlog_checksum", "SET @mariadb_slave_capability = 4",
                "SET @rpl_semi_sync_slave = 1");
        List<EmbeddedRelay.Packet> stream = frames(ch);
        assertEquals(1 + file.size(), stream.size(), "fake rotate, then the file as stored");
        int expectedSeq = 1;
        int acksAsked = 0;
        for (int i = 0; i < stream.size(); i++) {
            EmbeddedRelay.Packet p = stream.get(i);
            assertEquals(expectedSeq, p.seq(), "packet " + i);
            byte[] payload = p.payload();
            assertEquals(0, payload[0], "OK byte");
            assertEquals((byte) 0xEF, payload[1], "semi-sync magic of packet " + i);
            byte[] event = Arrays.copyOfRange(payload, 3, payload.length);
            if (i > 0) {
                assertArrayEquals(file.get(i - 1), event, "stored event " + (i - 1) + " after the header");
            }
            boolean ends = Events.type(event) == EventType.XID;
            assertEquals(ends ? 1 : 0, payload[2], "ack asked exactly on each transaction's end, packet " + i);
            if (ends) {
                acksAsked++;
                expectedSeq = 1; // the reader's ack is packet 0 of its own exchange, as with a primary
            } else {
                expectedSeq = (expectedSeq + 1) & 0xFF;
            }
        }
        assertEquals(TRANSACTIONS, acksAsked);
        assertEquals(1.0, relay.metrics.semiSyncReadersNow());
        assertEquals(new RelayInfo.ReaderSemiSync(true, 0, "", 0), readerStatus());
    }

    /** Acks arrive with sequence id 0 each, in pieces of any size; each moves the reader's acknowledged position. */
    @Test
    void acksSplitAtEveryByteAreReadAndShownPerReader() {
        connect("SET @master_binlog_checksum = @@global.binlog_checksum", "SET @rpl_semi_sync_slave = 1");
        frames(ch);
        int acks = 0;
        long pos = 4 + file.get(0).length;
        for (int t = 0; t < TRANSACTIONS; t++) {
            pos += file.get(1 + 2 * t).length + file.get(2 + 2 * t).length;
            byte[] ack = bytes(new SemiSyncAck(pos, TestBinlog.FILE));
            byte[] packet = new byte[4 + ack.length];
            packet[0] = (byte) ack.length; // length < 256, sequence id 0
            System.arraycopy(ack, 0, packet, 4, ack.length);
            int cut = Math.min(1 + t * 7, packet.length - 1); // a different split for each ack
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(packet, 0, cut)));
            assertEquals(acks, readerStatus().acks(), "nothing counted before the ack is whole");
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(packet, cut, packet.length)));
            acks++;
            assertEquals(new RelayInfo.ReaderSemiSync(true, acks, TestBinlog.FILE, pos), readerStatus());
        }
        for (int cut = 1; cut < 4 + 9 + TestBinlog.FILE.length(); cut++) { // every split of one more ack
            byte[] ack = bytes(new SemiSyncAck(pos, TestBinlog.FILE));
            byte[] packet = new byte[4 + ack.length];
            packet[0] = (byte) ack.length;
            System.arraycopy(ack, 0, packet, 4, ack.length);
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(packet, 0, cut)));
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(packet, cut, packet.length)));
            acks++;
        }
        assertEquals(acks, readerStatus().acks());
        assertEquals(acks, relay.metrics.semiSyncAcksReceived());
        assertTrue(ch.isActive());
    }

    @Test
    void aPacketThatIsNotAnAckEndsTheReader() {
        connect("SET @rpl_semi_sync_slave = 1");
        frames(ch);
        command(ch, new byte[] {0x12, 0, 0, 0, 0});
        assertFalse(ch.isActive(), "a semi-sync reader sending something else than an ack is closed");
        assertEquals(0.0, relay.metrics.semiSyncReadersNow(), "no longer counted");
    }

    @Test
    void aReaderWithoutSemiSyncGetsThePlainStream() {
        connect("SET @master_binlog_checksum = @@global.binlog_checksum", "SET @rpl_semi_sync_slave = 0");
        List<EmbeddedRelay.Packet> stream = frames(ch);
        assertEquals(1 + file.size(), stream.size());
        for (int i = 1; i < stream.size(); i++) {
            assertEquals(i + 1, stream.get(i).seq());
            assertArrayEquals(file.get(i - 1), Arrays.copyOfRange(stream.get(i).payload(), 1, stream.get(i).payload().length));
        }
        assertNotEquals(1.0, relay.metrics.semiSyncReadersNow());
        assertEquals(RelayInfo.ReaderSemiSync.NONE, readerStatus());
        command(ch, bytes(new SemiSyncAck(4, TestBinlog.FILE)));
        assertFalse(ch.isActive(), "a reader that did not ask for semi-sync may send nothing during its dump");
    }
}
