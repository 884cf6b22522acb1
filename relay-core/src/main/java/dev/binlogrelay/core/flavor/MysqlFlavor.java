package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.gtid.MysqlGtidSet;
import dev.binlogrelay.core.protocol.Commands;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
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
    /** COM_BINLOG_DUMP_GTID flag: the GTID set field is present (what mysqlbinlog sets; the server reads it anyway). */
    public static final int DUMP_THROUGH_GTID = 4;
    /** COM_BINLOG_DUMP_GTID flag: the file name and position fields are meant (not set by the relay). */
    public static final int DUMP_THROUGH_POSITION = 2;
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
     * <pre>
     * COM_BINLOG_DUMP:      0x12 | position (4) | flags (2) = 0 | server_id (4) | file name (rest)
     * COM_BINLOG_DUMP_GTID: 0x1E | flags (2) = BINLOG_THROUGH_GTID | server_id (4) | file name length (4) = 0
     *                       | position (8) = 4 | GTID set length (4) | GTID set (binary, {@link MysqlGtidSet#encode})
     * </pre>
     * A GTID dump names no file, as MySQL's replica does with auto-positioning: the primary starts at the newest
     * file whose previous-GTIDs set the relay has, and leaves out every transaction in the relay's set.
     */
    @Override
    public ByteBuf dumpCommand(ByteBufAllocator alloc, long serverId, String file, long position, String gtidStart) {
        if (gtidStart == null) {
            byte[] name = file.getBytes(StandardCharsets.UTF_8);
            ByteBuf out = alloc.buffer(11 + name.length);
            out.writeByte(Commands.COM_BINLOG_DUMP).writeIntLE((int) position).writeShortLE(0)
                    .writeIntLE((int) serverId).writeBytes(name);
            return out;
        }
        MysqlGtidSet set = MysqlGtidSet.parse(gtidStart);
        int size = set.encodedSize();
        ByteBuf out = alloc.buffer(1 + 2 + 4 + 4 + 8 + 4 + size);
        out.writeByte(Commands.COM_BINLOG_DUMP_GTID).writeShortLE(DUMP_THROUGH_GTID).writeIntLE((int) serverId)
                .writeIntLE(0).writeLongLE(4).writeIntLE(size);
        set.encode(out);
        return out;
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
