package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.core.protocol.PeerText;

/**
 * A statement the relay refuses, with the MySQL error code and SQL state a client understands. Thrown by the
 * lexer, parser and evaluator; {@link QueryHandler} turns it into an ERR packet. The factories below keep the
 * messages in MySQL's own wording so that clients matching on text (Canal checks for "Unknown system variable")
 * behave as they would against a real server.
 */
final class SqlException extends RuntimeException {
    static final int ER_EMPTY_QUERY = 1065;
    static final int ER_UNKNOWN_ERROR = 1105;
    static final int ER_BAD_FIELD = 1054;
    static final int ER_NONEXISTING_GRANT = 1141;
    static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
    static final int ER_GLOBAL_VARIABLE = 1228;
    static final int ER_WRONG_VALUE_FOR_VAR = 1231;
    static final int ER_ILLEGAL_VALUE_FOR_TYPE = 1367;
    static final int ER_SP_DOES_NOT_EXIST = 1305;
    static final int ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT = 1582;
    static final int ER_UNKNOWN_CHARACTER_SET = 1115;
    static final int ER_OPTION_PREVENTS_STATEMENT = 1290;
    static final int ER_WARN_ALLOWED_PACKET_OVERFLOWED = 1301;

    private static final int MAX_QUOTED = 100;

    private final int code;
    private final String sqlState;

    SqlException(int code, String sqlState, String message) {
        super(message, null, false, false);
        this.code = code;
        this.sqlState = sqlState;
    }

    int code() {
        return code;
    }

    String sqlState() {
        return sqlState;
    }

    /** This error as MariaDB words it: its syntax errors name the "MariaDB server version". */
    SqlException asMariaDb() {
        if (code != ErrorCodes.ER_PARSE_ERROR) {
            return this;
        }
        return new SqlException(code, sqlState, getMessage().replaceFirst("your MySQL server version", "your MariaDB server version"));
    }

    QueryResult.Error toResult() {
        return new QueryResult.Error(code, sqlState, getMessage());
    }

    /** MySQL's ER_PARSE_ERROR text: quotes the statement from the offending offset (at most 80 characters). */
    static SqlException syntax(String sql, int offset) {
        int at = Math.max(0, Math.min(offset, sql.length()));
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (sql.charAt(i) == '\n') {
                line++;
            }
        }
        String near = sql.substring(at, Math.min(sql.length(), at + 80));
        return new SqlException(ErrorCodes.ER_PARSE_ERROR, ErrorCodes.STATE_SYNTAX,
                "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version"
                        + " for the right syntax to use near '" + near + "' at line " + line);
    }

    /** MySQL's ER_ILLEGAL_VALUE_FOR_TYPE for a number literal beyond a DOUBLE ({@code SELECT 1e400}). */
    static SqlException illegalDouble(String text) {
        String t = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
        return new SqlException(ER_ILLEGAL_VALUE_FOR_TYPE, "22007", "Illegal double '" + t + "' value found during parsing");
    }

    static SqlException emptyQuery() {
        return new SqlException(ER_EMPTY_QUERY, ErrorCodes.STATE_SYNTAX, "Query was empty");
    }

    static SqlException notSupported(String sql) {
        String s = sql.strip();
        return new SqlException(ErrorCodes.ER_NOT_SUPPORTED_YET, ErrorCodes.STATE_SYNTAX,
                "binlog-relay does not support this statement: " + (s.length() > MAX_QUOTED
                        ? PeerText.escape(s.substring(0, MAX_QUOTED), MAX_QUOTED) + "..." : PeerText.escape(s, MAX_QUOTED)));
    }

    static SqlException unknownVariable(String name) {
        return new SqlException(ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE, ErrorCodes.STATE_GENERAL,
                "Unknown system variable '" + PeerText.name(name) + "'");
    }

    static SqlException unknownFunction(String name) {
        return new SqlException(ER_SP_DOES_NOT_EXIST, ErrorCodes.STATE_SYNTAX, "FUNCTION " + PeerText.name(name) + " does not exist");
    }

    static SqlException wrongArgumentCount(String name) {
        return new SqlException(ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT, ErrorCodes.STATE_SYNTAX,
                "Incorrect parameter count in the call to native function '" + PeerText.name(name) + "'");
    }

    static SqlException unknownColumn(String name) {
        return new SqlException(ER_BAD_FIELD, "42S22", "Unknown column '" + PeerText.name(name) + "' in 'field list'");
    }

    /**
     * A read of a table: not supported (1235, as documented for what the relay does not answer), not "no such
     * table" (1146), which a CDC tool would take as the table's absence.
     */
    static SqlException noTables(String table) {
        return new SqlException(ErrorCodes.ER_NOT_SUPPORTED_YET, ErrorCodes.STATE_SYNTAX, "binlog-relay does not support"
                + " reading table '" + PeerText.name(table) + "': it serves binary logs only and has no tables");
    }

    static SqlException globalSetDenied(String name) {
        return new SqlException(ER_SPECIFIC_ACCESS_DENIED, ErrorCodes.STATE_SYNTAX,
                "Access denied; you need (at least one of) the SUPER privilege(s) for this operation"
                        + " (binlog-relay does not change global variables; refused SET GLOBAL " + PeerText.name(name) + ")");
    }

    static SqlException globalOnly(String name) {
        return new SqlException(ER_GLOBAL_VARIABLE, ErrorCodes.STATE_GENERAL,
                "Variable '" + PeerText.name(name) + "' is a GLOBAL variable and should be set with SET GLOBAL");
    }

    static SqlException wrongValue(String name, String value) {
        return new SqlException(ER_WRONG_VALUE_FOR_VAR, ErrorCodes.STATE_SYNTAX,
                "Variable '" + PeerText.name(name) + "' can't be set to the value of '" + (value == null ? "NULL"
                        : PeerText.text(value)) + "'");
    }

    static SqlException unknownCharacterSet(String name) {
        return new SqlException(ER_UNKNOWN_CHARACTER_SET, ErrorCodes.STATE_SYNTAX,
                "Unknown character set: '" + PeerText.name(name) + "'");
    }

    static SqlException userVariablesTooLarge(long bytes, long limit) {
        return new SqlException(ER_OPTION_PREVENTS_STATEMENT, ErrorCodes.STATE_GENERAL,
                "The binlog-relay server is running with the downstream.max_user_variables_bytes option (" + limit
                        + ") so it cannot execute this statement: the session's user variables would hold " + bytes + " bytes");
    }

    static SqlException noSuchGrant(String user, String host) {
        return new SqlException(ER_NONEXISTING_GRANT, ErrorCodes.STATE_SYNTAX,
                "There is no such grant defined for user '" + PeerText.name(user) + "' on host '" + PeerText.name(host) + "'");
    }
}
