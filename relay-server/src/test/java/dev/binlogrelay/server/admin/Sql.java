package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/** A handler and a session, with assertions on what statements answer. */
final class Sql {
    static final Instant NOW = Instant.parse("2024-05-06T07:08:09Z");

    final QueryHandler handler;
    final SqlSession session;

    Sql(RelayInfo info) {
        this.handler = new QueryHandler(info, Clock.fixed(NOW, ZoneOffset.UTC));
        this.session = new SqlSession("repl", "10.0.0.9", 77);
    }

    /** A handler and a session of one's own. */
    Sql(QueryHandler handler, SqlSession session) {
        this.handler = handler;
        this.session = session;
    }

    static Sql typical() {
        return new Sql(FakeRelayInfo.typical());
    }

    /** {@link #typical} presenting MySQL 8.0.36. */
    static Sql mysql() {
        return new Sql(FakeRelayInfo.typical().withVersion("8.0.36"));
    }

    /** The statement's answer; one computed off the event loop ({@link QueryResult.Deferred}) is waited for (bounded). */
    QueryResult run(String sql) {
        QueryResult r = assertDoesNotThrow(() -> handler.handle(sql, session), sql);
        if (r instanceof QueryResult.Deferred deferred) {
            return assertDoesNotThrow(() -> deferred.answer().get(30, java.util.concurrent.TimeUnit.SECONDS), sql);
        }
        return r;
    }

    void ok(String sql) {
        QueryResult r = run(sql);
        if (!(r instanceof QueryResult.Ok)) {
            fail("expected OK for [" + sql + "], got " + r);
        }
    }

    TextResultSet rows(String sql) {
        QueryResult r = run(sql);
        if (!(r instanceof QueryResult.Rows rows)) {
            throw new AssertionError("expected rows for [" + sql + "], got " + r);
        }
        return rows.resultSet();
    }

    /** The single value of a one-row, one-column result. */
    String scalar(String sql) {
        TextResultSet rs = rows(sql);
        assertEquals(1, rs.columns().size(), () -> "columns of " + sql + ": " + rs);
        assertEquals(1, rs.rows().size(), () -> "rows of " + sql + ": " + rs);
        return rs.rows().get(0).get(0);
    }

    /** The column name of a one-column result. */
    String column(String sql) {
        TextResultSet rs = rows(sql);
        assertEquals(1, rs.columns().size(), () -> "columns of " + sql + ": " + rs);
        return rs.columns().get(0);
    }

    QueryResult.Error error(String sql) {
        return assertInstanceOf(QueryResult.Error.class, run(sql), sql);
    }

    /** Asserts an error with that code and returns its message. */
    String error(String sql, int code) {
        QueryResult.Error e = error(sql);
        assertEquals(code, e.code(), () -> "code for [" + sql + "]: " + e);
        return e.message();
    }

    /** The value column of a SHOW VARIABLES row, or fails if there is not exactly one. */
    String shown(String sql) {
        TextResultSet rs = rows(sql);
        assertEquals(List.of("Variable_name", "Value"), rs.columns());
        assertEquals(1, rs.rows().size(), () -> "rows of " + sql + ": " + rs);
        return rs.rows().get(0).get(1);
    }
}
