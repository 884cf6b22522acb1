package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.PeerText;
import dev.binlogrelay.core.protocol.TextResultSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Answers the operator's statements ({@link Statement.Admin}) through {@link AdminControl}: only for users with
 * {@code role: admin}; a replication user gets ERR 1227 naming the privilege a server would want, as a server
 * answers a user without it. Each statement an admin runs is logged (who, from where, what).
 */
final class AdminStatements {
    private static final Logger log = LoggerFactory.getLogger(AdminStatements.class);
    static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
    static final int ER_NO_SUCH_THREAD = 1094;
    private static final List<String> PROCESS_COLUMNS = List.of("Id", "User", "Host", "db", "Command", "Time", "State",
            "Info");
    /** The relay's own columns after the server's: what each reader reads and how far behind it is. */
    private static final List<String> READER_COLUMNS = List.of("Server_id", "Log_file", "Log_pos", "Bytes_behind",
            "Bytes_sent");

    private final AdminControl control;

    AdminStatements(AdminControl control) {
        this.control = control;
    }

    QueryResult execute(Statement.Admin statement, SqlSession session, Dialect dialect) {
        if (!control.isAdmin(session.user())) {
            throw new SqlException(ER_SPECIFIC_ACCESS_DENIED, ErrorCodes.STATE_SYNTAX, "Access denied; you need (at least one"
                    + " of) the " + privilege(statement, dialect) + " privilege(s) for this operation (binlog-relay: "
                    + "users with role: admin in downstream.users)");
        }
        if (!(statement instanceof Statement.ShowReplicaStatus) && !(statement instanceof Statement.ShowProcessList)) {
            log.info("admin '{}' from {}: {}", PeerText.name(session.user()), session.clientHost(), statement);
        }
        try {
            if (statement instanceof Statement.ShowReplicaStatus s) {
                return new QueryResult.Rows(ReplicaStatusColumns.answer(dialect, s.replica(), control.upstreamStatus()));
            }
            if (statement instanceof Statement.StartStopReplica s) {
                if (s.start()) {
                    control.startIngest();
                } else {
                    control.stopIngest();
                }
                return new QueryResult.Ok(0);
            }
            if (statement instanceof Statement.ChangeUpstream c) {
                control.changeUpstream(c.host(), c.port());
                return new QueryResult.Ok(0);
            }
            if (statement instanceof Statement.PurgeLogs p) {
                return purge(p, session);
            }
            if (statement instanceof Statement.ShowProcessList) {
                return new QueryResult.Rows(processList(dialect));
            }
            return kill((Statement.Kill) statement);
        } catch (AdminControl.Refused e) {
            throw new SqlException(e.code(), e.sqlState(), e.getMessage());
        }
    }

    private QueryResult purge(Statement.PurgeLogs p, SqlSession session) {
        Optional<String> warning = p.file() != null ? control.purgeTo(p.file())
                : control.purgeBefore(instant(p.before(), session));
        warning.ifPresent(w -> session.warn(ER_WARN_PURGE_LOG_IN_USE, w));
        return new QueryResult.Ok(0);
    }

    /** ER_WARN_PURGE_LOG_IN_USE, the warning a server gives for a file it kept. */
    static final int ER_WARN_PURGE_LOG_IN_USE = 1867;

    /** The datetime of PURGE ... BEFORE, in the session's time zone (an offset, or the relay's, UTC). */
    static Instant instant(String text, SqlSession session) {
        String zone = session.sessionVariable("time_zone");
        ZoneId id = ZoneOffset.UTC;
        if (zone != null && (zone.startsWith("+") || zone.startsWith("-"))) {
            try {
                id = ZoneOffset.of(zone.length() == 5 ? zone.charAt(0) + "0" + zone.substring(1) : zone);
            } catch (DateTimeException e) {
                id = ZoneOffset.UTC;
            }
        }
        String t = text.strip();
        try {
            if (t.length() <= 10) {
                return LocalDate.parse(t).atStartOfDay(id).toInstant();
            }
            String normal = t.replace('T', ' ');
            int dot = normal.indexOf('.');
            if (dot > 0) {
                normal = normal.substring(0, dot);
            }
            return LocalDateTime.parse(normal, DateTimeFormatter.ofPattern("yyyy-MM-dd H:mm[:ss]")).atZone(id).toInstant();
        } catch (DateTimeException e) {
            throw new SqlException(ER_WRONG_VALUE, ErrorCodes.STATE_GENERAL, "Incorrect DATETIME value: '"
                    + PeerText.text(text) + "'");
        }
    }

    /** ER_WRONG_VALUE. */
    static final int ER_WRONG_VALUE = 1525;

    private TextResultSet processList(Dialect dialect) {
        List<String> columns = new ArrayList<>(PROCESS_COLUMNS);
        if (dialect.mariaDb()) {
            columns.add("Progress");
        }
        columns.addAll(READER_COLUMNS);
        List<List<String>> rows = new ArrayList<>();
        for (AdminControl.Connection c : control.connections()) {
            List<String> row = new ArrayList<>(columns.size());
            row.add(Long.toString(c.id()));
            row.add(c.user());
            row.add(c.host());
            row.add(null);
            row.add(c.command());
            row.add(Long.toString(c.seconds()));
            row.add(c.state());
            row.add(null);
            if (dialect.mariaDb()) {
                row.add("0.000");
            }
            boolean reading = c.file() != null;
            row.add(Long.toString(c.serverId()));
            row.add(reading ? c.file() : null);
            row.add(reading ? Long.toString(c.position()) : null);
            row.add(reading ? Long.toString(c.bytesBehind()) : null);
            row.add(Long.toString(c.bytesSent()));
            rows.add(row);
        }
        return TextResultSet.of(columns, rows);
    }

    /** KILL QUERY ends a dump (the only long query the relay runs); on another connection it does nothing. */
    private QueryResult kill(Statement.Kill k) {
        Optional<AdminControl.Connection> target = control.connections().stream().filter(c -> c.id() == k.id()).findFirst();
        if (target.isEmpty()) {
            throw new SqlException(ER_NO_SUCH_THREAD, ErrorCodes.STATE_GENERAL, "Unknown thread id: " + k.id());
        }
        if (k.queryOnly() && target.get().file() == null) {
            return new QueryResult.Ok(0);
        }
        if (!control.kill(k.id())) {
            throw new SqlException(ER_NO_SUCH_THREAD, ErrorCodes.STATE_GENERAL, "Unknown thread id: " + k.id());
        }
        return new QueryResult.Ok(0);
    }

    private static String privilege(Statement.Admin statement, Dialect dialect) {
        boolean maria = dialect.mariaDb();
        if (statement instanceof Statement.ShowReplicaStatus) {
            return maria ? "SUPER, REPLICA MONITOR" : "SUPER, REPLICATION CLIENT";
        }
        if (statement instanceof Statement.StartStopReplica || statement instanceof Statement.ChangeUpstream) {
            return maria ? "SUPER, REPLICATION SLAVE ADMIN" : "SUPER or REPLICATION_SLAVE_ADMIN";
        }
        if (statement instanceof Statement.PurgeLogs) {
            return maria ? "SUPER, BINLOG ADMIN" : "SUPER or BINLOG_ADMIN";
        }
        if (statement instanceof Statement.ShowProcessList) {
            return "PROCESS";
        }
        return maria ? "SUPER, CONNECTION ADMIN" : "SUPER or CONNECTION_ADMIN";
    }
}
