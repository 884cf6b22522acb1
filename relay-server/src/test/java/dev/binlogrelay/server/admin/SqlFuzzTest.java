package dev.binlogrelay.server.admin;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the SQL a client can send (COM_QUERY text): lexer, parser and the whole answer.
 *
 * <p>Contract: {@link SqlLexer} returns tokens whose text is exactly the statement's characters at their offsets, in
 * order, ending with END, or throws {@link SqlException}; {@link SqlParser} returns a statement or throws
 * {@link SqlException}; {@link QueryHandler#handle} answers OK, rows or an error a client understands, never its
 * "failed to answer" internal error (which is what any other exception or a stack overflow becomes). Statements are
 * run against a relay presenting MariaDB 10.11 and one presenting MySQL 8.0 (executable comments differ).
 *
 * <p>Inputs: {@code src/test/resources/dev/binlogrelay/server/admin/SqlFuzzTestInputs/statement/}: what stock
 * replicas, mysqlbinlog / mariadb-binlog, JDBC drivers and CDC tools send before a dump (see ClientStatementsTest).
 */
class SqlFuzzTest {
    private static final List<RelayInfo> RELAYS = List.of(FakeRelayInfo.typical(), FakeRelayInfo.empty());

    @FuzzTest
    @Timeout(10)
    void statement(byte[] input) {
        String sql = new String(input, StandardCharsets.UTF_8);
        for (RelayInfo info : RELAYS) {
            long version = SqlLexer.versionNumber(info.serverVersion());
            tokens(sql, version);
            try {
                assertNotNull(SqlParser.parse(sql, version));
            } catch (SqlException e) {
                assertNotNull(e.getMessage());
            }
            Sql session = new Sql(info);
            QueryResult r = session.handler.handle(sql, session.session);
            assertNotNull(r);
            if (r instanceof QueryResult.Error e) {
                assertFalse(e.message().startsWith("binlog-relay failed to answer"), () -> "internal error for [" + sql + "]: " + e);
            }
        }
    }

    private static void tokens(String sql, long version) {
        List<SqlToken> tokens;
        try {
            tokens = SqlLexer.tokenize(sql, version);
        } catch (SqlException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertEquals(SqlToken.Type.END, tokens.get(tokens.size() - 1).type());
        int previousEnd = 0;
        for (SqlToken t : tokens.subList(0, tokens.size() - 1)) {
            assertTrue(t.start() >= previousEnd && t.end() > t.start() && t.end() <= sql.length(), () -> "token " + t + " of [" + sql + "]");
            assertEquals(sql.substring(t.start(), t.end()), t.text(), "a token's text is the statement's characters at its offsets");
            previousEnd = t.end();
        }
    }
}
