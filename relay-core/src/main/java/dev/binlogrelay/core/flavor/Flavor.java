package dev.binlogrelay.core.flavor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.List;

/**
 * What differs between server families on the replication protocol. Everything that depends on whether the
 * peer is MariaDB or MySQL goes through this interface; no other code asks which one it is.
 */
public interface Flavor {
    String name();

    /**
     * Statements the relay's upstream client runs after logging in and before COM_REGISTER_SLAVE, as a stock
     * replica of this flavor does.
     *
     * @param heartbeatNanos heartbeat period to ask for, nanoseconds (0 = none)
     * @param gtidStart      the GTID position to start from, or null to dump by file and position
     */
    List<String> upstreamSetupStatements(long heartbeatNanos, String gtidStart);

    /** The dump command the upstream client sends. */
    ByteBuf dumpCommand(ByteBufAllocator alloc, long serverId, String file, long position, boolean gtid);

    /**
     * The auth plugin a server of this flavor announces by default, which the relay's downstream announces
     * too unless configured otherwise (MySQL 8.0+: caching_sha2_password).
     */
    default String defaultAuthPlugin() {
        return "mysql_native_password";
    }

    /** Picks the flavor from a server's version string. */
    static Flavor fromVersion(String version) {
        if (version != null && version.toLowerCase(java.util.Locale.ROOT).contains("mariadb")) {
            return MariaDbFlavor.INSTANCE;
        }
        throw new UnsupportedFlavorException("upstream server '" + version
                + "' is not MariaDB; only the MariaDB flavor is implemented so far");
    }
}
