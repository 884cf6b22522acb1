package dev.binlogrelay.server.admin;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The system variables the relay answers (their global values), as one table. Names are case-insensitive and
 * reported in lower case, as MySQL does.
 *
 * <p>Boolean variables hold "1" or "0": {@code SELECT @@x} shows that, {@code SHOW VARIABLES} shows ON or OFF,
 * as both MySQL and MariaDB do. Global-only variables cannot be given a session value; no variable can be given a
 * global one (the relay's configuration and the upstream decide those).
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

    private static final String UTF8MB4 = "utf8mb4";
    private static final String UTF8MB4_COLLATION = "utf8mb4_general_ci";

    private final Map<String, Variable> byName = new TreeMap<>();

    SystemVariables(RelayInfo info) {
        Supplier<String> hostname = memoize(SystemVariables::localHostName);
        global("server_id", () -> Long.toString(info.serverId()));
        global("server_uuid", () -> serverUuid(info.serverId()));
        global("version", info::serverVersion);
        global("version_comment", () -> "binlog-relay");
        global("version_compile_os", () -> "Linux");
        global("version_compile_machine", () -> "x86_64");
        global("license", () -> "GPL");
        global("protocol_version", () -> "10");
        global("hostname", hostname);
        global("port", () -> Integer.toString(info.port()));
        global("binlog_checksum", info::binlogChecksum);
        session("binlog_format", "ROW");
        session("binlog_row_image", "FULL");
        globalFlag("log_bin", true);
        globalFlag("log_slave_updates", true);
        globalFlag("read_only", true);
        session("gtid_domain_id", () -> Long.toString(info.gtidDomainId()));
        global("gtid_binlog_pos", info::gtidBinlogPos);
        global("gtid_current_pos", info::gtidBinlogPos);
        global("gtid_slave_pos", () -> "");
        globalFlag("gtid_strict_mode", false);
        // MySQL GTIDs: ON when the store holds binlogs with MySQL GTIDs
        global("gtid_mode", () -> info.mysqlGtidExecuted().isEmpty() ? "OFF" : "ON");
        global("gtid_executed", info::mysqlGtidExecuted);
        global("gtid_purged", info::mysqlGtidPurged);
        global("enforce_gtid_consistency", () -> info.mysqlGtidExecuted().isEmpty() ? "OFF" : "ON");
        globalFlag("rpl_semi_sync_master_enabled", false);
        globalFlag("rpl_semi_sync_slave_enabled", false);
        global("server_id_bits", () -> "32");
        // what the downstream limits are (downstream.max_packet, max_connections, idle_timeout, connect_timeout)
        global("max_allowed_packet", () -> Long.toString(info.maxAllowedPacket()));
        global("net_buffer_length", () -> "16384");
        global("max_connections", () -> Integer.toString(info.maxConnections()));
        global("connect_timeout", () -> Long.toString(info.connectTimeoutSeconds()));
        session("wait_timeout", () -> Long.toString(info.waitTimeoutSeconds()));
        session("interactive_timeout", () -> Long.toString(info.waitTimeoutSeconds()));
        session("net_write_timeout", "60");
        session("net_read_timeout", "30");
        for (String part : new String[] {"client", "connection", "results", "database"}) {
            session("character_set_" + part, UTF8MB4);
        }
        global("character_set_server", () -> UTF8MB4);
        session("collation_connection", UTF8MB4_COLLATION);
        session("collation_database", UTF8MB4_COLLATION);
        global("collation_server", () -> UTF8MB4_COLLATION);
        session("time_zone", "SYSTEM");
        global("system_time_zone", () -> "UTC");
        global("lower_case_table_names", () -> "0");
        session("sql_mode", "");
        sessionFlag("autocommit", true);
        session("auto_increment_increment", "1");
        session("auto_increment_offset", "1");
        session("tx_isolation", "REPEATABLE-READ");
        session("transaction_isolation", "REPEATABLE-READ");
        sessionFlag("tx_read_only", false);
        sessionFlag("transaction_read_only", false);
        globalFlag("performance_schema", false);
        global("have_ssl", () -> "DISABLED");
        global("query_cache_size", () -> "0");
        session("query_cache_type", "OFF");
        global("init_connect", () -> "");
        session("sql_select_limit", "18446744073709551615");
        session("default_storage_engine", "InnoDB");
    }

    /** The variable of that name (any case). */
    Optional<Variable> find(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }

    /** All variables, by name. */
    Collection<Variable> all() {
        return Collections.unmodifiableCollection(byName.values());
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
        return find(name).orElseThrow(() -> SqlException.unknownVariable(name)).value().get();
    }

    /** The name-based UUID the relay presents as @@server_uuid: stable for a server_id, distinct between them. */
    static String serverUuid(long serverId) {
        return RelayInfo.serverUuid(serverId);
    }

    private void global(String name, Supplier<String> value) {
        add(new Variable(name, false, true, value));
    }

    private void globalFlag(String name, boolean value) {
        add(new Variable(name, true, true, () -> value ? "1" : "0"));
    }

    private void session(String name, String value) {
        add(new Variable(name, false, false, () -> value));
    }

    private void session(String name, Supplier<String> value) {
        add(new Variable(name, false, false, value));
    }

    private void sessionFlag(String name, boolean value) {
        add(new Variable(name, true, false, () -> value ? "1" : "0"));
    }

    private void add(Variable v) {
        if (byName.putIfAbsent(v.name(), v) != null) {
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
