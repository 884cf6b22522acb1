package dev.binlogrelay.core.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CachingSha2HashTest {
    /** "$A$005$" as hex. */
    private static final String PREFIX_HEX = "24412430303524";
    /**
     * hashcat's example for mode 7401 (MySQL $A$, a mysql.user.authentication_string from MySQL 8, printed as
     * $mysql$A$005*salt-hex*digest-hex): password "hashcat". Its salt has bytes above 0x7F.
     */
    private static final String HASHCAT = "0x" + PREFIX_HEX + "F9CC98CE08892924F50A213B6BC571A2C11778C5"
            + "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F";
    /** A published MySQL 8 authentication_string for password "password", same layout. */
    private static final String PASSWORD = "0x" + PREFIX_HEX + "06437A150142644D74187A6A2F0D7971094F2575"
            + "48667A67485366745A304F6A487A73704250663465337A7530325157687A51364A384D737554424939702E";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void verifiesHashesMadeByMySql() {
        CachingSha2Hash h = CachingSha2Hash.parse(HASHCAT);
        assertEquals(5000, h.rounds());
        assertTrue(h.verify(b("hashcat")));
        assertFalse(h.verify(b("hashcaT")));
        assertFalse(h.verify(new byte[0]));
        assertTrue(CachingSha2Hash.parse(PASSWORD).verify(b("password")));
        assertFalse(CachingSha2Hash.parse(PASSWORD).verify(b("password ")));
    }

    @Test
    void hexAndTextFormsRoundTrip() {
        CachingSha2Hash h = CachingSha2Hash.parse(HASHCAT);
        assertEquals(HASHCAT, h.formatHex());
        CachingSha2Hash again = CachingSha2Hash.parse(h.format());
        assertTrue(again.verify(b("hashcat")));
        assertEquals(HASHCAT, again.formatHex());
        assertEquals(HASHCAT.toLowerCase().replace("0x", "0x"), CachingSha2Hash.parse(HASHCAT.toLowerCase()).formatHex().toLowerCase());
        assertFalse(h.printable());
    }

    @Test
    void createdHashesArePrintableAndVerify() {
        CachingSha2Hash h = CachingSha2Hash.create("s3cret-ü");
        String text = h.format();
        assertTrue(text.startsWith("$A$005$"), text);
        assertEquals(70, text.length());
        assertTrue(h.printable());
        assertTrue(CachingSha2Hash.looksLike(text));
        CachingSha2Hash parsed = CachingSha2Hash.parse(text);
        assertTrue(parsed.verify(b("s3cret-ü")));
        assertFalse(parsed.verify(b("s3cret-u")));
        assertNotEquals(text, CachingSha2Hash.create("s3cret-ü").format(), "salts are random");
    }

    @Test
    void roundsAreHexThousands() {
        byte[] salt = b("abcdefghijABCDEFGHIJ");
        CachingSha2Hash h = CachingSha2Hash.create(b("pw"), salt, 16_000);
        assertTrue(h.format().startsWith("$A$010$abcdefghijABCDEFGHIJ"), h.format());
        CachingSha2Hash parsed = CachingSha2Hash.parse(h.format());
        assertEquals(16_000, parsed.rounds());
        assertTrue(parsed.verify(b("pw")));
        // the digest is sha256-crypt's over the full 20-byte salt (crypt(3) would cut it at 16)
        assertEquals(Sha256Crypt.hash(b("pw"), salt, 16_000), h.format().substring(27));
        assertThrows(IllegalArgumentException.class, () -> CachingSha2Hash.create(b("pw"), salt, 1500));
        assertThrows(IllegalArgumentException.class, () -> CachingSha2Hash.create(b("pw"), b("short"), 5000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "$A$005$", "$A$005$abc", "$B$005$abcdefghijABCDEFGHIJ0123456789012345678901234567890123456789012",
            "$A$0G5$abcdefghijABCDEFGHIJ0123456789012345678901234567890123456789012",
            "$A$000$abcdefghijABCDEFGHIJ0123456789012345678901234567890123456789012",
            "$A$005$abcdefghijABCDEFGHIJ01234567890123456789012345678901234567890123", "0x2441zz", "0x"})
    void malformed(String text) {
        assertThrows(IllegalArgumentException.class, () -> CachingSha2Hash.parse(text));
    }

    @Test
    void hashcatVectorInItsOwnTextForm() {
        // the same salt written as characters 0-255 (what a YAML string holding the raw bytes would give)
        String hex = HASHCAT.substring(2);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) {
            text.append((char) Integer.parseInt(hex.substring(i, i + 2), 16));
        }
        assertTrue(CachingSha2Hash.parse(text.toString()).verify(b("hashcat")));
    }
}
