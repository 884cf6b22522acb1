package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.TextResultSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Provisional statement answerer (to be replaced by the full parser). */
public final class QueryHandler {
    private static final Pattern ASSIGN = Pattern.compile("\\s*(@@(?:global\\.|session\\.)?|@)?([\\w.]+)\\s*(?::=|=)\\s*(.+)\\s*", Pattern.CASE_INSENSITIVE);
    private final RelayInfo info;
    private final Map<String, Supplier<String>> vars;

    public QueryHandler(RelayInfo info) {
        this.info = info;
        this.vars = Map.of("server_id", () -> String.valueOf(info.serverId()), "version", info::serverVersion,
                "binlog_checksum", info::binlogChecksum, "gtid_domain_id", () -> String.valueOf(info.gtidDomainId()),
                "gtid_binlog_pos", info::gtidBinlogPos, "gtid_current_pos", info::gtidBinlogPos,
                "version_comment", () -> "binlog-relay", "max_allowed_packet", () -> "1073741824");
    }

    public QueryResult handle(String sql, SqlSession session) {
        String q = sql.trim().replaceAll(";+$", "").trim();
        String lower = q.toLowerCase(Locale.ROOT);
        if (lower.startsWith("set ")) {
            for (String part : q.substring(4).split(",")) {
                Matcher m = ASSIGN.matcher(part);
                if (!m.matches()) {
                    continue;
                }
                String value = eval(m.group(3).trim(), session);
                if ("@".equals(m.group(1))) {
                    session.setUserVariable(m.group(2), value);
                } else {
                    session.setSessionVariable(m.group(2), value);
                }
            }
            return new QueryResult.Ok(0);
        }
        if (lower.startsWith("select ")) {
            String list = q.substring(7).replaceAll("(?i)\\s+limit\\s+\\d+$", "");
            List<String> cols = new ArrayList<>();
            List<String> vals = new ArrayList<>();
            for (String expr : list.split(",")) {
                String e = expr.trim();
                try {
                    vals.add(eval(e, session));
                } catch (IllegalArgumentException ex) {
                    return new QueryResult.Error(ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE, ErrorCodes.STATE_GENERAL, ex.getMessage());
                }
                cols.add(e);
            }
            return new QueryResult.Rows(TextResultSet.single(cols, vals.toArray(new String[0])));
        }
        if (lower.equals("show master status")) {
            List<List<String>> rows = new ArrayList<>();
            info.masterStatus().ifPresent(f -> rows.add(List.of(f.name(), String.valueOf(f.size()), "", "")));
            return new QueryResult.Rows(TextResultSet.of(List.of("File", "Position", "Binlog_Do_DB", "Binlog_Ignore_DB"), rows));
        }
        if (lower.equals("show binary logs") || lower.equals("show master logs")) {
            List<List<String>> rows = info.binlogFiles().stream().map(f -> List.of(f.name(), String.valueOf(f.size()))).toList();
            return new QueryResult.Rows(TextResultSet.of(List.of("Log_name", "File_size"), rows));
        }
        Matcher like = Pattern.compile("show\\s+(?:global\\s+|session\\s+)?variables\\s+like\\s+'([^']*)'", Pattern.CASE_INSENSITIVE).matcher(q);
        if (like.matches()) {
            String name = like.group(1).toLowerCase(Locale.ROOT);
            List<List<String>> rows = new ArrayList<>();
            if (vars.containsKey(name)) {
                rows.add(List.of(name, vars.get(name).get()));
            }
            return new QueryResult.Rows(TextResultSet.of(List.of("Variable_name", "Value"), rows));
        }
        return new QueryResult.Error(ErrorCodes.ER_NOT_SUPPORTED_YET, ErrorCodes.STATE_GENERAL,
                "binlog-relay does not support this statement: " + q);
    }

    private String eval(String e, SqlSession session) {
        String lower = e.toLowerCase(Locale.ROOT);
        if (lower.startsWith("'") && lower.endsWith("'")) {
            return e.substring(1, e.length() - 1);
        }
        if (lower.matches("-?\\d+")) {
            return e;
        }
        if (lower.equals("unix_timestamp()")) {
            return String.valueOf(System.currentTimeMillis() / 1000);
        }
        if (lower.equals("version()")) {
            return info.serverVersion();
        }
        if (lower.startsWith("@@")) {
            String name = lower.replaceFirst("^@@(global\\.|session\\.|local\\.)?", "");
            String sessionValue = lower.startsWith("@@global.") ? null : session.sessionVariable(name);
            if (sessionValue != null) {
                return sessionValue;
            }
            Supplier<String> v = vars.get(name);
            if (v == null) {
                throw new IllegalArgumentException("Unknown system variable '" + name + "'");
            }
            return v.get();
        }
        if (lower.startsWith("@")) {
            return session.userVariable(e.substring(1));
        }
        return e;
    }
}
