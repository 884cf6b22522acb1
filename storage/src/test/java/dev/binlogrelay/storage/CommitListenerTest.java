package dev.binlogrelay.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.binlogrelay.storage.TestLog.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommitListenerTest {
    @TempDir
    Path dir;

    @Test
    void listenersRunOnTheWriterThreadAfterEachCommit() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            List<String> calls = new CopyOnWriteArrayList<>();
            Runnable listener = () -> calls.add(Thread.currentThread().getName() + "@" + store.committedEnd().orElseThrow());
            store.addCommitListener(listener);
            Thread writer = new Thread(() -> {
                log.rotate(name(1)).append(10, 20);
                log.append(5);
            }, "the-writer");
            writer.start();
            writer.join(10_000);
            assertEquals(List.of("the-writer@" + name(1) + ":34", "the-writer@" + name(1) + ":39"), calls);

            store.removeCommitListener(listener);
            log.append(5);
            assertEquals(2, calls.size(), "a removed listener is not called");
        }
    }

    @Test
    void aFailingListenerDoesNotFailTheCommitOrTheOthers() {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            AtomicInteger good = new AtomicInteger();
            store.addCommitListener(() -> {
                throw new IllegalStateException("listener bug");
            });
            store.addCommitListener(good::incrementAndGet);
            new TestLog(store).rotate(name(1)).append(10);
            assertEquals(1, good.get());
            assertEquals(new BinlogPosition(name(1), 14), store.committedEnd().orElseThrow());
        }
    }

    @Test
    void awaitCommitBeyondTimesOutThenSeesACommit() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(10);
            BinlogPosition end = store.committedEnd().orElseThrow();
            assertFalse(store.awaitCommitBeyond(end, 20, TimeUnit.MILLISECONDS));
            assertTrue(store.awaitCommitBeyond(new BinlogPosition(name(1), 13), 0, TimeUnit.MILLISECONDS));

            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                waiting.countDown();
                try {
                    return store.awaitCommitBeyond(end, 10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            log.rotate(name(2)).append(10); // a later file is beyond any position of an earlier one
            assertTrue(waiter.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void awaitOnAFileNotYetSeenWaitsForIt() throws Exception {
        try (BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions())) {
            TestLog log = new TestLog(store);
            log.rotate(name(1)).append(10);
            assertFalse(store.awaitCommitBeyond(new BinlogPosition(name(2), 4), 10, TimeUnit.MILLISECONDS));
            log.rotate(name(2)).append(10);
            assertTrue(store.awaitCommitBeyond(new BinlogPosition(name(2), 4), 10, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void closeWakesWaitersWithFalse() throws Exception {
        BinlogStore store = BinlogStore.open(dir, TestLog.fastOptions());
        new TestLog(store).rotate(name(1)).append(10);
        BinlogPosition end = store.committedEnd().orElseThrow();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                return store.awaitCommitBeyond(end, 30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.context().commitSignal().waiting() == 0) {
            assertTrue(System.nanoTime() < deadline, "the waiter never blocked");
            Thread.onSpinWait();
        }
        store.close();
        long start = System.nanoTime();
        assertFalse(waiter.get(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    }
}
