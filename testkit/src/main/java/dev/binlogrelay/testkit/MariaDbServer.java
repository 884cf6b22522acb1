package dev.binlogrelay.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway MariaDB server for tests, the demo and benchmarks: its own temp directory (see {@link ServerLayout}),
 * a free loopback port, row-based binary logging in {@link #binlogDir()}, and two TCP users: {@code root} with an
 * empty password and {@code repl}/{@code secret} for replication. The binary log starts empty (the users are made
 * with {@code sql_log_bin=0}).
 *
 * <pre>{@code
 * try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
 *     primary.execute("CREATE DATABASE app");
 * }
 * }</pre>
 *
 * <p>Every server that was started and not closed is killed by a JVM shutdown hook. Lifecycle methods
 * ({@link #stop()}, {@link #kill()}, {@link #restart()}, {@link #close()}) are synchronized; the SQL helpers open a
 * fresh connection per call and may be used from any thread.
 */
public final class MariaDbServer implements AutoCloseable {
    public static final String ROOT_USER = "root";
    public static final String ROOT_PASSWORD = "";
    public static final String REPL_USER = "repl";
    public static final String REPL_PASSWORD = "secret";

    private static final Logger log = LoggerFactory.getLogger(MariaDbServer.class);
    private static final int PORT_ATTEMPTS = 3;

    private final MariaDbServerBuilder settings;
    private final Peers.ServerInstall install;
    private final ServerLayout layout;
    private final Replication replication = new Replication(this);
    private volatile int port;
    private volatile Process process;
    private volatile boolean closed;

    private MariaDbServer(MariaDbServerBuilder settings, Peers.ServerInstall install) {
        this.settings = settings;
        this.install = install;
        this.layout = ServerLayout.create(settings.name);
    }

    /** Settings for a new server; {@link MariaDbServerBuilder#start()} starts it. */
    public static MariaDbServerBuilder builder() {
        return new MariaDbServerBuilder();
    }

    /** Creates the directories, runs install-db and starts the server; on failure removes everything again. */
    static MariaDbServer start(MariaDbServerBuilder settings, Peers.ServerInstall install) {
        MariaDbServer server = new MariaDbServer(settings, install);
        try {
            server.initialize();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void initialize() {
        Processes.run(layout.installDbCommand(install), layout.installLog(), Duration.ofSeconds(120),
                "mariadb-install-db for " + settings.name);
        try {
            Files.writeString(layout.initFile(), ServerLayout.initSql());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int attempt = 1; ; attempt++) {
            port = FreePorts.find();
            long mark = Processes.size(layout.errorLog());
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                String errors = Processes.tail(layout.errorLog(), mark);
                boolean portTaken = errors.contains("Address already in use") || errors.contains("Bind on TCP/IP port");
                if (!portTaken || attempt == PORT_ATTEMPTS) {
                    throw e;
                }
                log.info("{}: port {} was taken meanwhile; trying another", settings.name, port);
            }
        }
    }

    private synchronized void launch() {
        long mark = Processes.size(layout.errorLog());
        ProcessBuilder pb = new ProcessBuilder(layout.mysqldCommand(install, settings, port))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.stdout().toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + install.mysqld(), e);
        }
        ServerReaper.track(this);
        awaitReady(settings.startTimeout, mark);
        log.info("{}: {} ready on 127.0.0.1:{}, files in {}", settings.name, install.mysqld(), port, layout.dir());
    }

    private void awaitReady(Duration timeout, long errorLogMark) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (!p.isAlive()) {
                throw new IllegalStateException(settings.name + ": " + install.mysqld() + " exited with code " + p.exitValue()
                        + " while starting; " + layout.errorLog() + " says:\n" + Processes.tail(layout.errorLog(), errorLogMark)
                        + "\nstdout/stderr:\n" + Processes.tail(layout.stdout(), 0));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl() + "&connectTimeout=1000&socketTimeout=5000")) {
                if (c.isValid(1)) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            Processes.pause(p, 100);
        }
        kill();
        throw new IllegalStateException(settings.name + " did not accept connections on 127.0.0.1:" + port + " within "
                + timeout + " (last: " + last + "); " + layout.errorLog() + " says:\n"
                + Processes.tail(layout.errorLog(), errorLogMark));
    }

    // ------------------------------------------------------------------ where and how to reach it

    public String name() {
        return settings.name;
    }

    public long serverId() {
        return settings.serverId;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The temp directory holding everything of this server. */
    public Path workDir() {
        return layout.dir();
    }

    public Path dataDir() {
        return layout.data();
    }

    /** Holds the binary logs ({@code mariadb-bin.NNNNNN}) and their index, nothing else. */
    public Path binlogDir() {
        return layout.binlog();
    }

    public Path errorLog() {
        return layout.errorLog();
    }

    /** The installation this server runs. */
    public Peers.ServerInstall install() {
        return install;
    }

    /** {@code jdbc:mariadb://127.0.0.1:PORT/?user=root&password=} (MariaDB Connector/J). */
    public String jdbcUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/?user=" + ROOT_USER + "&password=" + ROOT_PASSWORD;
    }

    /** A new connection as root; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    // ------------------------------------------------------------------ SQL helpers (one connection per call)

    /** Runs the statements in order on one connection. */
    public void execute(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                try {
                    s.execute(sql);
                } catch (SQLException e) {
                    throw new IllegalStateException(settings.name + ": " + sql + ": " + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(settings.name + " (127.0.0.1:" + port + "): " + e.getMessage(), e);
        }
    }

    /** All rows, every column as a string (SQL NULL as null). */
    public List<List<String>> query(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<List<String>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(settings.name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row, or null when there is no row. */
    public String queryString(String sql) {
        List<List<String>> rows = query(sql);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    public String version() {
        return queryString("SELECT VERSION()");
    }

    /** The names listed by {@code SHOW BINARY LOGS}, oldest first. */
    public List<String> binlogFiles() {
        return query("SHOW BINARY LOGS").stream().map(r -> r.get(0)).toList();
    }

    /** A binary log coordinate. */
    public record BinlogFilePos(String file, long pos) {
    }

    /** Where the binary log ends now ({@code SHOW MASTER STATUS}). */
    public BinlogFilePos binlogFilePos() {
        List<List<String>> rows = query("SHOW MASTER STATUS");
        if (rows.isEmpty()) {
            throw new IllegalStateException(settings.name + " has no binary log (started with binlog(false)?)");
        }
        return new BinlogFilePos(rows.get(0).get(0), Long.parseLong(rows.get(0).get(1)));
    }

    public String gtidBinlogPos() {
        return queryString("SELECT @@gtid_binlog_pos");
    }

    /** The value of {@code CHECKSUM TABLE qualifiedTable} (null if the table does not exist). */
    public String checksumTable(String qualifiedTable) {
        return query("CHECKSUM TABLE " + qualifiedTable).get(0).get(1);
    }

    // ------------------------------------------------------------------ acting as a replica

    /**
     * Points this server at {@code masterHost:masterPort} and starts replicating. {@code file}/{@code pos} are used
     * only by {@link ReplicaMode#FILE_POS} (a null file starts at the master's first binary log).
     */
    public void startReplica(String masterHost, int masterPort, String user, String password, ReplicaMode mode,
                             String file, long pos) {
        replication.start(masterHost, masterPort, user, password, mode, file, pos);
    }

    /**
     * Makes this replica a primary, as a failover tool does: stops replicating and forgets its primary
     * ({@code STOP SLAVE}, {@code RESET SLAVE ALL}) and takes writes ({@code read_only} off).
     */
    public void promoteToPrimary() {
        execute("STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL read_only = OFF");
    }

    /** {@code SHOW SLAVE STATUS} as column → value; empty when this server is no replica. */
    public Map<String, String> replicaStatus() {
        return replication.status();
    }

    /**
     * Waits until {@code @@gtid_slave_pos} covers {@code primaryGtidPos} in every domain. Fails with the replica's
     * status on timeout, when a replication thread stopped with an error, or when the server died.
     */
    public void awaitReplicaCaughtUp(String primaryGtidPos, Duration timeout) {
        replication.awaitGtid(primaryGtidPos, timeout);
    }

    /** Waits until the replica has executed its master's binary log up to {@code file}:{@code pos}. */
    public void awaitReplicaExecuted(String file, long pos, Duration timeout) {
        replication.awaitExecuted(file, pos, timeout);
    }

    // ------------------------------------------------------------------ lifecycle

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** Fails (as a test failure) if the server process has died. */
    void checkAlive(String doing) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new AssertionError(settings.name + " is not running while " + doing + "; " + layout.errorLog()
                    + " says:\n" + Processes.tail(layout.errorLog(), 0));
        }
    }

    /** Pauses the calling thread briefly, returning early if the server exits. */
    void pause(long millis) {
        Processes.pause(process, millis);
    }

    /** Shuts the server down cleanly ({@code SHUTDOWN}, then SIGTERM, then SIGKILL); the files stay. */
    public synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl() + "&connectTimeout=2000&socketTimeout=10000");
             Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            log.debug("{}: SHUTDOWN failed ({}); terminating it", settings.name, e.getMessage());
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(15, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** SIGKILL: the server dies at once, as in a crash; the files stay for {@link #restart()}. */
    public synchronized void kill() {
        Processes.kill(process, Duration.ofSeconds(30));
    }

    /** Stops the server if it runs, then starts it again on the same data directory and port. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException(settings.name + " is closed");
        }
        stop();
        launch();
    }

    /** Stops the server and deletes its directory (kept with {@code RELAY_KEEP_TEST_DIRS=1}). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        ServerReaper.forget(this);
        removeFiles();
    }

    /** The shutdown hook's way out: no SQL, no locks. */
    void reap() {
        Processes.kill(process, Duration.ofSeconds(10));
        removeFiles();
    }

    private void removeFiles() {
        if (Processes.keepTestDirs()) {
            log.info("{}: keeping {} (RELAY_KEEP_TEST_DIRS=1)", settings.name, layout.dir());
            return;
        }
        Processes.deleteTree(layout.dir());
        if (!layout.socket().startsWith(layout.dir())) {
            Processes.deleteTree(layout.socket());
        }
    }

    @Override
    public String toString() {
        return "MariaDbServer[" + settings.name + ", server_id=" + settings.serverId + ", 127.0.0.1:" + port + ", "
                + layout.dir() + "]";
    }
}
