package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

/** The answer to one SQL statement. */
public sealed interface QueryResult {
    /** OK packet (SET, statements with no result). */
    record Ok(long affectedRows) implements QueryResult {
    }

    /** A text result set. */
    record Rows(TextResultSet resultSet) implements QueryResult {
    }

    /** An ERR packet: MySQL error code, SQL state, message. */
    record Error(int code, String sqlState, String message) implements QueryResult {
    }
}
