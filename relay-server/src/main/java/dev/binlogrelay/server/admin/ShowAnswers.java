package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Builds the result sets of the SHOW statements, with the column names MySQL and MariaDB use (clients such as
 * Debezium read columns by name), then applies the statement's LIKE or WHERE.
 */
final class ShowAnswers {
    private static final List<String> NAME_VALUE = List.of("Variable_name", "Value");

    private final RelayInfo info;
    private final SystemVariables variables;
    private final Map<String, Supplier<String>> status = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    ShowAnswers(RelayInfo info, SystemVariables variables, Clock clock) {
        this.info = info;
        this.variables = variables;
        Instant started = clock.instant();
        Supplier<String> uptime = () -> Long.toString(Math.max(0, clock.instant().getEpochSecond() - started.getEpochSecond()));
        status.put("Uptime", uptime);
        status.put("Uptime_since_flush_status", uptime);
        status.put("Slaves_connected", () -> Integer.toString(info.replicas().size()));
        // the relay asks every semi-sync reader for acks (it is always a semi-sync primary downstream) and counts them
        status.put("Rpl_semi_sync_master_status", () -> "ON");
        status.put("Rpl_semi_sync_master_clients", () -> Long.toString(info.semiSyncStatus().readers()));
        status.put("Rpl_semi_sync_master_get_ack", () -> Long.toString(info.semiSyncStatus().readerAcks()));
        status.put("Rpl_semi_sync_slave_status", () -> info.semiSyncStatus().upstreamActive() ? "ON" : "OFF");
        status.put("Relay_semi_sync_upstream_acks", () -> Long.toString(info.semiSyncStatus().upstreamAcks()));
        status.put("Relay_ingest_status", info::ingestStatus);
        status.put("Relay_storage_error", info::storageError);
    }

    TextResultSet answer(Statement.Show show, SqlSession session) {
        TextResultSet all = switch (show.kind()) {
            case VARIABLES -> variables(show.scope(), session);
            case STATUS -> status();
            case MASTER_STATUS, BINARY_LOG_STATUS, BINLOG_STATUS -> masterStatus();
            case BINARY_LOGS -> binaryLogs();
            case SLAVE_HOSTS -> slaveHosts();
            case REPLICAS -> replicas(List.of("Server_Id", "Host", "Port", "Source_Id", "Replica_UUID"), true);
            case WARNINGS -> TextResultSet.of(List.of("Level", "Code", "Message"), session.warnings().stream()
                    .map(w -> List.of(w.level(), Integer.toString(w.code()), w.message())).toList());
            case ERRORS -> TextResultSet.of(List.of("Level", "Code", "Message"), List.of());
            case DATABASES -> TextResultSet.of(List.of("Database"), List.of());
            case COLLATION -> collations();
            case CHARACTER_SET -> characterSets();
        };
        return show.filter().apply(all);
    }

    /** SHOW GRANTS: the relay lets every account it admits read binlogs and nothing else. */
    TextResultSet grants(Statement.ShowGrants grants, SqlSession session) {
        String user = grants.user() == null ? session.user() : grants.user();
        String host = grants.user() == null ? "%" : grants.host();
        if (!user.equals(session.user())) {
            throw SqlException.noSuchGrant(user, host);
        }
        return TextResultSet.single(List.of("Grants for " + user + "@" + host),
                "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `" + user + "`@`" + host + "`");
    }

    private TextResultSet variables(VarScope scope, SqlSession session) {
        List<List<String>> rows = new ArrayList<>();
        for (SystemVariables.Variable v : variables.all()) {
            boolean sessionValue = scope != VarScope.GLOBAL && !v.globalOnly();
            String raw = sessionValue && session.hasSessionVariable(v.name()) ? session.sessionVariable(v.name())
                    : sessionValue ? SystemVariables.sessionDefault(v.name(), v.value().get(), session) : v.value().get();
            rows.add(row(v.name(), v.shown(raw)));
        }
        return TextResultSet.of(NAME_VALUE, rows);
    }

    private TextResultSet status() {
        List<List<String>> rows = new ArrayList<>();
        status.forEach((name, value) -> rows.add(row(name, value.get())));
        return TextResultSet.of(NAME_VALUE, rows);
    }

    /** The presented flavor's columns: MySQL's fifth is the stored executed GTID set. */
    private TextResultSet masterStatus() {
        List<String> columns = variables.dialect().masterStatusColumns();
        List<List<String>> rows = new ArrayList<>();
        info.masterStatus().ifPresent(f -> {
            List<String> row = new ArrayList<>(List.of(f.name(), Long.toString(f.size()), "", ""));
            if (columns.size() > 4) {
                row.add(info.mysqlGtidExecuted());
            }
            rows.add(row);
        });
        return TextResultSet.of(columns, rows);
    }

    /** True if the presented flavor knows this SHOW form (the others are its syntax errors). */
    boolean knows(Statement.Show show) {
        Dialect d = variables.dialect();
        return switch (show.kind()) {
            case MASTER_STATUS -> d.hasMasterStatus();
            case BINARY_LOG_STATUS -> d.hasBinaryLogStatus();
            case BINLOG_STATUS -> d.hasBinlogStatus();
            case REPLICAS -> d.hasShowReplicas();
            default -> true;
        };
    }

    private TextResultSet binaryLogs() {
        List<List<String>> rows = new ArrayList<>();
        for (RelayInfo.BinlogFile f : info.binlogFiles()) {
            rows.add(row(f.name(), Long.toString(f.size())));
        }
        return TextResultSet.of(List.of("Log_name", "File_size"), rows);
    }

    private TextResultSet replicas(List<String> columns, boolean withUuid) {
        List<List<String>> rows = new ArrayList<>();
        for (RelayInfo.RegisteredReplica r : info.replicas()) {
            List<String> row = new ArrayList<>(List.of(Long.toString(r.serverId()), r.host(), Integer.toString(r.port()),
                    Long.toString(r.masterId())));
            if (withUuid) {
                row.add(r.uuid());
            }
            rows.add(row);
        }
        return TextResultSet.of(columns, rows);
    }

    /**
     * SHOW SLAVE HOSTS with the relay's own trailing columns, one row per replica: whether it dumps with semi-sync,
     * the acks it sent, and the last position it acknowledged.
     */
    private TextResultSet slaveHosts() {
        List<List<String>> rows = new ArrayList<>();
        for (RelayInfo.RegisteredReplica r : info.replicas()) {
            RelayInfo.ReaderSemiSync s = r.semiSync();
            rows.add(List.of(Long.toString(r.serverId()), r.host(), Integer.toString(r.port()), Long.toString(r.masterId()),
                    s.enabled() ? "Yes" : "No", Long.toString(s.acks()), s.ackedAt()));
        }
        return TextResultSet.of(List.of("Server_id", "Host", "Port", "Master_id", "Semi_sync", "Semi_sync_acks",
                "Semi_sync_acked_position"), rows);
    }

    private static TextResultSet collations() {
        List<List<String>> rows = new ArrayList<>();
        for (CharacterSets.Collation c : CharacterSets.COLLATIONS) {
            rows.add(row(c.name(), c.charset(), Integer.toString(c.id()), c.isDefault() ? "Yes" : "", "Yes", "1"));
        }
        return TextResultSet.of(List.of("Collation", "Charset", "Id", "Default", "Compiled", "Sortlen"), rows);
    }

    private static TextResultSet characterSets() {
        List<List<String>> rows = new ArrayList<>();
        for (CharacterSets.Charset c : CharacterSets.CHARSETS) {
            rows.add(row(c.name(), c.description(), c.defaultCollation(), Integer.toString(c.maxLength())));
        }
        return TextResultSet.of(List.of("Charset", "Description", "Default collation", "Maxlen"), rows);
    }

    /** A row that may hold nulls (List.of does not allow them). */
    private static List<String> row(String... values) {
        return Arrays.asList(values);
    }
}
