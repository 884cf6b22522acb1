package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.MariaGtidRef;
import dev.binlogrelay.storage.PositionException;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dump whose start is ahead of the store waits for the store, bounded, on the reader's event loop. */
class DumpStartWaitTest extends GroupStoreFixture {
    private final AtomicReference<BinlogCursor> opened = new AtomicReference<>();
    private final AtomicReference<PositionException> refused = new AtomicReference<>();

    private void start(EmbeddedChannel ch, String gtids, long waitNanos) {
        DumpStartWait.open(ch, "reader", store, waitNanos, () -> positions.openForGtid(MariaGtidPosition.parse(gtids)), opened::set, refused::set);
    }

    @Test
    void aStartTheStoreReachesOpensOnItsCommit() {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            group(1, new MariaGtidRef(0, 1, 10));
            start(ch, "0-1-11", TimeUnit.SECONDS.toNanos(30));
            ch.runPendingTasks();
            assertNull(opened.get());
            assertNull(refused.get());
            group(1, new MariaGtidRef(0, 1, 11)); // the writer's commit schedules a try on the loop
            ch.runPendingTasks();
            assertNull(refused.get());
            assertNotNull(opened.get(), "opened once the GTID was stored");
            opened.get().close();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aStartThatDoesNotArriveIsRefusedAtTheDeadline() {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            group(1, new MariaGtidRef(0, 1, 10));
            start(ch, "0-1-50", TimeUnit.SECONDS.toNanos(2));
            group(1, new MariaGtidRef(0, 1, 11)); // a commit that is not enough
            ch.runPendingTasks();
            assertNull(refused.get());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (refused.get() == null && System.nanoTime() < deadline) {
                ch.runScheduledPendingTasks();
                Thread.onSpinWait();
            }
            assertInstanceOf(NotYetStored.class, refused.get());
            assertTrue(refused.get().getMessage().contains("0-1-50"));
            assertNull(opened.get());
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void withoutAWaitOrForAStartWrongForGoodTheAnswerIsImmediate() {
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            group(1, new MariaGtidRef(0, 1, 10));
            start(ch, "0-1-11", 0);
            assertInstanceOf(NotYetStored.class, refused.get(), "start_wait 0: at once, as before");
            refused.set(null);
            start(ch, "0-1-3", TimeUnit.SECONDS.toNanos(30));
            assertNotNull(refused.get());
            assertEquals(false, refused.get() instanceof NotYetStored);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aReaderThatLeavesEndsTheWait() {
        EmbeddedChannel ch = new EmbeddedChannel();
        group(1, new MariaGtidRef(0, 1, 10));
        start(ch, "0-1-11", TimeUnit.SECONDS.toNanos(30));
        ch.close();
        ch.runPendingTasks();
        group(1, new MariaGtidRef(0, 1, 11));
        ch.runPendingTasks();
        ch.runScheduledPendingTasks();
        assertNull(opened.get(), "nothing is opened for a closed connection");
        assertNull(refused.get());
        ch.finishAndReleaseAll();
    }
}
