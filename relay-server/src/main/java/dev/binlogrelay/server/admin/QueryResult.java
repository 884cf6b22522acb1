package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

/** The answer to one SQL statement. */
public sealed interface QueryResult {
    /** OK packet (SET, statements with no result), with the statement's warning count. */
    record Ok(long affectedRows, int warnings) implements QueryResult {
        public Ok(long affectedRows) {
            this(affectedRows, 0);
        }
    }

    /** A text result set. */
    record Rows(TextResultSet resultSet) implements QueryResult {
    }

    /** An ERR packet: MySQL error code, SQL state, message. */
    record Error(int code, String sqlState, String message) implements QueryResult {
    }
}
