package dev.binlogrelay.core.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Sha256CryptTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The test vectors of Drepper's specification (crypt(3) cuts salts at 16 bytes; that is done here by hand). */
    @Test
    void specificationVectors() {
        assertEquals("5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", Sha256Crypt.hash(b("Hello world!"), b("saltstring"), 5000));
        assertEquals("3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
                Sha256Crypt.hash(b("Hello world!"), b("saltstringsaltst"), 10000));
        assertEquals("Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5",
                Sha256Crypt.hash(b("This is just a test"), b("toolongsaltstrin"), 5000));
        assertEquals("Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1", Sha256Crypt.hash(
                b("a very much longer text to encrypt.  This one even stretches over morethan one line."), b("anotherlongsalts"), 1400));
        assertEquals("JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/",
                Sha256Crypt.hash(b("we have a short salt string but not a short password"), b("short"), 77777));
        assertEquals("gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD",
                Sha256Crypt.hash(b("a short string"), b("asaltof16chars.."), 123456));
    }

    @Test
    void longKeysAndEmptyKey() {
        // keys longer than one digest take the "more than 32 bytes" branches
        String k = "a".repeat(100);
        assertEquals(Sha256Crypt.hash(b(k), b("salt"), 1000), Sha256Crypt.hash(b(k), b("salt"), 1000));
        assertEquals(43, Sha256Crypt.hash(new byte[0], b("salt"), 1000).length());
        assertThrows(IllegalArgumentException.class, () -> Sha256Crypt.hash(b("x"), b("salt"), 0));
    }
}
