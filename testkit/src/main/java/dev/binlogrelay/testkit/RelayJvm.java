package dev.binlogrelay.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A relay in a JVM of its own: {@code java OPTIONS -cp CLASSPATH dev.binlogrelay.server.cli.Main run --config FILE},
 * its output appended to one log file. The integration tests (which SIGKILL it and start it again on the same data)
 * and the bench (which reads its CPU time and memory from /proc, apart from the bench's readers) both start relays
 * through it; what goes in the config is theirs. The classpath is the caller's too ({@link #classpathOfThisJvm()},
 * or another build's): the testkit does not depend on the relay.
 *
 * <p>Every {@link #start()} appends a marker line to the log, so {@link #logOfThisRun()} is what the current process
 * wrote. A JVM shutdown hook kills every relay still running, so none outlives a failed run.
 */
public final class RelayJvm implements AutoCloseable {
    /** The relay's command-line entry point. */
    public static final String MAIN = "dev.binlogrelay.server.cli.Main";
    /** Exit status of a JVM ended by SIGKILL (128 + 9); SIGTERM gives 143. */
    public static final int SIGKILL_EXIT = 137;
    private static final int TAIL_CHARS = 8000;
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "relay-reaper"));
    }

    private final Path config;
    private final Path log;
    private final String classpath;
    private List<String> jvmOptions = List.of();
    private Process process;
    private long logMark;
    private int starts;

    /** A relay to run with {@code config}, writing to {@code log}, on {@code classpath}; nothing runs yet. */
    public RelayJvm(Path config, Path log, String classpath) {
        this.config = config;
        this.log = log;
        this.classpath = classpath;
    }

    /**
     * The lines of a relay config (YAML) that replicates {@code primary} from its first binlog file
     * ({@code start: earliest}) into {@code dataDir}, logging in as {@code user}: what every launcher writes alike. The
     * caller adds its own lines, upstream keys first, then {@code downstream:} and the rest.
     */
    public static List<String> replicaConfig(long serverId, Path dataDir, MariaDbServer primary, String user, String password) {
        return List.of(
                "server_id: " + serverId,
                "data_dir: " + dataDir,
                "upstream:",
                "  host: " + primary.host(),
                "  port: " + primary.port(),
                "  user: " + user,
                "  password: " + password,
                "  start: earliest");
    }

    /** The JVM options of the next start, e.g. {@code -Xmx1g}. */
    public RelayJvm jvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    public Path log() {
        return log;
    }

    /** Starts a relay process (the previous one must be dead); does not wait for it. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("relay process " + process.pid() + " is still running");
        }
        starts++;
        Files.writeString(log, "=== relay start " + starts + " ===\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        logMark = Files.size(log);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath, MAIN, "run", "--config", config.toString()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        RUNNING.add(process);
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The OS process id of the running relay. */
    public long pid() {
        return process.pid();
    }

    /** Resident set size of the running relay (VmRSS of /proc/pid/status), bytes. */
    public long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** Throws if the relay has exited, with its exit code, what it was {@code doing} and the end of its log. */
    public void checkAlive(String doing) {
        if (!isAlive()) {
            throw new IllegalStateException("the relay exited with code " + process.exitValue() + " while " + doing
                    + "; its log:\n" + tail(logOfThisRun()));
        }
    }

    /**
     * Waits (bounded) until the relay answers SQL on {@code 127.0.0.1:port} as {@code user}. Its store is open by
     * then: the relay binds its downstream port only after recovery.
     */
    public void awaitAnswering(int port, String user, String password, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            checkAlive("starting");
            try (Connection c = connect(port, user, password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT @@server_id")) {
                if (rs.next()) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            Processes.pause(process, 50);
        }
        throw new IllegalStateException("the relay did not answer on 127.0.0.1:" + port + " within " + timeout
                + " (last: " + last + "); its log:\n" + tail(logOfThisRun()));
    }

    /** A new SQL connection to a relay's downstream port; the caller closes it. */
    public static Connection connect(int port, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=" + user + "&password="
                + password + "&connectTimeout=2000&socketTimeout=10000");
    }

    /**
     * SIGKILL (what {@link Process#destroyForcibly()} sends on Linux); returns the exit status once the process is
     * gone ({@link #SIGKILL_EXIT} unless it had exited by itself).
     */
    public int kill() throws InterruptedException {
        Process p = process;
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("relay process " + p.pid() + " did not die within 30 s of SIGKILL");
        }
        RUNNING.remove(p);
        return p.exitValue();
    }

    /**
     * SIGTERM (what {@link Process#destroy()} sends on Linux), then waits at most {@code bound} for the process to
     * end; returns its exit status.
     *
     * @throws IllegalStateException if it still runs after {@code bound} (it is then killed)
     */
    public int terminate(Duration bound) throws InterruptedException {
        Process p = process;
        p.destroy();
        if (!p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            RUNNING.remove(p);
            throw new IllegalStateException("relay process " + p.pid() + " did not stop within " + bound + " of SIGTERM");
        }
        RUNNING.remove(p);
        return p.exitValue();
    }

    /** Asks the relay to stop (SIGTERM: it closes its store) and kills it if it has not within {@code grace}. */
    public void stop(Duration grace) {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        RUNNING.remove(p);
    }

    /** Kills the process if it still runs (SIGKILL: nothing of a failed run should linger). */
    @Override
    public void close() {
        Process p = process;
        Processes.kill(p, Duration.ofSeconds(30));
        if (p != null) {
            RUNNING.remove(p);
        }
    }

    /** What the current process has written to the log so far. */
    public String logOfThisRun() {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) Math.min(logMark, all.length), (int) Math.max(0, all.length - logMark),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last 8000 characters of {@code text}. */
    public static String tail(String text) {
        return text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
    }

    /**
     * The classpath this JVM runs with, to run the relay's Main with: the class loaders' URLs when launched by a tool
     * that uses one (Maven's exec:java), then {@code java.class.path}, or Surefire's and Failsafe's
     * {@code surefire.test.class.path} when the test JVM was started from a manifest-only jar.
     */
    public static String classpathOfThisJvm() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                        throw new IllegalStateException("cannot turn classpath entry " + url + " into a path", e);
                    }
                }
            }
        }
        for (String property : List.of("java.class.path", "surefire.test.class.path")) {
            for (String e : System.getProperty(property, "").split(File.pathSeparator)) {
                if (!e.isBlank()) {
                    entries.add(e);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * A private copy of {@code classpath} under {@code dir}, taken once: every start runs the same code even if a
     * concurrent build rewrites {@code target/classes} or a jar in the local repository meanwhile. Entries that do
     * not exist are left out.
     */
    public static String snapshot(String classpath, Path dir) throws IOException {
        List<String> copies = new ArrayList<>();
        int i = 0;
        for (String entry : classpath.split(File.pathSeparator)) {
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
}
