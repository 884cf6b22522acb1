package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.protocol.ServerStatus;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Lines a snapshot taken through {@code downstream.sql_backend} up with the stream the relay serves: while a session
 * holds a snapshot on its backend connection (a transaction, {@code FLUSH TABLES WITH READ LOCK} or {@code LOCK
 * TABLES}), the statements that read binlog coordinates go to the backend too, so the position and GTID a tool
 * stores with its snapshot are those of the data it read, not the relay's (which lag by the replication delay). A
 * dump from them then waits until the relay has them ({@link DumpStartWait}); the backend must be the primary or a
 * server in its GTID history for them to exist in the relay's stream at all.
 *
 * <p>Coordinates are {@code SHOW MASTER STATUS}, {@code SHOW BINLOG STATUS}, {@code SHOW BINARY LOG STATUS}, {@code
 * SHOW [GLOBAL | SESSION] VARIABLES} naming a {@code gtid_} variable (Debezium's MariaDB connector:
 * {@code SHOW GLOBAL VARIABLES LIKE 'GTID_BINLOG_POS'}), and a {@code SELECT} reading {@code @@gtid_binlog_pos},
 * {@code @@gtid_current_pos}, {@code @@gtid_binlog_state}, {@code @@gtid_executed} or {@code BINLOG_GTID_POS()};
 * each also inside {@code SET STATEMENT … FOR}. Outside a snapshot the relay answers them with its own.
 *
 * <p>Threading: one per client session, used on its event loop.
 */
final class SnapshotCoordinates {
    private static final Set<String> GTID_VARIABLES = Set.of("GTID_BINLOG_POS", "GTID_CURRENT_POS", "GTID_BINLOG_STATE",
            "GTID_EXECUTED", "GTID_PURGED");
    /** The session's backend connection holds table locks or the global read lock (until UNLOCK TABLES). */
    private boolean locked;
    /** The session sent a statement to the backend: with autocommit off, that opened a transaction there. */
    private boolean backendUsed;

    /** A statement went to the backend. */
    void forwarded(String sql) {
        backendUsed = true;
        List<String> w = SqlBackendRule.innerWords(sql, 2);
        if (w.isEmpty()) {
            return;
        }
        switch (w.get(0)) {
            case "LOCK" -> locked = true;
            case "FLUSH" -> locked |= sql.toUpperCase(Locale.ROOT).contains("READ LOCK");
            case "UNLOCK" -> locked = false;
            default -> {
            }
        }
    }

    /**
     * True if the session holds a snapshot on its backend: locks, a transaction ({@code inTransaction}: the session's
     * SERVER_STATUS_IN_TRANS), or autocommit off after the backend was used.
     */
    boolean inSnapshot(boolean inTransaction, boolean autocommit) {
        return locked || inTransaction || !autocommit && backendUsed;
    }

    /** True if {@code sql} reads coordinates inside a snapshot: the backend answers it ({@code status}: the session's flags). */
    boolean takesCoordinates(String sql, int status) {
        return readsCoordinates(sql) && inSnapshot((status & ServerStatus.IN_TRANS) != 0, (status & ServerStatus.AUTOCOMMIT) != 0);
    }

    /** True if {@code sql} reads the binlog coordinates (see the class comment). */
    static boolean readsCoordinates(String sql) {
        List<String> w = SqlBackendRule.innerWords(sql, 256);
        if (w.isEmpty()) {
            return false;
        }
        if (w.get(0).equals("SHOW") && w.size() >= 3) {
            int i = w.get(1).equals("GLOBAL") || w.get(1).equals("SESSION") ? 2 : 1;
            if (w.get(i).equals("VARIABLES")) {
                String upper = sql.toUpperCase(Locale.ROOT);
                return GTID_VARIABLES.stream().anyMatch(upper::contains);
            }
            return w.subList(1, w.size()).equals(List.of("MASTER", "STATUS")) || w.subList(1, w.size()).equals(List.of("BINLOG", "STATUS"))
                    || w.subList(1, w.size()).equals(List.of("BINARY", "LOG", "STATUS"));
        }
        if (w.get(0).equals("SELECT")) {
            for (String word : w) {
                String name = word.startsWith("@@") ? word.substring(word.lastIndexOf('@') + 1) : word;
                name = name.startsWith("GLOBAL.") ? name.substring(7) : name.startsWith("SESSION.") ? name.substring(8) : name;
                if (word.startsWith("@@") && GTID_VARIABLES.contains(name) || word.equals("BINLOG_GTID_POS")) {
                    return true;
                }
            }
        }
        return false;
    }
}
