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
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway MariaDB server for tests, the demo and benchmarks: its own temp data dir, a free loopback port,
 * binary logging on, users {@code root} (no password) and {@code repl}/{@code secret}. Every started server is
 * also stopped by a JVM shutdown hook, so no process outlives the JVM even when a test fails.
 */
public final class MariaDbServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MariaDbServer.class);
    private static final Set<MariaDbServer> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(MariaDbServer::kill), "mariadb-reaper"));
    }

    private final Builder b;
    private final Peers.ServerInstall install;
    private final Path dir;
    private final Path dataDir;
    private final int port;
    private Process process;

    private MariaDbServer(Builder b) {
        this.b = b;
        this.install = Peers.server();
        try {
            this.dir = Files.createTempDirectory("relay-mariadb-" + b.name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dataDir = dir.resolve("data");
        this.port = FreePorts.find();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String name = "mariadb";
        private long serverId = 1;
        private boolean binlog = true;
        private long gtidDomainId = 0;
        private String checksum = "CRC32";
        private String maxAllowedPacket = "64M";
        private String maxBinlogSize = null;
        private final List<String> extra = new ArrayList<>();

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder serverId(long id) {
            this.serverId = id;
            return this;
        }

        public Builder binlog(boolean on) {
            this.binlog = on;
            return this;
        }

        public Builder gtidDomainId(long id) {
            this.gtidDomainId = id;
            return this;
        }

        public Builder binlogChecksum(String alg) {
            this.checksum = alg;
            return this;
        }

        public Builder maxAllowedPacket(String size) {
            this.maxAllowedPacket = size;
            return this;
        }

        public Builder maxBinlogSize(String size) {
            this.maxBinlogSize = size;
            return this;
        }

        public Builder extraArg(String arg) {
            extra.add(arg);
            return this;
        }

        public MariaDbServer start() {
            MariaDbServer s = new MariaDbServer(this);
            try {
                s.installDb();
                s.launch();
            } catch (RuntimeException | Error e) {
                s.close();
                throw e;
            }
            return s;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void installDb() {
        if (install.installDb() == null) {
            throw new IllegalStateException("mariadb-install-db not found next to " + install.mysqld());
        }
        List<String> cmd = new ArrayList<>(List.of(install.installDb().toString(), "--no-defaults",
                "--datadir=" + dataDir, "--auth-root-authentication-method=normal", "--skip-test-db",
                "--skip-name-resolve"));
        if (install.bundled()) {
            cmd.add("--basedir=" + install.baseDir());
        }
        if (isRoot()) {
            cmd.add("--user=root");
        }
        run(cmd, dir.resolve("install-db.log"), Duration.ofSeconds(120), "mariadb-install-db");
    }

    private void launch() {
        Path initFile = dir.resolve("init.sql");
        try {
            Files.writeString(initFile, String.join("\n",
                    "SET sql_log_bin = 0;",
                    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';",
                    "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
                    "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';",
                    "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
                    "CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY 'secret';",
                    "GRANT REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR, REPLICATION MASTER ADMIN, SUPER ON *.* TO 'repl'@'%';",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of(install.mysqld().toString(), "--no-defaults",
                "--datadir=" + dataDir, "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + dir.resolve("mysqld.sock"), "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-error=" + dir.resolve("error.log"), "--server-id=" + b.serverId,
                "--gtid-domain-id=" + b.gtidDomainId, "--skip-name-resolve", "--init-file=" + initFile,
                "--max-allowed-packet=" + b.maxAllowedPacket, "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=48M", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0",
                "--performance-schema=OFF", "--skip-host-cache", "--log-slave-updates",
                "--relay-log=relay-bin", "--slave-net-timeout=10", "--binlog-checksum=" + b.checksum));
        if (b.binlog) {
            cmd.add("--log-bin=mariadb-bin");
            cmd.add("--binlog-format=ROW");
        }
        if (b.maxBinlogSize != null) {
            cmd.add("--max-binlog-size=" + b.maxBinlogSize);
        }
        if (install.bundled()) {
            cmd.add("--basedir=" + install.baseDir());
            cmd.add("--lc-messages-dir=" + install.baseDir().resolve("share"));
        }
        if (isRoot()) {
            cmd.add("--user=root");
        }
        cmd.addAll(b.extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mysqld.out").toFile()));
        if (install.bundled()) {
            pb.environment().put("LD_LIBRARY_PATH", install.baseDir().resolve("libs").toString());
        }
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + install.mysqld(), e);
        }
        RUNNING.add(this);
        awaitReady(Duration.ofSeconds(60));
        log.info("{} ({}) ready on 127.0.0.1:{} in {}", b.name, install.mysqld(), port, dir);
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(b.name + " exited with " + process.exitValue() + " during start-up:\n" + tail(dir.resolve("error.log")));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl() + "&connectTimeout=1000")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + b.name, e);
            }
        }
        throw new IllegalStateException(b.name + " did not accept connections within " + timeout + " (" + last + "):\n"
                + tail(dir.resolve("error.log")));
    }

    private static void run(List<String> cmd, Path logFile, Duration timeout, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (" + p.exitValue() + "):\n" + tail(logFile));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + file + ")";
        }
    }

    // ------------------------------------------------------------------ access

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path binlogDir() {
        return dataDir;
    }

    public Path errorLog() {
        return dir.resolve("error.log");
    }

    public String jdbcUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/?user=root&password=";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    public void execute(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(b.name + ": " + e.getMessage(), e);
        }
    }

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
            throw new IllegalStateException(b.name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    public String queryString(String sql) {
        List<List<String>> rows = query(sql);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    public String version() {
        return queryString("SELECT VERSION()");
    }

    public List<String> binlogFiles() {
        return query("SHOW BINARY LOGS").stream().map(r -> r.get(0)).toList();
    }

    public String gtidBinlogPos() {
        return queryString("SELECT @@gtid_binlog_pos");
    }

    public String checksumTable(String table) {
        return query("CHECKSUM TABLE " + table).get(0).get(1);
    }

    // ------------------------------------------------------------------ replica

    public void startReplica(String masterHost, int masterPort, String user, String password, ReplicaMode mode,
                             String file, long pos) {
        String useGtid = switch (mode) {
            case SLAVE_POS -> "slave_pos";
            case CURRENT_POS -> "current_pos";
            case FILE_POS -> "no";
        };
        String sql = "CHANGE MASTER TO MASTER_HOST='" + masterHost + "', MASTER_PORT=" + masterPort
                + ", MASTER_USER='" + user + "', MASTER_PASSWORD='" + password + "', MASTER_CONNECT_RETRY=1"
                + ", MASTER_HEARTBEAT_PERIOD=1, MASTER_USE_GTID=" + useGtid;
        if (mode == ReplicaMode.FILE_POS) {
            sql += ", MASTER_LOG_FILE='" + file + "', MASTER_LOG_POS=" + pos;
        }
        execute("STOP SLAVE", sql, "START SLAVE");
    }

    public void stopReplica() {
        execute("STOP SLAVE");
    }

    public Map<String, String> replicaStatus() {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SLAVE STATUS")) {
            Map<String, String> m = new LinkedHashMap<>();
            if (rs.next()) {
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    m.put(md.getColumnLabel(i), rs.getString(i));
                }
            }
            return m;
        } catch (SQLException e) {
            throw new IllegalStateException(b.name + ": SHOW SLAVE STATUS: " + e.getMessage(), e);
        }
    }

    /** Waits until @@gtid_slave_pos covers {@code gtidPos} in every domain; fails fast if the SQL thread stopped. */
    public void awaitReplicaCaughtUp(String gtidPos, Duration timeout) {
        Map<Long, Long> target = parseGtidPos(gtidPos);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<Long, Long> mine = parseGtidPos(queryString("SELECT @@gtid_slave_pos"));
            boolean done = target.entrySet().stream().allMatch(e -> mine.containsKey(e.getKey())
                    && Long.compareUnsigned(mine.get(e.getKey()), e.getValue()) >= 0);
            if (done) {
                return;
            }
            Map<String, String> st = replicaStatus();
            if ("No".equals(st.get("Slave_SQL_Running")) && !"0".equals(st.get("Last_SQL_Errno"))) {
                throw new AssertionError(b.name + ": replication SQL thread stopped: " + st.get("Last_SQL_Error"));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(b.name + " did not reach " + gtidPos + " within " + timeout + ": at "
                        + mine + "; IO: " + st.get("Slave_IO_Running") + " " + st.get("Last_IO_Error")
                        + "; SQL: " + st.get("Slave_SQL_Running") + " " + st.get("Last_SQL_Error"));
            }
            pause();
        }
    }

    /** Waits until the replica has executed up to {@code file}:{@code pos} of its master. */
    public void awaitReplicaExecuted(String file, long pos, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, String> st = replicaStatus();
            String f = st.get("Relay_Master_Log_File");
            long p = Long.parseLong(st.getOrDefault("Exec_Master_Log_Pos", "0"));
            if (f != null && (f.compareTo(file) > 0 || (f.equals(file) && p >= pos))) {
                return;
            }
            if ("No".equals(st.get("Slave_SQL_Running")) && !"0".equals(st.get("Last_SQL_Errno"))) {
                throw new AssertionError(b.name + ": replication SQL thread stopped: " + st.get("Last_SQL_Error"));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(b.name + " did not execute up to " + file + ":" + pos + " within " + timeout
                        + ": at " + f + ":" + p + "; IO: " + st.get("Last_IO_Error"));
            }
            pause();
        }
    }

    private void pause() {
        try {
            process.waitFor(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static Map<Long, Long> parseGtidPos(String pos) {
        Map<Long, Long> m = new LinkedHashMap<>();
        if (pos == null || pos.isBlank()) {
            return m;
        }
        for (String part : pos.split(",")) {
            String[] f = part.trim().split("-");
            m.put(Long.parseUnsignedLong(f[0]), Long.parseUnsignedLong(f[2]));
        }
        return m;
    }

    // ------------------------------------------------------------------ lifecycle

    /** SIGKILL: the server dies at once (for crash tests). */
    public void kill() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RUNNING.remove(this);
    }

    /** Starts the server again on the same data dir and port. */
    public void restart() {
        stopProcess();
        launch();
    }

    private void stopProcess() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            RUNNING.remove(this);
            return;
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            log.debug("{}: SHUTDOWN failed ({}); killing it", b.name, e.getMessage());
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        RUNNING.remove(this);
    }

    @Override
    public void close() {
        stopProcess();
        if (!"1".equals(System.getenv("RELAY_KEEP_TEST_DIRS"))) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                log.debug("cannot delete {}: {}", dir, e.getMessage());
            }
        }
    }
}
