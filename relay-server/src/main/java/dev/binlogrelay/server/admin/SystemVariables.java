package dev.binlogrelay.server.admin;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The system variables the relay answers (their global values). Names are case-insensitive and reported in lower
 * case, as the servers do. Three sources, first match wins:
 * <ol>
 *   <li>the relay's own ({@link #OWNED} and the presented flavor's GTID state): its server_id, host and port, the
 *       stored binlog's checksum and GTID state, its downstream limits, and what a relay is (read_only, log_bin,
 *       log_slave_updates ON, semi-sync master ON and replica OFF);</li>
 *   <li>the upstream's, as its {@code SHOW GLOBAL VARIABLES} listed them at the last login
 *       ({@link RelayInfo#upstreamVariables}): exactly the names the upstream has, so a variable of the other
 *       flavor is unknown (ER_UNKNOWN_SYSTEM_VARIABLE) as on the upstream;</li>
 *   <li>when the upstream's were never learned (an imported store, or before the first login): defaults derived
 *       from the presented flavor and version ({@link #derived}).</li>
 * </ol>
 *
 * <p>Boolean variables hold "1" or "0": {@code SELECT @@x} shows that, {@code SHOW VARIABLES} shows ON or OFF,
 * as both servers do. A learned variable is boolean when the relay's own table says so, else when the upstream
 * shows it ON or OFF and it is not one of the few enumerations with those values ({@link #ON_OFF_ENUMS}).
 * Global-only variables cannot be given a session value; no variable can be given a global one.
 */
final class SystemVariables {
    /**
     * One variable.
     *
     * @param name       lower-case name
     * @param bool       a boolean: "1"/"0" in SELECT, ON/OFF in SHOW VARIABLES
     * @param globalOnly has no session value (SET SESSION fails as in MySQL)
     * @param value      the global value, read on every use
     */
    record Variable(String name, boolean bool, boolean globalOnly, Supplier<String> value) {
        /** The value as SHOW VARIABLES prints it. */
        String shown(String raw) {
            if (!bool || raw == null) {
                return raw;
            }
            return switch (raw) {
                case "1" -> "ON";
                case "0" -> "OFF";
                default -> raw;
            };
        }

        /** A value a client assigns, in stored form; booleans accept 1/0, ON/OFF, TRUE/FALSE. */
        String normalize(String assigned) {
            if (!bool) {
                return assigned;
            }
            String v = assigned == null ? "" : assigned.strip().toUpperCase(Locale.ROOT);
            return switch (v) {
                case "1", "ON", "TRUE" -> "1";
                case "0", "OFF", "FALSE" -> "0";
                default -> throw SqlException.wrongValue(name, assigned);
            };
        }
    }

    /** Enumerations whose values include ON and OFF: SELECT @@x answers the word, not 1/0. */
    static final Set<String> ON_OFF_ENUMS = Set.of("query_cache_type", "innodb_encrypt_tables", "gtid_mode",
            "enforce_gtid_consistency", "innodb_doublewrite", "session_track_transaction_info", "ssl_fips_mode",
            "binlog_transaction_compression", "innodb_flush_method");

    /** The relay's own variables, whatever the upstream says (documented in docs/compatibility.md). */
    static final Set<String> OWNED = Set.of("server_id", "server_uuid", "hostname", "port", "version", "version_comment",
            "binlog_checksum", "log_bin", "log_slave_updates", "read_only", "rpl_semi_sync_master_enabled",
            "rpl_semi_sync_slave_enabled", "max_connections", "connect_timeout", "wait_timeout", "interactive_timeout",
            "gtid_binlog_pos", "gtid_binlog_state", "gtid_current_pos", "gtid_slave_pos", "gtid_executed", "gtid_purged",
            "gtid_mode", "enforce_gtid_consistency");

    /** The tables for one presented version (the upstream's version can change under a running relay). */
    private record Tables(String version, Dialect dialect, Map<String, Variable> owned, Map<String, Variable> derived) {
    }

    private final RelayInfo info;
    private final Supplier<String> hostname = memoize(SystemVariables::localHostName);
    private volatile Tables tables;

    SystemVariables(RelayInfo info) {
        this.info = info;
    }

    /** The dialect of the version the relay presents now. */
    Dialect dialect() {
        return tables().dialect();
    }

    private Tables tables() {
        String version = info.serverVersion();
        Tables t = tables;
        if (t == null || !t.version().equals(version)) {
            Dialect dialect = Dialect.of(version);
            t = new Tables(version, dialect, owned(dialect), derived(dialect));
            tables = t;
        }
        return t;
    }

    private Map<String, Variable> owned(Dialect dialect) {
        Map<String, Variable> m = new TreeMap<>();
        global(m, "server_id", () -> Long.toString(info.serverId()));
        global(m, "version", info::serverVersion);
        global(m, "version_comment", () -> "binlog-relay");
        global(m, "hostname", hostname);
        global(m, "port", () -> Integer.toString(info.port()));
        global(m, "binlog_checksum", info::binlogChecksum);
        globalFlag(m, "log_bin", true);
        globalFlag(m, "log_slave_updates", true);
        globalFlag(m, "read_only", true);
        globalFlag(m, "rpl_semi_sync_master_enabled", true); // asks semi-sync readers for acks (docs/semi-sync.md)
        globalFlag(m, "rpl_semi_sync_slave_enabled", false);
        // the downstream limits (downstream.max_connections, connect_timeout, idle_timeout)
        global(m, "max_connections", () -> Integer.toString(info.maxConnections()));
        global(m, "connect_timeout", () -> Long.toString(info.connectTimeoutSeconds()));
        session(m, "wait_timeout", () -> Long.toString(info.waitTimeoutSeconds()));
        session(m, "interactive_timeout", () -> Long.toString(info.waitTimeoutSeconds()));
        if (dialect.mariaDb()) {
            global(m, "gtid_binlog_pos", info::gtidBinlogPos);
            global(m, "gtid_binlog_state", info::gtidBinlogState);
            global(m, "gtid_current_pos", info::gtidBinlogPos);
            global(m, "gtid_slave_pos", () -> "");
        } else {
            global(m, "server_uuid", () -> serverUuid(info.serverId()));
            // MySQL GTIDs: ON when the store holds binlogs with MySQL GTIDs
            global(m, "gtid_mode", () -> info.mysqlGtidExecuted().isEmpty() ? "OFF" : "ON");
            global(m, "gtid_executed", info::mysqlGtidExecuted);
            global(m, "gtid_purged", info::mysqlGtidPurged);
            global(m, "enforce_gtid_consistency", () -> info.mysqlGtidExecuted().isEmpty() ? "OFF" : "ON");
        }
        return m;
    }

    /** What a server of the presented flavor and version has by default, for when the upstream's are unknown. */
    private Map<String, Variable> derived(Dialect dialect) {
        Map<String, Variable> m = new TreeMap<>();
        long v = dialect.versionNumber();
        boolean maria = dialect.mariaDb();
        boolean mysql8 = !maria && v >= 80000;
        String charset = maria && v >= 110600 || mysql8 ? "utf8mb4" : "latin1";
        String collation = !charset.equals("utf8mb4") ? "latin1_swedish_ci" : maria ? "utf8mb4_uca1400_ai_ci" : "utf8mb4_0900_ai_ci";
        global(m, "version_compile_os", () -> "Linux");
        global(m, "version_compile_machine", () -> "x86_64");
        global(m, "license", () -> "GPL");
        global(m, "protocol_version", () -> "10");
        // the relay cannot know: a row-based binlog is what its readers need, and what the CDC tools check for
        session(m, "binlog_format", "ROW");
        session(m, "binlog_row_image", "FULL");
        // without the upstream's: the limit the relay enforces (downstream.max_packet)
        global(m, "max_allowed_packet", () -> Long.toString(info.maxAllowedPacket()));
        global(m, "net_buffer_length", () -> "16384");
        session(m, "net_write_timeout", "60");
        session(m, "net_read_timeout", "30");
        for (String part : new String[] {"client", "connection", "results", "database"}) {
            session(m, "character_set_" + part, charset);
        }
        global(m, "character_set_server", () -> charset);
        session(m, "collation_connection", collation);
        session(m, "collation_database", collation);
        global(m, "collation_server", () -> collation);
        session(m, "time_zone", "SYSTEM");
        global(m, "system_time_zone", () -> "UTC");
        global(m, "lower_case_table_names", () -> "0");
        session(m, "sql_mode", "");
        sessionFlag(m, "autocommit", true);
        session(m, "auto_increment_increment", "1");
        session(m, "auto_increment_offset", "1");
        if (maria || v < 80000) {
            session(m, "tx_isolation", "REPEATABLE-READ");
            sessionFlag(m, "tx_read_only", false);
            global(m, "query_cache_size", () -> maria ? "1048576" : "0");
            session(m, "query_cache_type", "OFF");
        }
        if (!maria || v >= 110100) {
            session(m, "transaction_isolation", "REPEATABLE-READ");
            sessionFlag(m, "transaction_read_only", false);
        }
        globalFlag(m, "performance_schema", false);
        global(m, "have_ssl", () -> "DISABLED");
        global(m, "init_connect", () -> "");
        session(m, "sql_select_limit", "18446744073709551615");
        session(m, "default_storage_engine", "InnoDB");
        if (maria) {
            session(m, "gtid_domain_id", () -> Long.toString(info.gtidDomainId()));
            globalFlag(m, "gtid_strict_mode", false);
            if (v >= 100204) {
                sessionFlag(m, "binlog_annotate_row_events", true);
            }
            if (v >= 100500) {
                global(m, "binlog_row_metadata", () -> "NO_LOG");
            }
        } else {
            global(m, "server_id_bits", () -> "32");
            if (mysql8) {
                session(m, "binlog_row_metadata", "MINIMAL");
            }
        }
        return m;
    }

    /** The variable of that name (any case) the relay presents now. */
    Optional<Variable> find(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        Tables t = tables();
        Variable owned = t.owned().get(key);
        if (owned != null) {
            return Optional.of(owned);
        }
        Map<String, String> upstream = info.upstreamVariables();
        if (upstream.isEmpty()) {
            return Optional.ofNullable(t.derived().get(key));
        }
        String value = upstream.get(key);
        return value == null ? Optional.empty() : Optional.of(learned(t, key, value));
    }

    /** All variables the relay presents now, by name. */
    Collection<Variable> all() {
        Tables t = tables();
        Map<String, String> upstream = info.upstreamVariables();
        Map<String, Variable> all = new TreeMap<>();
        if (upstream.isEmpty()) {
            all.putAll(t.derived());
        } else {
            upstream.forEach((name, value) -> all.put(name, learned(t, name, value)));
        }
        all.putAll(t.owned());
        return Collections.unmodifiableCollection(all.values());
    }

    /** A variable as the upstream listed it: its ON/OFF made 1/0 when it is a boolean. */
    private static Variable learned(Tables t, String name, String shown) {
        Variable known = t.derived().get(name);
        boolean bool = known != null ? known.bool()
                : (shown.equals("ON") || shown.equals("OFF")) && !ON_OFF_ENUMS.contains(name);
        boolean globalOnly = known != null && known.globalOnly();
        String raw = bool ? switch (shown) {
            case "ON" -> "1";
            case "OFF" -> "0";
            default -> shown;
        } : shown;
        return new Variable(name, bool, globalOnly, () -> raw);
    }

    /**
     * What {@code SELECT @@[scope.]name} answers: the session's value unless the global one is asked for or the
     * session has none; a variable the session set but the table lacks still reads back.
     *
     * @throws SqlException ER_UNKNOWN_SYSTEM_VARIABLE for a name the relay does not know
     */
    String read(VarScope scope, String name, SqlSession session) {
        if (scope != VarScope.GLOBAL && session.hasSessionVariable(name)) {
            return session.sessionVariable(name);
        }
        String global = find(name).orElseThrow(() -> SqlException.unknownVariable(name)).value().get();
        return scope != VarScope.GLOBAL ? sessionDefault(name, global, session) : global;
    }

    /** A session's value before it sets one: the global one, but for what its handshake changes (sql_mode). */
    static String sessionDefault(String name, String global, SqlSession session) {
        if (session.ignoreSpace() && name.equalsIgnoreCase("sql_mode") && global != null) {
            return SqlModes.normalize("IGNORE_SPACE," + global);
        }
        return global;
    }

    /** The name-based UUID the relay presents as @@server_uuid: stable for a server_id, distinct between them. */
    static String serverUuid(long serverId) {
        return RelayInfo.serverUuid(serverId);
    }

    private static void global(Map<String, Variable> m, String name, Supplier<String> value) {
        add(m, new Variable(name, false, true, value));
    }

    private static void globalFlag(Map<String, Variable> m, String name, boolean value) {
        add(m, new Variable(name, true, true, () -> value ? "1" : "0"));
    }

    private static void session(Map<String, Variable> m, String name, String value) {
        add(m, new Variable(name, false, false, () -> value));
    }

    private static void session(Map<String, Variable> m, String name, Supplier<String> value) {
        add(m, new Variable(name, false, false, value));
    }

    private static void sessionFlag(Map<String, Variable> m, String name, boolean value) {
        add(m, new Variable(name, true, false, () -> value ? "1" : "0"));
    }

    private static void add(Map<String, Variable> m, Variable v) {
        if (m.putIfAbsent(v.name(), v) != null) {
            throw new IllegalStateException("system variable " + v.name() + " defined twice");
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException | SecurityException e) {
            return "localhost";
        }
    }

    private static Supplier<String> memoize(Supplier<String> supplier) {
        return new Supplier<>() {
            private volatile String value;

            @Override
            public String get() {
                String v = value;
                if (v == null) {
                    v = supplier.get();
                    value = v;
                }
                return v;
            }
        };
    }
}
