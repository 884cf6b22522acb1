package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets an ERR a client understands, and never an exception. */
class MalformedSqlTest {
    private final Sql sql = Sql.typical();

    /** 1e999999999 written out is a billion characters: beyond a DOUBLE it is MySQL's error 1367, below one 0. */
    @org.junit.jupiter.api.Test
    void exponentsAreNotExpandedBeyondADouble() {
        for (String statement : List.of("SELECT 1e999999999", "SELECT 1e400", "SELECT 1e99999999999999999999")) {
            QueryResult.Error e = sql.error(statement);
            assertEquals(1367, e.code(), () -> statement + " → " + e);
            assertEquals("22007", e.sqlState());
            assertTrue(e.message().startsWith("Illegal double '1e"), e.message());
        }
        assertEquals("1000", sql.scalar("SELECT 1e3"));
        assertEquals(309, sql.scalar("SELECT 1e308").length());
        assertEquals("0", sql.scalar("SELECT 1e-999999999"));
        assertEquals("-1E+999999999", sql.scalar("SELECT -'1e999999999'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 'unterminated",
        "SELECT \"unterminated",
        "SELECT `unterminated",
        "SELECT 1 /* unterminated comment",
        "SELECT",
        "SELECT 1,",
        "SELECT (1",
        "SELECT 1)",
        "SELECT 1; SELECT 2",
        "SET",
        "SET @a",
        "SET @a =",
        "SET @a = 1,",
        "SET NAMES",
        "SET @@ = 1",
        ")))",
        "SELECT (1 2 3",
        "SELECT 1 2 3)",
        "unknown gibberish here",
        "Bonjour, SELECT 1",
        "'just a string'",
        "@a = 1",
        "SHOW VARIABLES WHERE",
        "SHOW VARIABLES WHERE Variable_name",
        "SHOW GRANTS FOR",
        "USE",
        "DO",
    })
    void syntaxErrors(String statement) {
        QueryResult.Error e = sql.error(statement);
        assertEquals(ErrorCodes.ER_PARSE_ERROR, e.code(), () -> statement + " → " + e);
        assertEquals(ErrorCodes.STATE_SYNTAX, e.sqlState());
        assertTrue(e.message().startsWith("You have an error in your SQL syntax;"), e.message());
    }

    /**
     * A statement that starts with a statement keyword but that the relay cannot parse may be valid SQL its grammar
     * lacks, so it is "not supported", never a syntax error (see SqlParser): these are mistakes, but the relay
     * cannot tell them from forms it does not know ({@code SELECT 1 FROM DUAL WHERE 1}, {@code SELECT 1 INTO @x}).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1 2 3",
        "SELECT 1 LIMIT x",
        "SELECT 1 FROM DUAL junk",
        "SET = 1",
        "SET TRANSACTION ISOLATION LEVEL SOMETIMES",
        "SHOW VARIABLES WHERE Variable_name IN ()",
        "BEGIN now",
        "SELECT 1 FROM DUAL WHERE 1",
        "SELECT 1 INTO @x",
        "SELECT 1 UNION SELECT 2",
        "(SELECT 1)",
        "SELECT @@server_id FOR UPDATE",
        "SET ROLE NONE",
        "SET DEFAULT ROLE ALL TO u",
        "SET GLOBAL TRANSACTION READ ONLY junk",
    })
    void unparsableFormsOfKnownStatementsAreNotSupported(String statement) {
        assertEquals("binlog-relay does not support this statement: " + statement,
                sql.error(statement, ErrorCodes.ER_NOT_SUPPORTED_YET));
    }

    @Test
    void syntaxErrorQuotesFromTheOffendingToken() {
        assertTrue(sql.error("SELECT (1 2 3").message().endsWith("near '2 3' at line 1"));
        assertTrue(sql.error("SET @a = ").message().endsWith("near '' at line 1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO t VALUES (1)",
        "FLUSH LOGS",
        "flush tables with read lock",
        "RESET SLAVE",
        "START GROUP_REPLICATION",
        "STOP ALL SLAVES",
        "CREATE TABLE t (a INT)",
    })
    void unsupportedStatements(String statement) {
        // CHANGE MASTER TO, PURGE, KILL and START SLAVE are operator statements now (AdminStatementsTest)
        QueryResult.Error e = sql.error(statement);
        assertEquals(ErrorCodes.ER_NOT_SUPPORTED_YET, e.code(), () -> statement + " → " + e);
        assertEquals("binlog-relay does not support this statement: " + statement, e.message());
    }

    @Test
    void unsupportedMessageQuotesAtMost100Characters() {
        String longStatement = "INSERT INTO t VALUES " + "(1),".repeat(100) + "(2)";
        String message = sql.error(longStatement, ErrorCodes.ER_NOT_SUPPORTED_YET);
        assertEquals("binlog-relay does not support this statement: " + longStatement.substring(0, 100) + "...", message);
    }

    @Test
    void emptyStatements() {
        for (String s : List.of("", "   ", ";", " ; ;", "/* only a comment */", "-- only\n", "# x")) {
            assertEquals(SqlException.ER_EMPTY_QUERY, sql.error(s).code(), s);
        }
        assertEquals(SqlException.ER_EMPTY_QUERY, assertInstanceOf(QueryResult.Error.class, sql.handler.handle(null, sql.session)).code());
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000);
        assertEquals(ErrorCodes.ER_PARSE_ERROR, sql.error(deep).code());
        String negations = "SELECT " + "-".repeat(100_000) + "1";
        assertEquals(ErrorCodes.ER_PARSE_ERROR, sql.error(negations).code());
        String where = "SHOW VARIABLES WHERE " + "NOT ".repeat(100_000) + "Value = 1";
        assertEquals(ErrorCodes.ER_PARSE_ERROR, sql.error(where).code());
        assertEquals("1", sql.scalar("SELECT " + "(".repeat(20) + "1" + ")".repeat(20)));
    }

    @Test
    void failingRelayInfoIsAnErrorNotAnException() {
        RelayInfo failing = new RelayInfo() {
            @Override public long serverId() { return 1; }
            @Override public String serverVersion() { return "10.11.5-MariaDB"; }
            @Override public String binlogChecksum() { throw new IllegalStateException("store closed"); }
            @Override public String gtidBinlogPos() { return ""; }
            @Override public long gtidDomainId() { return 0; }
            @Override public List<BinlogFile> binlogFiles() { throw new IllegalStateException("store closed"); }
            @Override public Optional<BinlogFile> masterStatus() { return Optional.empty(); }
            @Override public List<RegisteredReplica> replicas() { return List.of(); }
            @Override public int port() { return 3306; }
        };
        Sql s = new Sql(failing);
        QueryResult.Error e = s.error("SELECT @@binlog_checksum");
        assertEquals(SqlException.ER_UNKNOWN_ERROR, e.code());
        assertTrue(e.message().contains("store closed"), e.message());
        assertEquals(SqlException.ER_UNKNOWN_ERROR, s.error("SHOW BINARY LOGS").code());
    }

    @Test
    void randomJunkNeverThrows() {
        Random random = new Random(42);
        String alphabet = "SELECTSHOWet@@'\"`();,.=-#/*!0123456789 \n\\%_LIKEWHERE";
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertNotNull(sql.run(b.toString()));
        }
    }
}
