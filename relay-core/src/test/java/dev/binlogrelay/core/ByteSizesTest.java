package dev.binlogrelay.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteSizesTest {
    @Test
    void unitsArePowersOf1024InAnyCase() {
        assertEquals(4096, ByteSizes.parse("4096"));
        assertEquals(64L << 20, ByteSizes.parse("64M"));
        assertEquals(64L << 20, ByteSizes.parse("64MiB"));
        assertEquals(1L << 30, ByteSizes.parse("1g"));
        assertEquals(1024, ByteSizes.parse("1kb"));
        assertEquals(3L << 40, ByteSizes.parse(" 3 T "));
        assertEquals(5, ByteSizes.parse("5B"));
    }

    @Test
    void anythingElseIsRefusedByItsText() {
        for (String bad : new String[] {"-1", "1.5G", "G", "", "12 apples", "8P"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(bad));
            assertEquals("'" + bad + "' is not a size (a number of bytes, or a number with K, M, G or T)", e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(null));
        assertEquals("'8388608T' is too large", assertThrows(IllegalArgumentException.class,
                () -> ByteSizes.parse("8388608T")).getMessage());
    }
}
