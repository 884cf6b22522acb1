package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.MariaDbServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A live workload on a primary from a background thread: explicit transactions of inserts, updates and deletes
 * (some rolled back), JSON documents, 1.5 MiB rows, and on a timer a 20 MiB LONGBLOB row and FLUSH BINARY LOGS.
 * {@link #pause()} waits for the transaction in progress and holds the next one back until {@link #resume()}.
 *
 * <p>At most two 20 MiB rows stay in {@code app.t_blob}: each new one deletes the older ones with
 * {@code binlog_row_image=MINIMAL}, so CHECKSUM TABLE stays cheap and the delete is not another 20 MiB event.
 */
final class LiveWorkload implements AutoCloseable {
    static final int BIG_ROW_BYTES = 20 * 1024 * 1024 + 17;
    static final List<String> TABLES = List.of("app.t_rows", "app.t_json", "app.t_mid", "app.t_blob");
    private static final int MID_ROW_BYTES = 3 * 512 * 1024;
    private static final long BIG_ROW_EVERY_NANOS = TimeUnit.SECONDS.toNanos(12);
    private static final long FLUSH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(2500);
    /** After a pause, the timed 20 MiB row and flush wait this long, not to collide with a kill aimed at either. */
    private static final long QUIET_AFTER_RESUME_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

    private final MariaDbServer primary;
    private final Random random;
    private final byte[] bigTemplate;
    private final ReentrantLock gate = new ReentrantLock(true);
    /** One 20 MiB insert-and-prune at a time (the controller's and the background thread's). */
    private final ReentrantLock blobLock = new ReentrantLock();
    private final AtomicInteger nextBlobId = new AtomicInteger(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong rollbacks = new AtomicLong();
    private final AtomicLong bigRows = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile long resumedAt = System.nanoTime();
    private int nextRowId = 1;

    LiveWorkload(MariaDbServer primary, long seed) {
        this.primary = primary;
        this.random = new Random(seed);
        this.bigTemplate = new byte[BIG_ROW_BYTES];
        new Random(seed ^ 0x5EED).nextBytes(bigTemplate);
        this.thread = new Thread(this::run, "live-workload");
        this.thread.setDaemon(true);
    }

    static void createSchema(MariaDbServer primary) {
        primary.execute("CREATE DATABASE app",
                "CREATE TABLE app.t_rows (id INT PRIMARY KEY, v VARCHAR(80), n BIGINT) ENGINE=InnoDB",
                "CREATE TABLE app.t_json (id INT PRIMARY KEY, doc JSON) ENGINE=InnoDB",
                "CREATE TABLE app.t_mid (id INT PRIMARY KEY, b MEDIUMBLOB) ENGINE=InnoDB",
                "CREATE TABLE app.t_blob (id INT PRIMARY KEY, b LONGBLOB) ENGINE=InnoDB");
    }

    void start() {
        thread.start();
    }

    private void run() {
        long lastBig = System.nanoTime();
        long lastFlush = System.nanoTime();
        try (Connection c = primary.connect()) {
            while (!stopping) {
                if (!gate.tryLock(2, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the workload was paused for more than 2 minutes");
                }
                try {
                    long now = System.nanoTime();
                    boolean quiet = now - resumedAt < QUIET_AFTER_RESUME_NANOS;
                    if (!quiet && now - lastBig > BIG_ROW_EVERY_NANOS) {
                        bigRow(c);
                        lastBig = now;
                    } else if (!quiet && now - lastFlush > FLUSH_EVERY_NANOS) {
                        flush(c);
                        lastFlush = now;
                    } else {
                        transaction(c);
                    }
                } finally {
                    gate.unlock();
                }
                Thread.sleep(1 + random.nextInt(4)); // pacing, leaves CPU to the relay and the replicas
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** One explicit transaction: inserts, updates, a delete now and then, sometimes rolled back. */
    private void transaction(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
             PreparedStatement ins = c.prepareStatement("INSERT INTO app.t_rows VALUES (?, ?, ?)")) {
            int inserts = 1 + random.nextInt(4);
            for (int i = 0; i < inserts; i++) {
                int id = nextRowId++;
                ins.setInt(1, id);
                ins.setString(2, "row-" + id + "-" + random.nextInt());
                ins.setLong(3, random.nextLong());
                ins.executeUpdate();
                if (id % 7 == 0) {
                    st.executeUpdate("INSERT INTO app.t_json VALUES (" + id + ", JSON_OBJECT('id', " + id + ", 'tags', JSON_ARRAY('a', 'b'), 'x', "
                            + random.nextInt(1000) + "))");
                }
            }
            int some = 1 + random.nextInt(nextRowId);
            st.executeUpdate("UPDATE app.t_rows SET v = CONCAT(LEFT(v, 60), '-u'), n = n + 1 WHERE id = " + some);
            st.executeUpdate("UPDATE app.t_json SET doc = JSON_SET(doc, '$.u', " + random.nextInt(100) + ") WHERE id = " + (some - some % 7));
            if (random.nextInt(4) == 0) {
                st.executeUpdate("DELETE FROM app.t_rows WHERE id = " + (1 + random.nextInt(nextRowId)));
            }
            if (random.nextInt(30) == 0) {
                try (PreparedStatement mid = c.prepareStatement("REPLACE INTO app.t_mid VALUES (?, ?)")) {
                    byte[] b = new byte[MID_ROW_BYTES];
                    random.nextBytes(b);
                    mid.setInt(1, random.nextInt(4));
                    mid.setBytes(2, b);
                    mid.executeUpdate();
                }
            }
            if (random.nextInt(20) == 0) {
                c.rollback();
                nextRowId -= inserts; // the ids were not used
                rollbacks.incrementAndGet();
            } else {
                c.commit();
                commits.incrementAndGet();
            }
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Inserts a 20 MiB row (one transaction), then prunes older ones; returns the new row's GTID. */
    String bigRow(Connection c) throws SQLException {
        blobLock.lock();
        try {
            int id = nextBlobId.getAndIncrement();
            byte[] b = bigTemplate.clone();
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) (id >>> (8 * i));
            }
            String gtid;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO app.t_blob VALUES (?, ?)");
                 Statement st = c.createStatement()) {
                // without this the ANNOTATE_ROWS event would carry the 20 MiB statement text as well
                st.execute("SET SESSION binlog_annotate_row_events = OFF");
                ps.setInt(1, id);
                ps.setBytes(2, b);
                ps.executeUpdate();
                try (var rs = st.executeQuery("SELECT @@last_gtid")) {
                    rs.next();
                    gtid = rs.getString(1);
                }
                st.execute("SET SESSION binlog_row_image = 'MINIMAL'");
                st.executeUpdate("DELETE FROM app.t_blob WHERE id <= " + (id - 2));
                st.execute("SET SESSION binlog_row_image = 'FULL'");
                st.execute("SET SESSION binlog_annotate_row_events = ON");
            }
            bigRows.incrementAndGet();
            return gtid;
        } finally {
            blobLock.unlock();
        }
    }

    void flush(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("FLUSH BINARY LOGS");
        }
        flushes.incrementAndGet();
    }

    /** Waits (bounded) for the transaction in progress, then holds the workload back. */
    void pause() throws InterruptedException {
        if (!gate.tryLock(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the workload did not pause within 60 s");
        }
        checkHealthy();
    }

    void resume() {
        resumedAt = System.nanoTime();
        gate.unlock();
    }

    void checkHealthy() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("the workload on the primary failed: " + t, t);
        }
    }

    /** Stops the thread (bounded wait) and fails if the workload failed. */
    void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the workload thread did not stop within " + timeout);
        }
        checkHealthy();
    }

    String summary() {
        return commits.get() + " commits, " + rollbacks.get() + " rollbacks, " + bigRows.get() + " rows of 20 MiB, "
                + flushes.get() + " FLUSH BINARY LOGS";
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(30_000);
    }
}
