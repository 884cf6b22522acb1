package dev.binlogrelay.bench.setup;

import dev.binlogrelay.testkit.MariaDbServer;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Fills a primary's binary log with a mix of row events until it reaches a size: several connections each run
 * rounds of multi-row INSERTs, range UPDATEs (before and after images) and range DELETEs on three tables whose
 * rows are small (~50 B), medium (~300 B) and large (0.5–12 KiB, now and then up to 1 MiB), in explicit
 * multi-statement transactions and autocommitted ones. Deletes remove the oldest rows at the rate they were
 * inserted, so the tables (and the buffer pool they need) stay small however big the binlog grows.
 */
public final class BinlogLoader {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int POOL = 2 << 20;
    private static final int SMALL_ROWS = 400;
    private static final int MEDIUM_ROWS = 150;
    private static final int LARGE_ROWS = 12;
    /** Rounds of rows a worker keeps in each table before deleting its oldest round. */
    private static final int KEEP_ROUNDS = 40;

    /** What was loaded. */
    public record Loaded(long binlogBytes, int files, long rounds, long rows, double seconds) {
    }

    /** The report's words for {@link #load}'s transactions. */
    public static final String MIXED = "mixed row inserts, updates and deletes";

    private BinlogLoader() {
    }

    /** The report's words for {@link #loadSmall}'s transactions. */
    public static String small(int count) {
        return String.format(java.util.Locale.ROOT, "%,d small transactions (one autocommitted single-row INSERT each)", count);
    }

    /**
     * Loads {@code count} small transactions, each one autocommitted INSERT of one ~50-byte row into {@code
     * bench.tiny}, over {@code connections} connections.
     */
    public static Loaded loadSmall(MariaDbServer primary, int count, int connections) throws InterruptedException {
        primary.execute("CREATE DATABASE IF NOT EXISTS bench", "CREATE TABLE bench.tiny (id BIGINT PRIMARY KEY, v VARCHAR(64))");
        long start = System.nanoTime();
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int t = 0; t < connections; t++) {
            Thread th = new Thread(() -> {
                try (Connection c = primary.connect();
                     java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO bench.tiny VALUES (?, ?)")) {
                    for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        ps.setLong(1, i);
                        ps.setString(2, "value-" + i + "-abcdefghijklmnopqrstuvwxyz");
                        ps.executeUpdate();
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "small-loader-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("loading small transactions failed: " + failure.get().getMessage(), failure.get());
        }
        awaitSettled(primary);
        return new Loaded(binlogBytes(primary), primary.binlogFiles().size(), count, count, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Loads until {@code SHOW BINARY LOGS} adds up to at least {@code targetBytes}; {@code progress} gets the
     * size now and then.
     */
    public static Loaded load(MariaDbServer primary, long targetBytes, int connections, long seed, LongConsumer progress)
            throws InterruptedException {
        primary.execute("CREATE DATABASE IF NOT EXISTS bench",
                "CREATE TABLE bench.small (id BIGINT PRIMARY KEY, k INT NOT NULL, v VARCHAR(48) NOT NULL, ts BIGINT NOT NULL)",
                "CREATE TABLE bench.medium (id BIGINT PRIMARY KEY, a INT, b INT, c DOUBLE, note VARCHAR(600), tag CHAR(16))",
                "CREATE TABLE bench.large (id BIGINT PRIMARY KEY, kind TINYINT NOT NULL, body MEDIUMTEXT NOT NULL)");
        String pool = randomText(new Random(seed), POOL);
        long start = System.nanoTime();
        AtomicLong rounds = new AtomicLong();
        AtomicLong rows = new AtomicLong();
        List<Worker> workers = new ArrayList<>();
        for (int w = 0; w < connections; w++) {
            Worker worker = new Worker(primary, w, new Random(seed * 31 + w), pool, rounds, rows);
            workers.add(worker);
            worker.thread.start();
        }
        long size = 0;
        try {
            while (size < targetBytes) {
                for (Worker w : workers) {
                    if (w.failure != null) {
                        throw new IllegalStateException("loader connection " + w.index + " failed: " + w.failure.getMessage(),
                                w.failure);
                    }
                }
                Thread.sleep(50);
                size = binlogBytes(primary);
                progress.accept(size);
            }
        } finally {
            workers.forEach(w -> w.running = false);
            for (Worker w : workers) {
                w.thread.join();
            }
        }
        awaitSettled(primary);
        return new Loaded(binlogBytes(primary), primary.binlogFiles().size(), rounds.get(), rows.get(),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * Waits until the binlog end has not moved for a second (at most 30 s): after a rotation the server writes
     * the BINLOG_CHECKPOINT event of the new file from a background thread, a little later.
     */
    static void awaitSettled(MariaDbServer primary) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        MariaDbServer.BinlogFilePos last = primary.binlogFilePos();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline && System.nanoTime() - stableSince < 1_000_000_000L) {
            Thread.sleep(100);
            MariaDbServer.BinlogFilePos now = primary.binlogFilePos();
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
    }

    /** Sum of the sizes {@code SHOW BINARY LOGS} lists. */
    public static long binlogBytes(MariaDbServer primary) {
        return primary.query("SHOW BINARY LOGS").stream().mapToLong(r -> Long.parseLong(r.get(1))).sum();
    }

    private static String randomText(Random random, int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(c);
    }

    /** One loading connection; ids are {@code (index + 1) * 10^12 + n}, so workers never touch each other's rows. */
    private static final class Worker implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean running = true;
        volatile Exception failure;
        private final MariaDbServer primary;
        private final Random random;
        private final String pool;
        private final AtomicLong rounds;
        private final AtomicLong rows;
        private final long base;
        private long round;

        Worker(MariaDbServer primary, int index, Random random, String pool, AtomicLong rounds, AtomicLong rows) {
            this.primary = primary;
            this.index = index;
            this.random = random;
            this.pool = pool;
            this.rounds = rounds;
            this.rows = rows;
            this.base = (index + 1) * 1_000_000_000_000L;
            this.thread = new Thread(this, "bench-loader-" + index);
        }

        @Override
        public void run() {
            try (Connection c = primary.connect(); Statement s = c.createStatement()) {
                while (running) {
                    round(c, s);
                    round++;
                    rounds.incrementAndGet();
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
            }
        }

        private void round(Connection c, Statement s) throws SQLException {
            long r = round;
            // 1. one transaction inserting small and medium rows
            c.setAutoCommit(false);
            s.executeUpdate(insertSmall(r));
            s.executeUpdate(insertMedium(r));
            c.commit();
            c.setAutoCommit(true);
            // 2. large rows, autocommitted
            s.executeUpdate(insertLarge(r));
            // 3. one transaction updating recent rows of all three tables (before and after images)
            c.setAutoCommit(false);
            s.executeUpdate("UPDATE bench.small SET k = k + 1, v = '" + text(8, 40) + "' WHERE id BETWEEN "
                    + id(r, SMALL_ROWS, 0) + " AND " + id(r, SMALL_ROWS, SMALL_ROWS / 2 - 1));
            s.executeUpdate("UPDATE bench.medium SET c = c * 1.01, note = '" + text(100, 500) + "' WHERE id BETWEEN "
                    + id(r, MEDIUM_ROWS, 0) + " AND " + id(r, MEDIUM_ROWS, 59));
            s.executeUpdate("UPDATE bench.large SET kind = kind + 1 WHERE id BETWEEN " + id(r, LARGE_ROWS, 0) + " AND "
                    + id(r, LARGE_ROWS, 2));
            c.commit();
            c.setAutoCommit(true);
            // 4. delete the oldest round's rows, autocommitted
            if (r >= KEEP_ROUNDS) {
                long old = r - KEEP_ROUNDS;
                s.executeUpdate("DELETE FROM bench.small WHERE id BETWEEN " + id(old, SMALL_ROWS, 0) + " AND "
                        + id(old, SMALL_ROWS, SMALL_ROWS - 1));
                s.executeUpdate("DELETE FROM bench.medium WHERE id BETWEEN " + id(old, MEDIUM_ROWS, 0) + " AND "
                        + id(old, MEDIUM_ROWS, MEDIUM_ROWS - 1));
                s.executeUpdate("DELETE FROM bench.large WHERE id BETWEEN " + id(old, LARGE_ROWS, 0) + " AND "
                        + id(old, LARGE_ROWS, LARGE_ROWS - 1));
            }
            rows.addAndGet(SMALL_ROWS + MEDIUM_ROWS + LARGE_ROWS);
        }

        private long id(long round, int perRound, int i) {
            return base + round * perRound + i;
        }

        private String insertSmall(long r) {
            StringBuilder sb = new StringBuilder(SMALL_ROWS * 64).append("INSERT INTO bench.small (id, k, v, ts) VALUES ");
            for (int i = 0; i < SMALL_ROWS; i++) {
                sb.append(i == 0 ? "(" : ",(").append(id(r, SMALL_ROWS, i)).append(',').append(random.nextInt(1_000_000))
                        .append(",'").append(text(4, 40)).append("',").append(System.currentTimeMillis()).append(')');
            }
            return sb.toString();
        }

        private String insertMedium(long r) {
            StringBuilder sb = new StringBuilder(MEDIUM_ROWS * 400)
                    .append("INSERT INTO bench.medium (id, a, b, c, note, tag) VALUES ");
            for (int i = 0; i < MEDIUM_ROWS; i++) {
                sb.append(i == 0 ? "(" : ",(").append(id(r, MEDIUM_ROWS, i)).append(',').append(random.nextInt())
                        .append(',').append(random.nextInt(100)).append(',').append(random.nextDouble() * 1000)
                        .append(",'").append(text(50, 600)).append("','").append(text(16, 16)).append("')");
            }
            return sb.toString();
        }

        private String insertLarge(long r) {
            StringBuilder sb = new StringBuilder(LARGE_ROWS * 8000).append("INSERT INTO bench.large (id, kind, body) VALUES ");
            for (int i = 0; i < LARGE_ROWS; i++) {
                // now and then one big row: a rows event of up to a mebibyte
                int len = i == 0 && r % 40 == 3 ? 64 * 1024 + random.nextInt(960 * 1024) : 500 + random.nextInt(11_500);
                sb.append(i == 0 ? "(" : ",(").append(id(r, LARGE_ROWS, i)).append(',').append(random.nextInt(100))
                        .append(",'").append(text(len, len)).append("')");
            }
            return sb.toString();
        }

        /** Random alphanumeric text (no quoting needed) of min..max characters. */
        private String text(int min, int max) {
            int len = min + (max > min ? random.nextInt(max - min + 1) : 0);
            int from = random.nextInt(pool.length() - len);
            return pool.substring(from, from + len);
        }
    }
}
