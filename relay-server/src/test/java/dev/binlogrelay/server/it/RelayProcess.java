package dev.binlogrelay.server.it;

import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;
import dev.binlogrelay.testkit.RelayJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The relay as its own OS process ({@code cli.Main run --config relay.yaml} on a private copy of the test's classpath,
 * started by the testkit's {@link RelayJvm}), so a test can SIGKILL it and start it again on the same data directory
 * and downstream port. Output goes to one log file; {@link #logOfThisRun()} is what the current process wrote.
 */
final class RelayProcess implements AutoCloseable {
    private static final Pattern OPENED = Pattern.compile("store \\S+ opened: \\d+ files, committed end (\\S+)");
    private static final Pattern DUMPING = Pattern.compile("dumping from (\\S+):(\\d+)");
    /** Exit status of a JVM ended by SIGKILL (128 + 9); SIGTERM would give 143. */
    static final int SIGKILL_EXIT = RelayJvm.SIGKILL_EXIT;

    private final Path config;
    private final int port;
    private final Path nativeDir;
    private final RelayJvm jvm;
    private String maxHeap = "-Xmx1g";

    private RelayProcess(Path config, Path log, int port, String classPath, Path nativeDir) {
        this.config = config;
        this.port = port;
        this.nativeDir = nativeDir;
        this.jvm = new RelayJvm(config, log, classPath);
    }

    /** Writes {@code dir/relay.yaml} (data in {@code dir/data}, log in {@code dir/relay.log}); nothing runs yet. */
    static RelayProcess configure(Path dir, MariaDbServer primary, int downstreamPort) throws IOException {
        return configure(dir, primary, downstreamPort, "every_transaction");
    }

    /** As {@link #configure(Path, MariaDbServer, int)} with this {@code storage.sync}. */
    static RelayProcess configure(Path dir, MariaDbServer primary, int downstreamPort, String sync) throws IOException {
        return configure(dir, primary, downstreamPort, "storage:\n  cache_bytes: 67108864\n  sync: " + sync + "\n", dir.resolve("data"));
    }

    /** Writes {@code dir/relay.yaml} with {@code storageSection} (YAML, ending in a newline) and the store in {@code dataDir}. */
    static RelayProcess configure(Path dir, MariaDbServer primary, int downstreamPort, String storageSection, Path dataDir)
            throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>(RelayJvm.replicaConfig(9001, dataDir, primary, RelayHarness.USER, RelayHarness.PASSWORD));
        lines.addAll(List.of(
                "  heartbeat_period: 1",
                "  reconnect_min_ms: 50",
                "  reconnect_max_ms: 500",
                "  connect_timeout_ms: 5000",
                "downstream:",
                "  listen: 127.0.0.1:" + downstreamPort,
                "  users:",
                "    - user: " + RelayHarness.USER,
                "      password: " + RelayHarness.PASSWORD,
                ""));
        String yaml = String.join("\n", lines) + storageSection;
        Path config = dir.resolve("relay.yaml");
        Files.writeString(config, yaml);
        Files.writeString(dir.resolve("logback.xml"), String.join("\n",
                "<configuration>",
                "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <logger name=\"io.netty\" level=\"WARN\"/>",
                "  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>",
                "</configuration>", ""));
        return new RelayProcess(config, dir.resolve("relay.log"), downstreamPort,
                RelayJvm.snapshot(RelayJvm.classpathOfThisJvm(), dir.resolve("classpath")), extractRocksDbLibrary(dir.resolve("native")));
    }

    /**
     * A free loopback port below the kernel's ephemeral range: while the relay is down, no outgoing connection
     * can be given its port, so it can always bind it again. Falls back to any free port.
     */
    static int stablePort() {
        int low = 32768;
        try {
            low = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the usual default
        }
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; low > 11000 && attempt < 50; attempt++) {
            int port = 10000 + random.nextInt(low - 11000);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        return dev.binlogrelay.testkit.FreePorts.find();
    }

    int port() {
        return port;
    }

    Path logFile() {
        return jvm.log();
    }

    /** The heap of the next start, e.g. {@code -Xmx512m} (default {@code -Xmx1g}). */
    RelayProcess maxHeap(String option) {
        this.maxHeap = option;
        return this;
    }

    /** The OS process id of the running relay. */
    long pid() {
        return jvm.pid();
    }

    /** Resident set size of the running relay (VmRSS of /proc/pid/status), bytes. */
    long rssBytes() throws IOException {
        return jvm.rssBytes();
    }

    /** Starts a relay process (the previous one must be dead); does not wait for it. */
    void start() throws IOException {
        // C1 only and the serial collector: a faster start on a small machine; the relay's behaviour is the same
        jvm.jvmOptions(List.of(maxHeap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.library.path=" + nativeDir,
                "-Dio.netty.leakDetection.level=simple", // the relay's Main turns the detector off unless asked
                "-Dlogback.configurationFile=" + config.resolveSibling("logback.xml")));
        jvm.start();
    }

    /**
     * RocksDB's JNI library, unpacked once where {@code java.library.path} finds it. Otherwise every start unpacks
     * 15 MB into /tmp and, killed with SIGKILL, never deletes it.
     */
    private static Path extractRocksDbLibrary(Path dir) throws IOException {
        String name = org.rocksdb.util.Environment.getJniLibraryFileName("rocksdb");
        Files.createDirectories(dir);
        try (var in = org.rocksdb.RocksDB.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not in the rocksdbjni jar");
            }
            Files.copy(in, dir.resolve(name));
        }
        return dir;
    }

    /**
     * Waits (bounded) until the relay answers SQL on its downstream port. Its store is open by then: the relay
     * binds the port only after recovery.
     */
    void awaitReady(Duration timeout) {
        try {
            jvm.awaitAnswering(port, RelayHarness.USER, RelayHarness.PASSWORD, timeout);
        } catch (IllegalStateException e) {
            fail(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux, checked by the exit status). */
    void kill() throws InterruptedException {
        long pid = jvm.pid();
        assertEquals(SIGKILL_EXIT, jvm.kill(), "relay process " + pid + " was not ended by SIGKILL");
    }

    /** SIGTERM, waiting at most {@code bound} for the exit; returns the exit status. */
    int terminate(Duration bound) throws InterruptedException {
        return jvm.terminate(bound);
    }

    boolean isAlive() {
        return jvm.isAlive();
    }

    /** A new SQL connection to the relay's downstream port; the caller closes it. */
    Connection connect() throws SQLException {
        return RelayJvm.connect(port, RelayHarness.USER, RelayHarness.PASSWORD);
    }

    /** SHOW MASTER STATUS on {@code c} (for the relay: its committed end), empty for an empty store. */
    static Optional<BinlogPosition> masterStatus(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            return rs.next() ? Optional.of(new BinlogPosition(rs.getString(1), rs.getLong(2))) : Optional.empty();
        }
    }

    static String queryString(Connection relay, String sql) throws SQLException {
        try (Statement s = relay.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * Waits (bounded) until this relay's SHOW MASTER STATUS equals the primary's (the primary must be quiet;
     * its position is re-read each time, since MariaDB writes a BINLOG_CHECKPOINT on its own after a rotate).
     * Fails at once if the relay process dies meanwhile.
     */
    BinlogPosition awaitCaughtUp(MariaDbServer primary, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<BinlogPosition> at = Optional.empty();
        BinlogPosition target = null;
        try (Connection c = connect()) {
            while (System.nanoTime() < deadline) {
                target = RelayHarness.masterStatus(primary);
                at = masterStatus(c);
                if (at.isPresent() && at.get().equals(target)) {
                    return target;
                }
                if (!isAlive()) {
                    fail("the relay died while catching up; its log:\n" + tail(logOfThisRun()));
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the relay did not catch up with the primary at " + target + " within " + timeout
                + "; it is at " + at + "; its log:\n" + tail(logOfThisRun()));
    }

    /** What the current process has written to the log so far. */
    String logOfThisRun() {
        return jvm.logOfThisRun();
    }

    /** The committed end the store recovered when this process opened it; empty for an empty store. */
    Optional<BinlogPosition> recoveredEnd() {
        Matcher m = OPENED.matcher(logOfThisRun());
        if (!m.find()) {
            fail("the relay's log does not say where its store ended; its log:\n" + tail(logOfThisRun()));
        }
        String end = m.group(1);
        if (end.equals("(empty)")) {
            return Optional.empty();
        }
        int colon = end.lastIndexOf(':');
        return Optional.of(new BinlogPosition(end.substring(0, colon), Long.parseLong(end.substring(colon + 1))));
    }

    /** Where this process first asked the primary to dump from, once it has (file/position dumps only). */
    Optional<BinlogPosition> firstDumpStart() {
        Matcher m = DUMPING.matcher(logOfThisRun());
        return m.find() ? Optional.of(new BinlogPosition(m.group(1), Long.parseLong(m.group(2)))) : Optional.empty();
    }

    static String tail(String text) {
        return RelayJvm.tail(text);
    }

    /** Kills the process if it still runs (SIGKILL: nothing of a failed test should linger). */
    @Override
    public void close() {
        jvm.close();
    }
}
