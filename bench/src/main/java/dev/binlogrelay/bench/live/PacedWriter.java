package dev.binlogrelay.bench.live;

import dev.binlogrelay.testkit.MariaDbServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop writer: transaction {@code i} is due at {@code start + i / rate}, whatever happened to the ones
 * before it, and goes out on connection {@code i mod connections} as soon as it is due (so one slow commit delays
 * only the transactions queued behind it on that connection, and the delay shows as lateness instead of
 * silently lowering the rate: no coordinated omission). Each transaction is one autocommitted INSERT of a row
 * whose {@code tag} column is {@code LAT:} and the id in 12 digits, which {@code LiveReader} finds in the rows
 * event. The writer records, per id, when the commit call started and when it returned
 * ({@link System#nanoTime()}, the same clock the readers in this JVM stamp arrivals with).
 */
public final class PacedWriter {
    public static final String TABLE = "bench.lat";
    private static final long LATE_NANOS = 1_000_000;

    private final MariaDbServer primary;
    private final int connections;
    private final double rate;
    private final long firstId;
    private final long[] sent;
    private final long[] acked;
    private final long[] due;
    private volatile boolean stopped;

    /** At most {@code maxCount} transactions with ids {@code firstId ..}, {@code rate} per second. */
    public PacedWriter(MariaDbServer primary, int connections, double rate, long firstId, int maxCount) {
        this.primary = primary;
        this.connections = connections;
        this.rate = rate;
        this.firstId = firstId;
        this.sent = new long[maxCount];
        this.acked = new long[maxCount];
        this.due = new long[maxCount];
    }

    public static void createTable(MariaDbServer primary) {
        primary.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                + " (id BIGINT PRIMARY KEY, tag CHAR(16) NOT NULL, pad VARCHAR(200) NOT NULL, ts BIGINT NOT NULL)");
    }

    /** Writes until {@code maxCount} transactions or {@link #stop()}; returns when every connection is done. */
    public void run() throws InterruptedException {
        long start = System.nanoTime() + 20_000_000L;
        long period = (long) (1e9 / rate);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        String pad = "p".repeat(120);
        for (int k = 0; k < connections; k++) {
            int lane = k;
            Thread t = new Thread(() -> {
                try (Connection c = primary.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (id, tag, pad, ts) VALUES (?, ?, ?, ?)")) {
                    for (int i = lane; i < sent.length && !stopped; i += connections) {
                        long d = start + i * period;
                        due[i] = d;
                        long wait;
                        while ((wait = d - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(Math.min(wait, 200_000));
                        }
                        long id = firstId + i;
                        ps.setLong(1, id);
                        ps.setString(2, String.format(Locale.ROOT, "LAT:%012d", id));
                        ps.setString(3, pad);
                        ps.setLong(4, System.currentTimeMillis());
                        sent[i] = System.nanoTime();
                        ps.executeUpdate();
                        acked[i] = System.nanoTime();
                    }
                } catch (SQLException | RuntimeException e) {
                    failures.add(e);
                }
            }, "bench-writer-" + k);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the paced writer failed: " + failures.get(0), failures.get(0));
        }
    }

    public void stop() {
        stopped = true;
    }

    /** Transactions committed without a gap: ids {@code firstId .. firstId + committed() - 1}. Call after {@link #run}. */
    public int committed() {
        int n = 0;
        while (n < acked.length && acked[n] != 0) {
            n++;
        }
        return n;
    }

    public long firstId() {
        return firstId;
    }

    public long sentNanos(int i) {
        return sent[i];
    }

    public long ackedNanos(int i) {
        return acked[i];
    }

    /** How late transaction {@code i} went out against its schedule, nanoseconds. */
    public long lateness(int i) {
        return sent[i] - due[i];
    }

    /** Share of the first {@code n} transactions that went out more than 1 ms after their due time. */
    public double lateShare(int n) {
        int late = 0;
        for (int i = 0; i < n; i++) {
            if (lateness(i) > LATE_NANOS) {
                late++;
            }
        }
        return n == 0 ? 0 : late / (double) n;
    }

    /** Transactions per second actually achieved over the first {@code n}. */
    public double achievedRate(int n) {
        return n < 2 ? 0 : (n - 1) / ((sent[n - 1] - sent[0]) / 1e9);
    }

    public double rate() {
        return rate;
    }
}
