package dev.binlogrelay.server.admin;

import dev.binlogrelay.core.protocol.ErrorCodes;
import dev.binlogrelay.server.admin.SqlToken.Type;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlLexerTest {
    private static List<String> values(String sql) {
        return SqlLexer.tokenize(sql, 80036).stream().filter(t -> t.type() != Type.END)
                .map(t -> t.type() + ":" + t.value()).collect(Collectors.toList());
    }

    @Test
    void tokenKinds() {
        assertEquals(List.of("WORD:SET", "USER_VAR:a", "SYMBOL::=", "NUMBER:1.5e3", "SYMBOL:,", "SYSTEM_VAR:GLOBAL.x",
                "SYMBOL:=", "STRING:s", "SYMBOL:,", "QUOTED_IDENT:we`ird", "SYMBOL:<>", "USER_VAR:q u", "SYMBOL:;"),
                values("SET @a:=1.5e3, @@GLOBAL.x='s', `we``ird`<>@'q u';"));
    }

    @Test
    void stringEscapes() {
        assertEquals(List.of("STRING:it's", "STRING:say \"x\"", "STRING:a\tb\nc\\d", "STRING:\\%\\_", "STRING:q'q"),
                values("'it''s' \"say \\\"x\\\"\" 'a\\tb\\nc\\\\d' '\\%\\_' 'q\\'q'"));
    }

    @Test
    void numbersRunningIntoLettersAreWords() {
        assertEquals(List.of("WORD:1abc", "NUMBER:.5", "NUMBER:18446744073709551615"), values("1abc .5 18446744073709551615"));
        assertEquals(List.of("NUMBER:1", "WORD:e"), values("1 e"));
    }

    @Test
    void comments() {
        assertEquals(List.of("WORD:a", "WORD:b", "WORD:c", "SYMBOL:-", "SYMBOL:-", "WORD:d"),
                values("a /* x */ b -- y\n c # z\n --d"));
        assertEquals(List.of("WORD:a", "WORD:b"), values("a /*!50000 b */ /*!90000 c */ /*M!100000 d */"));
        assertEquals(List.of("WORD:a", "WORD:b", "WORD:c"), values("a/*!b*//*!80036c*/"));
        assertEquals(List.of("WORD:x"), values("--\nx--"));
    }

    @Test
    void errorsAreParseErrors() {
        for (String bad : List.of("'open", "\"open", "`open", "/* open", "@", "@@", "SELECT ?", "a \\ b")) {
            SqlException e = assertThrows(SqlException.class, () -> SqlLexer.tokenize(bad, 80036), bad);
            assertEquals(ErrorCodes.ER_PARSE_ERROR, e.code(), bad);
        }
        SqlException e = assertThrows(SqlException.class, () -> SqlLexer.tokenize("SELECT 1,\n 'abc", 80036));
        assertTrue(e.getMessage().endsWith("near ''abc' at line 2"), e.getMessage());
    }

    @Test
    void versionNumbers() {
        assertEquals(101105, SqlLexer.versionNumber("10.11.5-MariaDB-log"));
        assertEquals(80036, SqlLexer.versionNumber("8.0.36"));
        assertEquals(50744, SqlLexer.versionNumber("5.7.44-log"));
        assertEquals(SqlLexer.DEFAULT_VERSION, SqlLexer.versionNumber("weird"));
        assertEquals(SqlLexer.DEFAULT_VERSION, SqlLexer.versionNumber(null));
    }
}
