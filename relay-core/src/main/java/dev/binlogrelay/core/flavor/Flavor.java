package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.core.protocol.command.BinlogDumpGtid;
import dev.binlogrelay.core.protocol.command.ReplicationCommand;

import java.util.List;
import java.util.Locale;

/**
 * What differs between server families on the replication protocol. Everything that depends on whether the
 * peer is MariaDB or MySQL goes through this interface; no other code asks which one it is.
 */
public interface Flavor {
    String name();

    /**
     * The query the relay's upstream client runs first to learn who the primary is. Its one row's columns are
     * named by {@link ServerInfoQuery#keys()}; the first two are always {@code server_id} and {@code version}.
     */
    ServerInfoQuery serverInfoQuery();

    /**
     * Statements the relay's upstream client runs after logging in and before COM_REGISTER_SLAVE, as a stock
     * replica of this flavor does.
     *
     * @param heartbeatNanos heartbeat period to ask for, nanoseconds (0 = none)
     * @param gtidStart      the GTID position to start from, or null to dump by file and position
     * @param replicaUuid    the relay's own server UUID (what a MySQL replica announces as @replica_uuid)
     */
    List<String> upstreamSetupStatements(long heartbeatNanos, String gtidStart, String replicaUuid);

    /**
     * The dump command the upstream client sends ({@link BinlogDump} or {@link BinlogDumpGtid}).
     *
     * @param gtidStart null to dump from {@code file} and {@code position}; else the GTID state to start from in
     *                  this flavor's text form (as {@link #parseGtidStart} returns it)
     */
    ReplicationCommand dumpCommand(long serverId, String file, long position, String gtidStart);

    /**
     * Parses a GTID start position of this flavor (upstream.start, or the GTID state the relay resumes from): a
     * {@link StartPosition.MariaGtids} for MariaDB, a {@link StartPosition.MysqlGtids} for MySQL. Its
     * {@link StartPosition.GtidStart#text()} is the canonical text form {@link #dumpCommand} takes.
     *
     * @throws IllegalArgumentException if it is not a GTID position of this flavor (a MySQL GTID set given for a
     *                                  MariaDB primary, or the other way round)
     */
    StartPosition.GtidStart parseGtidStart(String text);

    /**
     * True if a relay that already holds data resumes by its GTID state (MySQL auto-positioning), so it finds its
     * place again on a primary whose files it does not know; false if it resumes after its last stored file and
     * position.
     */
    boolean resumesByGtid();

    /** The statement that shows the primary's current binlog file and position (first two columns). */
    default String currentPositionQuery() {
        return "SHOW MASTER STATUS";
    }

    /**
     * The statement that shows the server's own replication (one row per channel; none when it replicates from
     * nobody). Its columns ending in {@code _IO_Running} and {@code _SQL_Running} say whether a channel runs: a
     * candidate primary of {@code upstream.hosts} must have none running.
     */
    String replicationStatusQuery();

    /**
     * The statement whose one value is the GTID state of everything the server's binlog holds (MariaDB
     * {@code @@gtid_binlog_state}, MySQL {@code @@gtid_executed}), for {@link #missingGtids}.
     */
    String binlogGtidStateQuery();

    /**
     * The GTIDs of {@code stored} (what the relay holds, in this flavor's GTID start text) that a server whose
     * {@link #binlogGtidStateQuery()} answered {@code serverState} does not have, as one line of text; empty if it
     * has them all (it may have more).
     *
     * @throws IllegalArgumentException if either text is not a GTID state of this flavor
     */
    java.util.Optional<String> missingGtids(String stored, String serverState);

    /** The version string the relay's downstream handshake announces when it presents {@code version}. */
    default String handshakeVersion(String version) {
        return version;
    }

    /** A query and the names of its result columns. */
    record ServerInfoQuery(String sql, List<String> keys) {
        public ServerInfoQuery {
            keys = List.copyOf(keys);
            if (keys.size() < 2 || !keys.get(0).equals("server_id") || !keys.get(1).equals("version")) {
                throw new IllegalArgumentException("server info columns must start with server_id, version: " + keys);
            }
        }
    }

    /**
     * Picks the flavor from a server's version string: MariaDB when it says so (also behind the "5.5.5-" prefix
     * MariaDB announces), MySQL for a version 5.x, 8.x or 9.x otherwise (Oracle MySQL, Percona Server, or a relay
     * presenting a MySQL version).
     *
     * @throws UnsupportedFlavorException for anything else
     */
    static Flavor fromVersion(String version) {
        if (version == null || version.isBlank()) {
            throw new UnsupportedFlavorException("upstream server announces no version; cannot tell MariaDB from MySQL");
        }
        if (version.toLowerCase(Locale.ROOT).contains("mariadb")) {
            return MariaDbFlavor.INSTANCE;
        }
        return MysqlFlavor.fromVersion(version).orElseThrow(() -> new UnsupportedFlavorException("upstream server version '"
                + version + "' is neither MariaDB nor MySQL 5.x, 8.x or 9.x"));
    }
}
