package dev.binlogrelay.server.it;

import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.testkit.MariaDbServer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The relay as its own OS process ({@code cli.Main run --config relay.yaml}, the test's classpath), so a test can
 * SIGKILL it and start it again on the same data directory and downstream port. Output goes to one log file; every
 * start appends a marker line, so {@link #logOfThisRun()} is what the current process wrote.
 *
 * <p>A JVM shutdown hook kills every relay process still running, so none outlives a failed test run.
 */
final class RelayProcess implements AutoCloseable {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Pattern OPENED = Pattern.compile("store \\S+ opened: \\d+ files, committed end (\\S+)");
    private static final Pattern DUMPING = Pattern.compile("dumping from (\\S+):(\\d+)");
    /** Exit status of a JVM ended by SIGKILL (128 + 9); SIGTERM would give 143. */
    static final int SIGKILL_EXIT = 137;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "relay-reaper"));
    }

    private final Path config;
    private final Path log;
    private final int port;
    private final String classPath;
    private final Path nativeDir;
    private Process process;
    private String maxHeap = "-Xmx1g";
    private long logMark;
    private int starts;

    private RelayProcess(Path config, Path log, int port, String classPath, Path nativeDir) {
        this.config = config;
        this.log = log;
        this.port = port;
        this.classPath = classPath;
        this.nativeDir = nativeDir;
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
        String yaml = String.join("\n",
                "server_id: 9001",
                "data_dir: " + dataDir,
                "upstream:",
                "  host: " + primary.host(),
                "  port: " + primary.port(),
                "  user: " + RelayHarness.USER,
                "  password: " + RelayHarness.PASSWORD,
                "  start: earliest",
                "  heartbeat_period: 1",
                "  reconnect_min_ms: 50",
                "  reconnect_max_ms: 500",
                "  connect_timeout_ms: 5000",
                "downstream:",
                "  listen: 127.0.0.1:" + downstreamPort,
                "  users:",
                "    - user: " + RelayHarness.USER,
                "      password: " + RelayHarness.PASSWORD,
                "") + storageSection;
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
        return new RelayProcess(config, dir.resolve("relay.log"), downstreamPort, snapshotClassPath(dir.resolve("classpath")),
                extractRocksDbLibrary(dir.resolve("native")));
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
        return log;
    }

    /** The heap of the next start, e.g. {@code -Xmx512m} (default {@code -Xmx1g}). */
    RelayProcess maxHeap(String option) {
        this.maxHeap = option;
        return this;
    }

    /** The OS process id of the running relay. */
    long pid() {
        return process.pid();
    }

    /** Resident set size of the running relay (VmRSS of /proc/pid/status), bytes. */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** Starts a relay process (the previous one must be dead); does not wait for it. */
    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("relay process " + process.pid() + " is still running");
        }
        starts++;
        String marker = "=== relay start " + starts + " ===\n";
        Files.writeString(log, marker, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        logMark = Files.size(log);
        // C1 only and the serial collector: a faster start on a small machine; the relay's behaviour is the same
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                maxHeap, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.library.path=" + nativeDir,
                "-Dio.netty.leakDetection.level=simple", // the relay's Main turns the detector off unless asked
                "-Dlogback.configurationFile=" + config.resolveSibling("logback.xml"),
                "-cp", classPath, "dev.binlogrelay.server.cli.Main", "run", "--config", config.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RUNNING.add(process);
    }

    /**
     * A private copy of the test's classpath, taken once: every start runs the same code even if a concurrent
     * build rewrites {@code target/classes} or a jar in the local repository meanwhile. Surefire may start the test
     * JVM from a manifest-only jar; it then keeps the real classpath in {@code surefire.test.class.path}.
     */
    private static String snapshotClassPath(Path dir) throws IOException {
        String cp = System.getProperty("java.class.path");
        String surefire = System.getProperty("surefire.test.class.path");
        if (surefire != null && !surefire.isBlank() && (cp == null || !cp.contains("relay-server"))) {
            cp = surefire;
        }
        List<String> copies = new ArrayList<>();
        int i = 0;
        for (String entry : cp.split(File.pathSeparator)) {
            Path source = Path.of(entry);
            Path target = dir.resolve((i++) + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (var walk = Files.walk(source)) {
                    for (Path s : (Iterable<Path>) walk::iterator) {
                        Path t = target.resolve(source.relativize(s).toString());
                        if (Files.isDirectory(s)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(s, t);
                        }
                    }
                }
            } else if (Files.isRegularFile(source)) {
                Files.createDirectories(dir);
                Files.copy(source, target);
            } else {
                continue;
            }
            copies.add(target.toString());
        }
        return String.join(File.pathSeparator, copies);
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
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("relay process exited with code " + process.exitValue() + " while starting; its log:\n" + tail(logOfThisRun()));
            }
            try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                if (rs.next()) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            pause(50);
        }
        fail("relay did not answer on 127.0.0.1:" + port + " within " + timeout + " (last: " + last + "); its log:\n"
                + tail(logOfThisRun()));
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux, checked by the exit status). */
    void kill() throws InterruptedException {
        Process p = process;
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            fail("relay process " + p.pid() + " did not die within 30 s of SIGKILL");
        }
        RUNNING.remove(p);
        assertEquals(SIGKILL_EXIT, p.exitValue(), "relay process " + p.pid() + " was not ended by SIGKILL");
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** A new SQL connection to the relay's downstream port; the caller closes it. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=" + RelayHarness.USER + "&password="
                + RelayHarness.PASSWORD + "&connectTimeout=2000&socketTimeout=10000");
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

    /** What the current process has written to the log so far. */
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

    String logOfThisRun() {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) Math.min(logMark, all.length), (int) Math.max(0, all.length - logMark), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        return text.length() <= 8000 ? text : "..." + text.substring(text.length() - 8000);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills the process if it still runs (SIGKILL: nothing of a failed test should linger). */
    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (p != null) {
            RUNNING.remove(p);
        }
    }
}
