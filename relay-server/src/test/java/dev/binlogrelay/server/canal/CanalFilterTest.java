package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.SecurityUtil;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Canal's filter syntax and Canal's scramble, against Canal's own SecurityUtil. */
class CanalFilterTest {
    @Test
    void patternsMatchTheWholeSchemaDotTableIgnoringCase() {
        CanalFilter f = CanalFilter.parse("shop\\..*,audit\\.log_\\d{1,2}");
        assertTrue(f.matches("shop", "orders"));
        assertTrue(f.matches("SHOP", "Orders"));
        assertTrue(f.matches("audit", "log_7"));
        assertTrue(f.matches("audit", "log_42"));
        assertFalse(f.matches("audit", "log_123"));
        assertFalse(f.matches("shopping", "orders"), "anchored at both ends");
        assertFalse(f.matches("other", "shop"));
        assertTrue(f.matches("", ""), "entries without a table (transaction begin/end) pass");
        assertEquals(List.of("shop\\..*", "audit\\.log_\\d{1,2}"), CanalFilter.split("shop\\..*,audit\\.log_\\d{1,2}"));
        assertEquals(List.of("a\\,b", "c"), CanalFilter.split("a\\,b,c"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(5)
    void caseIsIgnoredByLoweringLiteralsNotByCaseFolding() {
        assertTrue(CanalFilter.parse("Shop\\.ORDERS").matches("shop", "Orders"));
        assertFalse(CanalFilter.parse("shop\\.\\S+").matches("shop", "a b"), "\\S stays \\S");
        assertTrue(CanalFilter.parse("shop\\.\\p{Ll}+").matches("shop", "orders"));
        assertTrue(CanalFilter.parse("shop\\.\\x{61}").matches("shop", "A"), "an escape as written; the name is lowercased");
        assertFalse(CanalFilter.parse("shop\\.\\x{61}").matches("shop", "b"));
        // RE2/J's case-insensitive compile of such a range takes minutes: the filter must not need it
        assertTrue(CanalFilter.parse("[ -\\x{2fff}]+\\.t").matches("shop", "t"));
        assertEquals("a\\Sb\\p{Lu}\\pLc", CanalFilter.lowerLiterals("A\\SB\\p{Lu}\\pLC"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(5)
    void repetitionsThatWouldBuildAHugeProgramAndOverlongFiltersAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CanalFilter.parse("((a{1000}){1000}){1000}"));
        assertTrue(e.getMessage().contains("counted repetitions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CanalFilter.parse("a{101},b{100}"), "over the whole filter");
        assertTrue(CanalFilter.parse("a\\.x{100},a\\.log_\\d{1,2}").matches("a", "log_12"), "100 times 2 is allowed");
        assertTrue(CanalFilter.parse("a\\.log_\\d{1,99}").matches("a", "log_7"));
        assertTrue(CanalFilter.parse("a\\.b\\{1000}").matches("a", "b{1000}"), "an escaped brace is no repetition");
        assertThrows(IllegalArgumentException.class, () -> CanalFilter.parse("a".repeat(CanalFilter.MAX_LENGTH + 1)));
    }

    @Test
    void anEmptyFilterMatchesEverythingAndABadOneIsNamed() {
        assertTrue(CanalFilter.parse("").matches("any", "table"));
        assertTrue(CanalFilter.parse(null).matches("any", "table"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CanalFilter.parse("ok\\..*,bad\\.("));
        assertTrue(e.getMessage().contains("'bad\\.('"), e.getMessage());
    }

    @Test
    void theScrambleIsCanals() throws Exception {
        byte[] seed = {1, 2, 3, 4, 5, 6, 7, 8};
        String canals = SecurityUtil.byte2HexStr(SecurityUtil.scramble411("canalpw".getBytes(), seed));
        assertEquals(canals, CanalAuth.token("canalpw", seed));
        CanalAuth auth = new CanalAuth(Map.of("canal", "canalpw", "open", ""));
        assertTrue(auth.check("canal", canals, seed));
        assertFalse(auth.check("canal", canals, new byte[] {8, 7, 6, 5, 4, 3, 2, 1}), "another seed");
        assertFalse(auth.check("canal", SecurityUtil.byte2HexStr(SecurityUtil.scramble411("x".getBytes(), seed)), seed));
        assertFalse(auth.check("canal", "not hex", seed));
        assertFalse(auth.check("canal", "", seed));
        assertFalse(auth.check("other", canals, seed));
        assertTrue(auth.check("open", "", seed), "a user with an empty password passes, as in Canal");
        assertTrue(new CanalAuth(Map.of()).check("anyone", "", seed));
    }
}
