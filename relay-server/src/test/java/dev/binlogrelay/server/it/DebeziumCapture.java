package dev.binlogrelay.server.it;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One Debezium embedded engine (the MariaDB connector) with its default settings, collecting the row change events
 * it delivers. Only what a connector must be told is set: where the server is, who it logs in as, its replica
 * server id, its topic prefix, and files for its offsets and schema history (so a restarted engine resumes). Each
 * change is kept as table, key, op, before and after image and the transaction's GTID: what a consumer acts on.
 */
final class DebeziumCapture implements AutoCloseable {
    /** One row change as a consumer sees it; the source block's file and position are left out on purpose. */
    record Change(String table, String key, String op, String before, String after, String gtid) {
        @Override
        public String toString() {
            return op + " " + table + " " + key + " before=" + before + " after=" + after + " gtid=" + gtid;
        }
    }

    private final String name;
    private final List<Change> changes = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean finished;
    private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private final ExecutorService executor;

    private DebeziumCapture(String name, Properties props) {
        this.name = name;
        this.engine = DebeziumEngine.create(Connect.class)
                .using(props)
                .notifying(this::accept)
                .using((success, message, error) -> {
                    if (!success) {
                        failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                    }
                    finished = true;
                })
                .build();
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium-" + name));
        executor.execute(engine);
    }

    /**
     * Starts a connector on {@code host:port}. Settings beyond the defaults: none but the mandatory ones; {@code extra}
     * adds a test's own (e.g. {@code snapshot.mode}), named in the test so a reader sees what was changed.
     */
    static DebeziumCapture start(String name, String host, int port, String user, String password, long serverId,
                                 Path stateDir, Properties extra) {
        Properties p = new Properties();
        p.setProperty("name", name);
        p.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
        p.setProperty("topic.prefix", name);
        p.setProperty("database.hostname", host);
        p.setProperty("database.port", String.valueOf(port));
        p.setProperty("database.user", user);
        p.setProperty("database.password", password);
        p.setProperty("database.server.id", String.valueOf(serverId));
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", stateDir.resolve("offsets.dat").toString());
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", stateDir.resolve("schema-history.dat").toString());
        p.putAll(extra);
        return new DebeziumCapture(name, p);
    }

    private void accept(ChangeEvent<SourceRecord, SourceRecord> event) {
        SourceRecord r = event.value();
        if (r == null || !(r.value() instanceof Struct value) || value.schema().field("op") == null) {
            return; // schema changes, tombstones
        }
        String table = r.topic().substring(name.length() + 1);
        Struct source = value.getStruct("source");
        String gtid = source.schema().field("gtid") != null ? source.getString("gtid") : null;
        Change c = new Change(table, String.valueOf(r.key()), value.getString("op"), image(value, "before"),
                image(value, "after"), gtid);
        synchronized (changes) {
            changes.add(c);
            changes.notifyAll();
        }
    }

    private static String image(Struct value, String field) {
        Struct s = value.getStruct(field);
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder("{");
        for (Field f : s.schema().fields()) {
            Object v = s.get(f);
            b.append(f.name()).append('=').append(v instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : v).append(',');
        }
        return b.append('}').toString();
    }

    List<Change> changes() {
        synchronized (changes) {
            return new ArrayList<>(changes);
        }
    }

    int size() {
        synchronized (changes) {
            return changes.size();
        }
    }

    /** Waits (bounded) until a change matches; fails with what was received if none does, or the engine stopped. */
    List<Change> awaitChange(Predicate<Change> until, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changes) {
            while (changes.stream().noneMatch(until)) {
                long left = deadline - System.nanoTime();
                if (failure.get() != null || finished) {
                    throw new AssertionError(name + ": the engine stopped: " + failure.get(), failure.get());
                }
                if (left <= 0) {
                    fail(name + ": no matching change within " + timeout + " (" + changes.size() + " received; last: "
                            + (changes.isEmpty() ? "none" : changes.get(changes.size() - 1)) + ")");
                }
                changes.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
            return new ArrayList<>(changes);
        }
    }

    /** Waits (bounded) until {@code n} changes arrived. */
    void awaitCount(int n, Duration timeout) throws InterruptedException {
        awaitChange(c -> size() >= n, timeout);
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws IOException {
        try {
            engine.close();
        } finally {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                    throw new IOException(name + ": the engine did not stop within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                executor.shutdownNow();
            }
        }
    }
}
