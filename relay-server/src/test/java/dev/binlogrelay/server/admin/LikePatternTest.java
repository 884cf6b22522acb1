package dev.binlogrelay.server.admin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LikePatternTest {
    @Test
    void wildcards() {
        assertTrue(LikePattern.of("server_id").matches("SERVER_ID"));
        assertTrue(LikePattern.of("server_id").matches("serverXid"), "_ is any one character");
        assertFalse(LikePattern.of("server_id").matches("server_ids"));
        assertTrue(LikePattern.of("%").matches(""));
        assertTrue(LikePattern.of("%_id").matches("server_id"));
        assertTrue(LikePattern.of("%a%b%c%").matches("xxaxxbxxcxx"));
        assertFalse(LikePattern.of("%a%b%c%").matches("xxcxxbxxaxx"));
        assertTrue(LikePattern.of("a%%b").matches("ab"));
        assertFalse(LikePattern.of("_").matches(""));
        assertFalse(LikePattern.of("abc").matches(null));
    }

    @Test
    void escapes() {
        assertTrue(LikePattern.of("tx\\_%").matches("tx_isolation"));
        assertFalse(LikePattern.of("tx\\_%").matches("txXisolation"));
        assertTrue(LikePattern.of("100\\%").matches("100%"));
        assertFalse(LikePattern.of("100\\%").matches("1000"));
        assertTrue(LikePattern.of("a|%", '|').matches("a%"));
        assertFalse(LikePattern.of("a|%", '|').matches("ab"));
        assertTrue(LikePattern.of("a\\", '|').matches("a\\"), "backslash is literal with another escape");
        assertTrue(LikePattern.of("trailing\\").matches("trailing\\"), "a trailing escape is literal");
    }
}
