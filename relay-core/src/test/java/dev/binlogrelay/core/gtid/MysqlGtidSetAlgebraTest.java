package dev.binlogrelay.core.gtid;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MysqlGtidSetAlgebraTest {
    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final String B = "f2b6c829-9d2f-11e7-9c80-0242ac110002";

    private static MysqlGtidSet set(String text) {
        return MysqlGtidSet.parse(text);
    }

    @Test
    void union() {
        assertEquals(set(A + ":1-10:12," + B + ":1-3"), set(A + ":1-5:12").union(set(A + ":6-10," + B + ":1-3")));
        assertEquals(set(A + ":1-5"), set(A + ":1-5").union(MysqlGtidSet.EMPTY));
        assertEquals(set(A + ":t:1-2," + A + ":1"), set(A + ":1").union(set(A + ":t:1-2")));
    }

    @Test
    void containsAll() {
        assertTrue(set(A + ":1-10," + B + ":1-3").containsAll(set(A + ":2-4:7," + B + ":3")));
        assertTrue(set(A + ":1-10").containsAll(MysqlGtidSet.EMPTY));
        assertFalse(set(A + ":1-10").containsAll(set(A + ":9-11")));
        assertFalse(set(A + ":1-10").containsAll(set(B + ":1")));
        assertFalse(set(A + ":1-10").containsAll(set(A + ":t:1")), "a tag is another source");
        assertFalse(set(A + ":1-3:5-10").containsAll(set(A + ":3-5")), "no interval of the set holds 3-5 whole");
    }

    @Test
    void minus() {
        assertEquals(set(A + ":1-2:6-7:11-20"), set(A + ":1-20").minus(set(A + ":3-5:8-10")));
        assertEquals(set(B + ":1-3"), set(A + ":1-20," + B + ":1-3").minus(set(A + ":1-30")));
        assertEquals(MysqlGtidSet.EMPTY, set(A + ":4-6").minus(set(A + ":1-10")));
        assertEquals(set(A + ":1-20"), set(A + ":1-20").minus(MysqlGtidSet.EMPTY));
    }
}
