package dev.binlogrelay.core.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerTextTest {
    @Test
    void aNewlineCannotStartAForgedLogLine() {
        String forged = "x' from /10.0.0.1: wrong password\n2026-12-07 01:00:00 INFO  Relay - all good";
        String safe = PeerText.name(forged);
        assertFalse(safe.contains("\n"), safe);
        assertTrue(safe.startsWith("x' from /10.0.0.1: wrong password\\n2026-12-07"), safe);
        assertEquals("a\\rb\\tc\\\\d\\x00e\\x1Bf\\x7Fg\\x85h\\u2028i\\u202Ej", PeerText.text("a\rb\tc\\d\0e\u001Bf\u007Fg\u0085h\u2028i\u202Ej"));
    }

    @Test
    void longTextIsCutAndSaysHowMuchWasLeftOut() {
        String big = "u".repeat(100_000);
        String safe = PeerText.name(big);
        assertEquals("u".repeat(PeerText.NAME) + "...[+" + (100_000 - PeerText.NAME) + " chars]", safe);
        assertEquals("u".repeat(PeerText.TEXT) + "...[+" + (100_000 - PeerText.TEXT) + " chars]", PeerText.text(big));
        // a surrogate pair is never cut in half
        String emoji = "a".repeat(PeerText.NAME - 1) + "\uD83D\uDE00" + "b";
        assertEquals("a".repeat(PeerText.NAME - 1) + "...[+3 chars]", PeerText.name(emoji));
    }

    @Test
    void plainTextIsUnchanged() {
        assertEquals("repl", PeerText.name("repl"));
        assertEquals("mariadb-bin.000001 é ü 日本", PeerText.text("mariadb-bin.000001 é ü 日本"));
        assertEquals("NULL", PeerText.name(null));
    }
}
