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

    /**
     * An answer computed off the event loop (it reads the store): the session answers when it completes, and
     * holds the client's next commands until then. The future never completes exceptionally: a failure is an
     * {@link Error}.
     */
    record Deferred(java.util.concurrent.CompletableFuture<QueryResult> answer) implements QueryResult {
    }

    /** An ERR packet: MySQL error code, SQL state, message. */
    record Error(int code, String sqlState, String message) implements QueryResult {
    }
}
