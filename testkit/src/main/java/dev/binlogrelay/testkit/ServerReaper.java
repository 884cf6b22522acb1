package dev.binlogrelay.testkit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every server started and not yet closed; a JVM shutdown hook kills them and removes their directories, so no
 * {@code mariadbd} outlives the JVM even when a test fails before closing it. (A JVM killed with SIGKILL runs no
 * hooks; its servers are then orphaned.)
 */
final class ServerReaper {
    private static final Set<MariaDbServer> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(MariaDbServer::reap), "mariadb-reaper"));
    }

    private ServerReaper() {
    }

    static void track(MariaDbServer server) {
        OPEN.add(server);
    }

    static void forget(MariaDbServer server) {
        OPEN.remove(server);
    }
}
