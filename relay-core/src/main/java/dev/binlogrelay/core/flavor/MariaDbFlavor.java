package dev.binlogrelay.core.flavor;

import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.core.protocol.command.BinlogDump;
import dev.binlogrelay.core.protocol.command.ReplicationCommand;

import java.util.ArrayList;
import java.util.List;

/** MariaDB 10.x: GTIDs by domain, @slave_connect_state, ANNOTATE_ROWS on request. */
public final class MariaDbFlavor implements Flavor {
    public static final MariaDbFlavor INSTANCE = new MariaDbFlavor();

    /** @mariadb_slave_capability value of a GTID-aware replica (MARIA_SLAVE_CAPABILITY_GTID). */
    public static final int SLAVE_CAPABILITY_GTID = 4;

    private MariaDbFlavor() {
    }

    @Override
    public String name() {
        return "mariadb";
    }

    /** MariaDB's @@gtid_domain_id is what its replicas ask for besides the server id. */
    @Override
    public ServerInfoQuery serverInfoQuery() {
        return new ServerInfoQuery("SELECT @@GLOBAL.server_id, @@version, @@GLOBAL.gtid_domain_id",
                List.of("server_id", "version", "gtid_domain_id"));
    }

    @Override
    public List<String> upstreamSetupStatements(long heartbeatNanos, String gtidStart, String replicaUuid) {
        List<String> s = new ArrayList<>();
        s.add("SET @master_binlog_checksum = @@global.binlog_checksum");
        s.add("SET @mariadb_slave_capability = " + SLAVE_CAPABILITY_GTID);
        if (heartbeatNanos > 0) {
            s.add("SET @master_heartbeat_period = " + heartbeatNanos);
        }
        if (gtidStart != null) {
            s.add("SET @slave_connect_state = '" + gtidStart.replace("'", "") + "'");
            s.add("SET @slave_gtid_strict_mode = 0");
            s.add("SET @slave_gtid_ignore_duplicates = 0");
        }
        return s;
    }

    /**
     * COM_BINLOG_DUMP ({@link BinlogDump}) asking for ANNOTATE_ROWS. For a GTID start it names no file and position
     * 4: with @slave_connect_state set, MariaDB ignores file and position and starts from the GTID state.
     */
    @Override
    public ReplicationCommand dumpCommand(long serverId, String file, long position, String gtidStart) {
        boolean gtid = gtidStart != null;
        return new BinlogDump(gtid ? 4 : position, BinlogDump.SEND_ANNOTATE_ROWS, serverId, gtid ? "" : file);
    }

    @Override
    public StartPosition.MariaGtids parseGtidStart(String text) {
        try {
            return new StartPosition.MariaGtids(MariaGtidPosition.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a MariaDB GTID position (domain-server-sequence,...),"
                    + " which a MariaDB primary needs: " + e.getMessage());
        }
    }

    /** The relay resumes a MariaDB primary after its last stored file and position. */
    @Override
    public boolean resumesByGtid() {
        return false;
    }

    /** Every channel of a multi-source replica, not only the default one. */
    @Override
    public String replicationStatusQuery() {
        return "SHOW ALL SLAVES STATUS";
    }

    /** The last GTID of every domain and server the binlog holds (purged files included). */
    @Override
    public String binlogGtidStateQuery() {
        return "SELECT @@GLOBAL.gtid_binlog_state";
    }

    /**
     * {@code stored} is the relay's GTID position (the last GTID per domain); the server lacks one when its binlog
     * state has no GTID of that domain and server at or past that sequence number. The missing ones are named as
     * ranges: {@code 0-1-101..0-1-120} when the server has {@code 0-1-100}, {@code 0-1-120 and the earlier GTIDs of
     * server 1 in domain 0} when it has none of that server.
     */
    @Override
    public java.util.Optional<String> missingGtids(String stored, String serverState) {
        MariaGtidPosition relay = MariaGtidPosition.parse(stored);
        java.util.Map<String, Long> held = new java.util.HashMap<>();
        for (String part : serverState.split(",")) {
            if (!part.isBlank()) {
                dev.binlogrelay.core.gtid.MariaGtid g = dev.binlogrelay.core.gtid.MariaGtid.parse(part);
                held.merge(g.domainId() + "-" + g.serverId(), g.sequence(), (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
            }
        }
        List<String> missing = new ArrayList<>();
        for (dev.binlogrelay.core.gtid.MariaGtid g : relay.gtids()) {
            Long has = held.get(g.domainId() + "-" + g.serverId());
            if (has == null) {
                missing.add(g + " and the earlier GTIDs of server " + Long.toUnsignedString(g.serverId()) + " in domain "
                        + Long.toUnsignedString(g.domainId()));
            } else if (Long.compareUnsigned(has, g.sequence()) < 0) {
                String from = g.domainId() + "-" + g.serverId() + "-" + Long.toUnsignedString(has + 1);
                missing.add(has + 1 == g.sequence() ? g.toString() : from + ".." + g);
            }
        }
        return missing.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", missing));
    }

    /** What MariaDB itself announces, so clients of the MySQL era read a 5.5+ server. */
    @Override
    public String handshakeVersion(String version) {
        return version.startsWith("5.5.5-") ? version : "5.5.5-" + version;
    }
}
