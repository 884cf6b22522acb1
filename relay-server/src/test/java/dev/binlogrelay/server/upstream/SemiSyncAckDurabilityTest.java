package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.binlog.ArtificialEvents;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.protocol.FramedPackets;
import dev.binlogrelay.core.protocol.command.SemiSyncAck;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ack of {@link SemiSyncReplica} waits for durability: over a real store with a long sync interval (nothing is
 * durable until its fsync), a transaction the primary waits for is written at once but acknowledged only when the
 * WAL sync publishes it; with an fsync per group it is acknowledged right after the write. The ack is one packet
 * with sequence id 0 naming the primary's file and the commit event's end; of several durable ones only the newest
 * goes out.
 */
@Timeout(20)
class SemiSyncAckDurabilityTest {
    private static final String FILE = "mariadb-bin.000007";
    private static final long PRIMARY = 1;
    @TempDir
    Path dir;
    private BinlogStore store;
    private EmbeddedChannel ch;

    @AfterEach
    void close() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
        store.close();
    }

    /** The connection side: a channel whose context the replica writes its acks to. */
    private ChannelHandlerContext channel() {
        ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        return ch.pipeline().firstContext();
    }

    private SemiSyncReplica replica(BinlogIngester ingester, AtomicInteger acksReported) {
        SemiSyncReplica r = new SemiSyncReplica(ingester, new UpstreamClient.Listener() {
            @Override
            public void onSemiSyncAck(String file, long position) {
                acksReported.incrementAndGet();
            }
        }, "primary:3306");
        r.enabled();
        r.start(channel());
        return r;
    }

    /** A GTID event and an XID event, ending at {@code start} + their sizes; returns the end. */
    private static List<byte[]> transaction(long start, long seq) {
        byte[] gtid = new byte[Events.HEADER_SIZE + 19];
        Events.writeHeader(gtid, 1_700_000_000L, EventType.MARIA_GTID, PRIMARY, start + gtid.length, 0);
        Events.put64(gtid, Events.HEADER_SIZE, seq);
        byte[] xid = new byte[Events.HEADER_SIZE + 8];
        Events.writeHeader(xid, 1_700_000_000L, EventType.XID, PRIMARY, start + gtid.length + xid.length, 0);
        return List.of(gtid, xid);
    }

    /** Offers {@code n} transactions from position 4, the XID of each waited for; returns the end of each. */
    private static List<Long> offer(BinlogIngester ingester, SemiSyncReplica replica, int n) {
        ingester.startStream(FILE, 4, null);
        byte[] rotate = ArtificialEvents.fakeRotate(PRIMARY, FILE, 4, ChecksumAlgorithm.NONE);
        ingester.offer(rotate);
        replica.offered(rotate, false);
        List<Long> ends = new ArrayList<>();
        long pos = 4;
        for (int t = 1; t <= n; t++) {
            for (byte[] e : transaction(pos, t)) {
                ingester.offer(e);
                boolean waited = Events.type(e) == EventType.XID;
                replica.offered(e, waited);
                pos = Events.logPos(e);
            }
            ends.add(pos);
        }
        return ends;
    }

    /** The one ack the replica wrote, as decoded, checking its framing (length, sequence id 0). */
    private SemiSyncAck oneAck() {
        ch.runPendingTasks();
        Object msg = ch.readOutbound();
        assertTrue(msg instanceof FramedPackets, "an ack was written: " + msg);
        ByteBuf b = ((FramedPackets) msg).content();
        try {
            int length = b.readUnsignedMediumLE();
            assertEquals(0, b.readUnsignedByte(), "sequence id 0: an exchange of its own");
            assertEquals(length, b.readableBytes());
            SemiSyncAck ack = SemiSyncAck.decode(b);
            assertNull(ch.readOutbound(), "only the newest durable ack is sent");
            return ack;
        } finally {
            ((FramedPackets) msg).release();
        }
    }

    @Test
    void withASyncIntervalTheAckWaitsForTheFsyncThatPublishesTheTransaction() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncIntervalMillis(10_000).withSegmentCacheBytes(0));
        BinlogIngester ingester = new BinlogIngester(store);
        AtomicInteger reported = new AtomicInteger();
        SemiSyncReplica replica = replica(ingester, reported);
        List<Long> ends = offer(ingester, replica, 3);
        ingester.flush(); // written, not yet durable: the interval's fsync is 10 s away
        replica.sendDurable();
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "no ack before the transactions are durable");
        assertTrue(store.committedEnd().isEmpty(), "nothing published yet");

        store.syncNow(); // the fsync: publishes the three transactions and runs the commit listeners
        assertEquals(new BinlogPosition(FILE, ends.get(2)), store.committedEnd().orElseThrow());
        assertEquals(new SemiSyncAck(ends.get(2), FILE), oneAck());
        assertEquals(1, reported.get());
        replica.stop();
    }

    @Test
    void withAnFsyncPerGroupTheAckFollowsTheWrite() {
        store = BinlogStore.open(dir, StoreOptions.defaults().withSyncEachGroup(true).withSegmentCacheBytes(0));
        BinlogIngester ingester = new BinlogIngester(store);
        AtomicInteger reported = new AtomicInteger();
        SemiSyncReplica replica = replica(ingester, reported);
        List<Long> ends = offer(ingester, replica, 1);
        replica.sendDurable();
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "offered is not written");
        ingester.flush();
        replica.sendDurable(); // what the connection does after the flush of each network read
        assertEquals(new SemiSyncAck(ends.get(0), FILE), oneAck());
        replica.sendDurable();
        ch.runPendingTasks();
        assertNull(ch.readOutbound(), "an ack goes out once");
        assertEquals(1, reported.get());
        replica.stop();
    }
}
