package dev.binlogrelay.server.admin;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code sql_mode} as the servers keep it: a set of mode names, each once, in the order of their bits (MariaDB's
 * order; MySQL's modes sit in the same order), whatever order and case they were assigned in. A client's
 * {@code SET sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')} (MariaDB Connector/J at connect) then reads back
 * as from the server.
 */
final class SqlModes {
    /** The modes by bit, MariaDB's and MySQL's. */
    private static final List<String> ORDER = List.of("REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE",
            "IGNORE_BAD_TABLE_OPTIONS", "ONLY_FULL_GROUP_BY", "NO_UNSIGNED_SUBTRACTION", "NO_DIR_IN_CREATE", "POSTGRESQL",
            "ORACLE", "MSSQL", "DB2", "MAXDB", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS", "NO_FIELD_OPTIONS", "MYSQL323", "MYSQL40",
            "ANSI", "NO_AUTO_VALUE_ON_ZERO", "NO_BACKSLASH_ESCAPES", "STRICT_TRANS_TABLES", "STRICT_ALL_TABLES",
            "NO_ZERO_IN_DATE", "NO_ZERO_DATE", "ALLOW_INVALID_DATES", "ERROR_FOR_DIVISION_BY_ZERO", "TRADITIONAL",
            "NO_AUTO_CREATE_USER", "HIGH_NOT_PRECEDENCE", "NO_ENGINE_SUBSTITUTION", "PAD_CHAR_TO_FULL_LENGTH",
            "EMPTY_STRING_IS_NULL", "SIMULTANEOUS_ASSIGNMENT", "TIME_ROUND_FRACTIONAL", "TIME_TRUNCATE_FRACTIONAL");

    private SqlModes() {
    }

    /**
     * The canonical form of an assigned sql_mode.
     *
     * @throws SqlException ER_WRONG_VALUE_FOR_VAR for a mode no server knows, as the server refuses it
     */
    static String normalize(String assigned) {
        Set<String> given = new LinkedHashSet<>();
        for (String part : assigned.split(",")) {
            String mode = part.strip().toUpperCase(Locale.ROOT);
            if (mode.isEmpty()) {
                continue;
            }
            if (!ORDER.contains(mode)) {
                throw SqlException.wrongValue("sql_mode", mode);
            }
            given.add(mode);
        }
        List<String> out = new ArrayList<>(given.size());
        for (String mode : ORDER) {
            if (given.contains(mode)) {
                out.add(mode);
            }
        }
        return String.join(",", out);
    }
}
