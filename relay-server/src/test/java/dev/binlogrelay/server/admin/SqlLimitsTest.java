package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.TextResultSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 findings 8 and 10: user variables are bounded (a value past max_allowed_packet is NULL with a warning,
 * as on MariaDB; a session's variables together stay under downstream.max_user_variables_bytes); the variables
 * that describe limits say what the relay enforces; SET NAMES refuses unknown character sets.
 */
class SqlLimitsTest {
    private static final long PACKET = 64 * 1024;
    private static final long USER_VARIABLES = 100 * 1024;

    /** The typical fake relay, with small limits. */
    private static RelayInfo limited() {
        FakeRelayInfo f = FakeRelayInfo.typical();
        return new RelayInfo() {
            public long serverId() {
                return f.serverId();
            }

            public String serverVersion() {
                return f.serverVersion();
            }

            public String binlogChecksum() {
                return f.binlogChecksum();
            }

            public String gtidBinlogPos() {
                return f.gtidBinlogPos();
            }

            public long gtidDomainId() {
                return f.gtidDomainId();
            }

            public List<BinlogFile> binlogFiles() {
                return f.binlogFiles();
            }

            public Optional<BinlogFile> masterStatus() {
                return f.masterStatus();
            }

            public List<RegisteredReplica> replicas() {
                return f.replicas();
            }

            public int port() {
                return f.port();
            }

            public long maxAllowedPacket() {
                return PACKET;
            }

            public int maxConnections() {
                return 77;
            }

            public long waitTimeoutSeconds() {
                return 600;
            }

            public long connectTimeoutSeconds() {
                return 5;
            }

            public long maxUserVariablesBytes() {
                return USER_VARIABLES;
            }
        };
    }

    private final Sql sql = new Sql(limited());

    @Test
    void variablesSayWhatTheRelayEnforces() {
        assertEquals(Long.toString(PACKET), sql.scalar("SELECT @@max_allowed_packet"));
        assertEquals(Long.toString(PACKET), sql.shown("SHOW VARIABLES LIKE 'max_allowed_packet'"));
        assertEquals("77", sql.scalar("SELECT @@max_connections"));
        assertEquals("600", sql.scalar("SELECT @@wait_timeout"));
        assertEquals("600", sql.scalar("SELECT @@interactive_timeout"));
        assertEquals("5", sql.scalar("SELECT @@connect_timeout"));
    }

    /** MariaDB Connector/J with a query timeout sends SHOW WARNINGS as SET STATEMENT max_statement_time=N FOR ... */
    @Test
    void showWarningsUnderAQueryTimeoutStillSeesTheLastStatementsWarnings() {
        sql.ok("SET @a = '" + "a".repeat(40_000) + "'");
        sql.run("SET @b = CONCAT(@a, @a)");
        assertEquals(1, sql.rows("SET STATEMENT max_statement_time=10 FOR SHOW WARNINGS").rows().size());
    }

    @Test
    void aConcatLongerThanMaxAllowedPacketIsNullWithAWarning() {
        String forty = "a".repeat(40_000);
        sql.ok("SET @a = '" + forty + "'");
        QueryResult r = sql.run("SET @b = CONCAT(@a, @a)");
        QueryResult.Ok ok = assertInstanceOf(QueryResult.Ok.class, r);
        assertEquals(1, ok.warnings(), "the OK packet counts the warning");
        TextResultSet warnings = sql.rows("SHOW WARNINGS");
        assertEquals(List.of(List.of("Warning", "1301", "Result of concat() was larger than max_allowed_packet (65536) - truncated")),
                warnings.rows());
        assertEquals(1, sql.rows("SHOW WARNINGS").rows().size(), "SHOW WARNINGS keeps them");
        assertNull(sql.scalar("SELECT @b"));
        assertTrue(sql.session.hasUserVariable("b"), "set, to NULL");
        assertEquals(List.of(), sql.rows("SHOW WARNINGS").rows(), "a new statement clears them");
        // multi-byte characters count as bytes: 30,000 three-byte characters are 90,000 bytes
        assertEquals(40_000, sql.scalar("SELECT CONCAT(@a)").length(), "up to the limit a value is kept");
        sql.ok("SET @a = NULL, @k = '" + "€".repeat(30_000) + "'");
        assertNull(sql.scalar("SELECT CONCAT(@k)"));
    }

    @Test
    void aSessionsUserVariablesStayWithinTheirBudget() {
        String forty = "a".repeat(40_000);
        sql.ok("SET @a = '" + forty + "'");
        sql.ok("SET @b = @a");
        String message = sql.error("SET @x = 1, @c = @a", SqlException.ER_OPTION_PREVENTS_STATEMENT);
        assertTrue(message.contains("downstream.max_user_variables_bytes"), message);
        assertFalse(sql.session.hasUserVariable("c"), "a refused statement changes nothing");
        assertFalse(sql.session.hasUserVariable("x"), "not even its other assignments");
        sql.ok("SET @a = NULL, @c = @b");
        assertEquals(40_000, sql.scalar("SELECT @c").length(), "room made in the same statement counts");
        assertTrue(sql.session.userVariableBytes() <= USER_VARIABLES, "" + sql.session.userVariableBytes());
        sql.ok("SET @b = 'short'");
        assertTrue(sql.session.userVariableBytes() < 41_000, "" + sql.session.userVariableBytes());
    }

    @Test
    void setNamesRefusesUnknownCharacterSets() {
        assertEquals("Unknown character set: 'nosuchcharset'", sql.error("SET NAMES 'nosuchcharset'", SqlException.ER_UNKNOWN_CHARACTER_SET));
        sql.error("SET NAMES nosuchcharset COLLATE nosuchcharset_bin", SqlException.ER_UNKNOWN_CHARACTER_SET);
        sql.error("SET CHARACTER SET 'klingon'", SqlException.ER_UNKNOWN_CHARACTER_SET);
        sql.error("SET NAMES ucs2", SqlException.ER_WRONG_VALUE_FOR_VAR);
        assertEquals(sql.scalar("SELECT @@global.character_set_client"), sql.scalar("SELECT @@character_set_client"), "unchanged");
        for (String ok : List.of("SET NAMES utf8", "SET NAMES 'binary'", "SET NAMES latin1", "SET NAMES UTF8MB4",
                "SET NAMES gbk", "SET CHARACTER SET cp1251", "SET NAMES DEFAULT")) {
            sql.ok(ok);
        }
    }

    /** Issue 16 finding 7: names a client sends come back escaped and cut in error messages. */
    @Test
    void peerNamesInErrorsAreEscapedAndCut() {
        String message = sql.error("SELECT `x\nforged line`", SqlException.ER_BAD_FIELD);
        assertEquals("Unknown column 'x\\nforged line' in 'field list'", message);
        String huge = sql.error("SELECT @@" + "v".repeat(100_000), dev.binlogrelay.core.protocol.ErrorCodes.ER_UNKNOWN_SYSTEM_VARIABLE);
        assertTrue(huge.length() < 200, "a 100 KB name is not echoed whole: " + huge.length());
        String unsupported = sql.error("INSERT INTO t VALUES ('a\rb')", dev.binlogrelay.core.protocol.ErrorCodes.ER_NOT_SUPPORTED_YET);
        assertFalse(unsupported.contains("\r"), unsupported);
    }
}
