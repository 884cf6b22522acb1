package dev.binlogrelay.bench.canal;

import com.alibaba.otter.canal.client.CanalConnector;
import com.alibaba.otter.canal.client.CanalConnectors;
import com.alibaba.otter.canal.protocol.Message;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * N stock Canal clients (com.alibaba.otter:canal.client), one thread each, each on its own destination
 * ({@code bench<first>..}): connect, {@code subscribe(filter)}, {@code rollback()}, then {@code getWithoutAck(batch)} +
 * {@code ack} until it has received {@code expectedRows} row changes or the deadline passes. The clock starts when
 * every client has subscribed and stops when the last has all its rows.
 */
public final class CanalClients {
    /** What a run of N clients got. */
    public record Outcome(List<Long> rowsPerClient, double seconds, String problem) {
        public long totalRows() {
            return rowsPerClient.stream().mapToLong(Long::longValue).sum();
        }
    }

    private CanalClients() {
    }

    /**
     * Runs {@code clients} clients against {@code port}, on destinations {@code bench<firstDestination>} and on; {@code started} is called once all have subscribed, just
     * before the clock starts (to sample CPU); {@code unsubscribe} makes each client forget its cursor at the end.
     */
    public static Outcome run(int port, int firstDestination, int clients, String filter, int batchSize, long expectedRows, Duration timeout,
                              boolean unsubscribe, Runnable started) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch subscribed = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        long[] t0 = new long[1];
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String destination = "bench" + (firstDestination + i);
                results.add(pool.submit(() -> consume(port, destination, filter, batchSize, expectedRows, timeout,
                        unsubscribe, subscribed, go)));
            }
            if (!subscribed.await(60, TimeUnit.SECONDS)) {
                go.countDown();
                throw new IllegalStateException("the Canal clients did not all subscribe within 60 s");
            }
            started.run();
            t0[0] = System.nanoTime();
            go.countDown();
            List<Long> rows = new ArrayList<>();
            long last = t0[0];
            String problem = null;
            for (Future<long[]> f : results) {
                long[] r = f.get(timeout.toSeconds() + 60, TimeUnit.SECONDS);
                rows.add(r[0]);
                last = Math.max(last, r[1]);
                if (r[0] != expectedRows && problem == null) {
                    problem = "a client received " + r[0] + " row changes, not " + expectedRows;
                }
            }
            return new Outcome(rows, (last - t0[0]) / 1e9, problem);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** One client's loop; returns {rows received, nanoTime when it had them all (or gave up)}. */
    private static long[] consume(int port, String destination, String filter, int batchSize, long expectedRows,
                                  Duration timeout, boolean unsubscribe, CountDownLatch subscribed, CountDownLatch go)
            throws Exception {
        CanalConnector c = CanalConnectors.newSingleConnector(new InetSocketAddress("127.0.0.1", port), destination, "", "");
        long rows = 0;
        try {
            c.connect();
            c.subscribe(filter);
            c.rollback();
            subscribed.countDown();
            go.await();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (rows < expectedRows && System.nanoTime() < deadline) {
                Message m = c.getWithoutAck(batchSize, 200L, TimeUnit.MILLISECONDS);
                if (m.getId() != -1) {
                    rows += CanalRates.rows(m.getEntries());
                    c.ack(m.getId());
                }
            }
            long done = System.nanoTime();
            if (unsubscribe) {
                c.unsubscribe();
            }
            return new long[] {rows, done};
        } finally {
            subscribed.countDown();
            c.disconnect();
        }
    }
}
