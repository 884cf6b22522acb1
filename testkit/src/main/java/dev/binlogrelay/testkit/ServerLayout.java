package dev.binlogrelay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The files of one throwaway server, all under one temp directory, and the command lines that use them:
 * <pre>
 * relay-mariadb-NAME-NNN/
 *   data/            --datadir (relay logs too)
 *   binlog/          --log-bin=binlog/mariadb-bin (binary logs and their index, nothing else)
 *   init.sql         --init-file: TCP users, run at every start with sql_log_bin=0
 *   error.log        --log-error
 *   mysqld.out       the process's stdout and stderr
 *   install-db.log   output of mariadb-install-db
 *   mysqld.pid, mysqld.sock
 * </pre>
 */
record ServerLayout(Path dir, Path socket) {
    /** Unix socket paths must fit in sun_path (108 bytes); a long tmpdir moves the socket to /tmp. */
    private static final int MAX_SOCKET_PATH = 100;
    private static final String INNODB_LOG_FILE_SIZE = "48M";

    static ServerLayout create(String name) {
        try {
            Path dir = Files.createTempDirectory("relay-mariadb-" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-");
            Files.createDirectories(dir.resolve("binlog"));
            Files.createDirectories(dir.resolve("tmp"));
            Path socket = dir.resolve("mysqld.sock");
            if (socket.toString().length() > MAX_SOCKET_PATH) {
                socket = Path.of("/tmp", "relay-mariadb-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".sock");
            }
            return new ServerLayout(dir, socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for test server " + name, e);
        }
    }

    Path data() {
        return dir.resolve("data");
    }

    Path binlog() {
        return dir.resolve("binlog");
    }

    /**
     * The server's own temporary directory. Servers sharing /tmp (several test JVMs at once) have been seen to
     * fail install-db with "Error on delete of '/tmp/#sql-temptable-…'"; a private one rules that out.
     */
    Path tmp() {
        return dir.resolve("tmp");
    }

    Path errorLog() {
        return dir.resolve("error.log");
    }

    Path stdout() {
        return dir.resolve("mysqld.out");
    }

    Path initFile() {
        return dir.resolve("init.sql");
    }

    Path installLog() {
        return dir.resolve("install-db.log");
    }

    List<String> installDbCommand(Peers.ServerInstall install) {
        List<String> cmd = new ArrayList<>(List.of(install.installDb().toString(), "--no-defaults",
                "--basedir=" + install.baseDir(), "--datadir=" + data(), "--auth-root-authentication-method=normal",
                "--skip-test-db", "--skip-name-resolve", "--tmpdir=" + tmp(),
                // passed through to the bootstrap server: redo log sized as mysqldCommand wants, no resize later
                "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=" + INNODB_LOG_FILE_SIZE));
        if (Peers.runningAsRoot()) {
            cmd.add("--user=root");
        }
        return cmd;
    }

    List<String> mysqldCommand(Peers.ServerInstall install, MariaDbServerBuilder b, int port) {
        List<String> cmd = new ArrayList<>(List.of(install.mysqld().toString(), "--no-defaults",
                "--basedir=" + install.baseDir(), "--datadir=" + data(), "--port=" + port, "--bind-address=127.0.0.1",
                "--socket=" + socket, "--pid-file=" + dir.resolve("mysqld.pid"), "--tmpdir=" + tmp(), "--log-error=" + errorLog(),
                "--init-file=" + initFile(), "--server-id=" + b.serverId, "--gtid-domain-id=" + b.gtidDomainId,
                "--skip-name-resolve", "--max-allowed-packet=" + b.maxAllowedPacket,
                // small and lax: fast start-up; a killed process still loses nothing (the OS has the writes)
                "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=" + INNODB_LOG_FILE_SIZE,
                "--innodb-flush-log-at-trx-commit=2",
                "--sync-binlog=0", "--performance-schema=OFF",
                "--relay-log=relay-bin", "--slave-net-timeout=10", "--binlog-checksum=" + b.binlogChecksum));
        install.messagesDir().ifPresent(share -> cmd.add("--lc-messages-dir=" + share));
        if (b.binlog) {
            cmd.add("--log-bin=" + binlog().resolve("mariadb-bin"));
            cmd.add("--binlog-format=ROW");
            if (b.logSlaveUpdates) {
                cmd.add("--log-slave-updates");
            }
        }
        if (b.maxBinlogSize != null) {
            cmd.add("--max-binlog-size=" + b.maxBinlogSize);
        }
        if (Peers.runningAsRoot()) {
            cmd.add("--user=root");
        }
        cmd.addAll(b.extraArgs); // last, so they override the above
        return cmd;
    }

    /** Users for TCP access, (re)created at every start without touching the binary log. */
    static String initSql() {
        return String.join("\n",
                "SET sql_log_bin = 0;",
                "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';",
                "GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
                "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';",
                "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
                "CREATE USER IF NOT EXISTS '" + MariaDbServer.REPL_USER + "'@'%' IDENTIFIED BY '" + MariaDbServer.REPL_PASSWORD + "';",
                "GRANT REPLICATION SLAVE, BINLOG MONITOR, REPLICATION MASTER ADMIN, REPLICATION SLAVE ADMIN, SLAVE MONITOR,"
                        + " SUPER ON *.* TO '" + MariaDbServer.REPL_USER + "'@'%';",
                "");
    }
}
