package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.core.protocol.command.BinlogDumpGtid;
import dev.binlogrelay.core.protocol.command.ReplicationCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Oracle MySQL 5.6 to 9.x (and servers announcing such a version: Percona Server, another relay presenting a
 * MySQL version): GTID sets by source UUID (and tag, 8.4+), auto-positioning with COM_BINLOG_DUMP_GTID, the
 * {@code @source_…}/{@code @replica_…} names of 8.0.26+ next to the old ones.
 *
 * <p>The setup statements are those MySQL's replica I/O thread sends (sql/rpl_replica.cc: clock and server id
 * check, heartbeat period, checksum negotiation, GTID mode, server UUID, the replica's UUID); the relay reads
 * none of their results (the {@link #serverInfoQuery()} tells it what it keeps).
 */
public final class MysqlFlavor implements Flavor {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)");

    private final int major;
    private final int minor;
    private final int patch;

    public MysqlFlavor(int major, int minor, int patch) {
        this.major = major;
        this.minor = minor;
        this.patch = patch;
    }

    /** The MySQL flavor of a version string {@code 5.x}, {@code 8.x} or {@code 9.x} (anything may follow the numbers). */
    public static Optional<MysqlFlavor> fromVersion(String version) {
        Matcher m = VERSION.matcher(version.trim());
        if (!m.find()) {
            return Optional.empty();
        }
        int major;
        int minor;
        int patch;
        try {
            major = Integer.parseInt(m.group(1));
            minor = Integer.parseInt(m.group(2));
            patch = Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (major != 5 && major != 8 && major != 9) {
            return Optional.empty();
        }
        return Optional.of(new MysqlFlavor(major, minor, patch));
    }

    @Override
    public String name() {
        return "mysql " + major + "." + minor + "." + patch;
    }

    private boolean atLeast(int maj, int min, int pat) {
        if (major != maj) {
            return major > maj;
        }
        if (minor != min) {
            return minor > min;
        }
        return patch >= pat;
    }

    /** 8.0.26 renamed master/slave to source/replica in the user variables (and kept reading the old names). */
    private boolean newNames() {
        return atLeast(8, 0, 26);
    }

    /** GTIDs, server UUIDs and binlog checksums came with 5.6. */
    private boolean hasGtids() {
        return atLeast(5, 6, 0);
    }

    @Override
    public ServerInfoQuery serverInfoQuery() {
        if (!hasGtids()) {
            return new ServerInfoQuery("SELECT @@GLOBAL.server_id, @@version", List.of("server_id", "version"));
        }
        return new ServerInfoQuery("SELECT @@GLOBAL.server_id, @@version, @@GLOBAL.server_uuid, @@GLOBAL.gtid_mode",
                List.of("server_id", "version", "server_uuid", "gtid_mode"));
    }

    @Override
    public List<String> upstreamSetupStatements(long heartbeatNanos, String gtidStart, String replicaUuid) {
        List<String> s = new ArrayList<>();
        s.add("SELECT UNIX_TIMESTAMP()");
        s.add("SELECT @@GLOBAL.SERVER_ID");
        if (heartbeatNanos > 0) {
            s.add(newNames() ? "SET @master_heartbeat_period = " + heartbeatNanos + ", @source_heartbeat_period = " + heartbeatNanos
                    : "SET @master_heartbeat_period = " + heartbeatNanos);
        }
        if (hasGtids()) {
            if (newNames()) {
                s.add("SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum");
                s.add("SELECT @source_binlog_checksum");
            } else {
                s.add("SET @master_binlog_checksum = @@global.binlog_checksum");
                s.add("SELECT @master_binlog_checksum");
            }
            s.add("SELECT @@GLOBAL.GTID_MODE");
            s.add("SELECT @@GLOBAL.SERVER_UUID");
            String uuid = replicaUuid.replace("'", "");
            s.add(newNames() ? "SET @slave_uuid = '" + uuid + "', @replica_uuid = '" + uuid + "'"
                    : "SET @slave_uuid = '" + uuid + "'");
        }
        return s;
    }

    /**
     * By file and position, COM_BINLOG_DUMP ({@link BinlogDump}) without flags. By GTID, COM_BINLOG_DUMP_GTID
     * ({@link BinlogDumpGtid}) with flag BINLOG_THROUGH_GTID, no file, position 4 and the relay's set, as MySQL's
     * replica does with auto-positioning: the primary starts at the newest file whose previous-GTIDs set the relay
     * has, and leaves out every transaction in the relay's set.
     */
    @Override
    public ReplicationCommand dumpCommand(long serverId, String file, long position, String gtidStart) {
        if (gtidStart == null) {
            return new BinlogDump(position, 0, serverId, file);
        }
        return new BinlogDumpGtid(BinlogDumpGtid.THROUGH_GTID, serverId, "", 4, MysqlGtidSet.parse(gtidStart));
    }

    @Override
    public StartPosition.MysqlGtids parseGtidStart(String text) {
        try {
            return new StartPosition.MysqlGtids(MysqlGtidSet.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a MySQL GTID set (uuid:1-100[:tag:1-5],...),"
                    + " which a MySQL primary needs: " + e.getMessage());
        }
    }

    /** MySQL auto-positioning: the relay resumes by the GTID set it holds (when the primary has GTIDs on). */
    @Override
    public boolean resumesByGtid() {
        return hasGtids();
    }

    /** SHOW MASTER STATUS was renamed in 8.2 and is gone in 8.4. */
    @Override
    public String currentPositionQuery() {
        return atLeast(8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
    }

    /** SHOW REPLICA STATUS came with 8.0.22; SHOW SLAVE STATUS is gone in 8.4. */
    @Override
    public String replicationStatusQuery() {
        return atLeast(8, 0, 22) ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
    }

    @Override
    public String binlogGtidStateQuery() {
        return "SELECT @@GLOBAL.gtid_executed";
    }

    /** The relay's GTID set minus the server's {@code @@gtid_executed}. */
    @Override
    public Optional<String> missingGtids(String stored, String serverState) {
        MysqlGtidSet missing = MysqlGtidSet.parse(stored).minus(MysqlGtidSet.parse(serverState.replace("\n", "").trim()));
        return missing.isEmpty() ? Optional.empty() : Optional.of(missing.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MysqlFlavor f && f.major == major && f.minor == minor && f.patch == patch;
    }

    @Override
    public int hashCode() {
        return (major * 100 + minor) * 1000 + patch;
    }

    @Override
    public String toString() {
        return name();
    }
}
