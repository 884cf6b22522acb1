package dev.binlogrelay.server.admin;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Evaluates {@link Expr}s for one session. Values are strings, null is SQL NULL. Functions come from one table
 * (name → argument count and implementation); times are UTC, matching {@code @@system_time_zone}.
 */
final class ExpressionEvaluator {
    /** A native function: how many arguments it takes and what it returns. */
    private record Function(int minArgs, int maxArgs, BiFunction<List<String>, SqlSession, String> body) {
    }

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final int ANY = Integer.MAX_VALUE;

    private final SystemVariables variables;
    private final RelayInfo info;
    private final Map<String, Function> functions = new HashMap<>();

    ExpressionEvaluator(RelayInfo info, SystemVariables variables, Clock clock) {
        this.variables = variables;
        this.info = info;
        define(0, 0, (a, s) -> Long.toString(clock.instant().getEpochSecond()), "UNIX_TIMESTAMP");
        define(0, 0, (a, s) -> DATE_TIME.format(clock.instant().atZone(ZoneOffset.UTC)),
                "NOW", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP", "SYSDATE", "UTC_TIMESTAMP");
        define(0, 0, (a, s) -> DATE.format(clock.instant().atZone(ZoneOffset.UTC)), "CURDATE", "CURRENT_DATE", "UTC_DATE");
        define(0, 0, (a, s) -> TIME.format(clock.instant().atZone(ZoneOffset.UTC)), "CURTIME", "CURRENT_TIME", "UTC_TIME");
        define(0, 0, (a, s) -> info.serverVersion(), "VERSION");
        define(0, 0, (a, s) -> null, "DATABASE", "SCHEMA");
        define(0, 0, (a, s) -> s.user() + "@" + s.clientHost(), "USER", "SESSION_USER", "SYSTEM_USER");
        define(0, 0, (a, s) -> s.user() + "@%", "CURRENT_USER");
        define(0, 0, (a, s) -> Long.toString(s.connectionId()), "CONNECTION_ID");
        define(0, 0, (a, s) -> "0", "LAST_INSERT_ID");
        define(0, 0, (a, s) -> UUID.randomUUID().toString(), "UUID");
        define(1, ANY, this::concat, "CONCAT");
        define(2, 2, this::binlogGtidPos, "BINLOG_GTID_POS");
        define(2, 2, (a, s) -> timeDiff(a.get(0), a.get(1)), "TIMEDIFF");
        define(1, 1, (a, s) -> timeToSec(a.get(0)), "TIME_TO_SEC");
    }

    private void define(int minArgs, int maxArgs, BiFunction<List<String>, SqlSession, String> body, String... names) {
        for (String name : names) {
            functions.put(name, new Function(minArgs, maxArgs, body));
        }
    }

    /** The value of an expression in a select list or a user variable assignment. */
    String evaluate(Expr expr, SqlSession session) {
        if (expr instanceof Expr.Literal literal) {
            return literal.value();
        }
        if (expr instanceof Expr.UserVar v) {
            return session.userVariable(v.name());
        }
        if (expr instanceof Expr.SystemVar v) {
            return variables.read(v.scope(), v.name(), session);
        }
        if (expr instanceof Expr.Call call) {
            return call(call, session);
        }
        if (expr instanceof Expr.Negate negate) {
            return negate(evaluate(negate.operand(), session));
        }
        if (expr instanceof Expr.Word word) {
            throw SqlException.unknownColumn(word.word());
        }
        throw new SqlException(SqlException.ER_UNKNOWN_ERROR, "HY000", "DEFAULT is only allowed as a variable's value");
    }

    /**
     * The value assigned to a system variable: as {@link #evaluate}, except that a bare word is taken as the value
     * itself ({@code SET autocommit = ON}, {@code SET binlog_format = ROW}).
     */
    String evaluateSetting(Expr expr, SqlSession session) {
        if (expr instanceof Expr.Word word) {
            return word.word();
        }
        return evaluate(expr, session);
    }

    private String call(Expr.Call call, SqlSession session) {
        Function f = functions.get(call.name().toUpperCase(Locale.ROOT));
        if (f == null) {
            throw SqlException.unknownFunction(call.name());
        }
        if (call.args().size() < f.minArgs() || call.args().size() > f.maxArgs()) {
            throw SqlException.wrongArgumentCount(call.name());
        }
        List<String> args = new ArrayList<>(call.args().size());
        for (Expr arg : call.args()) {
            args.add(evaluate(arg, session));
        }
        return f.body().apply(args, session);
    }

    /**
     * CONCAT, bounded as on the server: a result longer than max_allowed_packet (downstream.max_packet) is NULL
     * with warning 1301, and is never built.
     */
    private String concat(List<String> args, SqlSession session) {
        if (args.contains(null)) {
            return null;
        }
        long bytes = 0;
        for (String a : args) {
            bytes += SqlSession.utf8Length(a);
        }
        if (bytes > info.maxAllowedPacket()) {
            session.warn(SqlException.ER_WARN_ALLOWED_PACKET_OVERFLOWED, "Result of concat() was larger than max_allowed_packet ("
                    + info.maxAllowedPacket() + ") - truncated");
            return null;
        }
        return String.join("", args);
    }

    /** MariaDB's BINLOG_GTID_POS(file, position): NULL for a position the relay does not hold. */
    private String binlogGtidPos(List<String> args, SqlSession session) {
        if (!variables.dialect().hasBinlogGtidPos()) {
            throw SqlException.unknownFunction("BINLOG_GTID_POS");
        }
        if (args.get(0) == null || args.get(1) == null) {
            return null;
        }
        long position;
        try {
            position = new BigDecimal(args.get(1).strip()).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
        return info.binlogGtidPos(args.get(0), position).orElse(null);
    }

    /** TIMEDIFF of two DATETIME texts as [-]HH:MM:SS (what Flink CDC asks with NOW() and UTC_TIMESTAMP()); NULL otherwise. */
    private static String timeDiff(String a, String b) {
        if (a == null || b == null) {
            return null;
        }
        try {
            long seconds = java.time.Duration.between(java.time.LocalDateTime.parse(b.strip(), DATE_TIME),
                    java.time.LocalDateTime.parse(a.strip(), DATE_TIME)).getSeconds();
            long abs = Math.abs(seconds);
            return String.format(Locale.ROOT, "%s%02d:%02d:%02d", seconds < 0 ? "-" : "", abs / 3600, abs / 60 % 60, abs % 60);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** TIME_TO_SEC of a [-]H:MM:SS text; NULL for anything else. */
    private static String timeToSec(String time) {
        if (time == null || !time.strip().matches("-?\\d+:\\d{1,2}:\\d{1,2}")) {
            return null;
        }
        String t = time.strip();
        boolean negative = t.startsWith("-");
        String[] p = (negative ? t.substring(1) : t).split(":");
        long seconds = Long.parseLong(p[0]) * 3600 + Long.parseLong(p[1]) * 60 + Long.parseLong(p[2]);
        return Long.toString(negative ? -seconds : seconds);
    }

    /** Numeric negation; like MySQL, a string that is not a number counts as 0. */
    private static String negate(String value) {
        if (value == null) {
            return null;
        }
        try {
            BigDecimal n = new BigDecimal(value.strip()).negate();
            String plain = ExpressionParser.plainWithinDouble(n);
            return plain != null ? plain : n.toString(); // beyond a DOUBLE: with its exponent, not a billion digits
        } catch (NumberFormatException e) {
            return "0";
        }
    }
}
