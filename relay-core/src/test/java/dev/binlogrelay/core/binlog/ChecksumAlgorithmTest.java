package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChecksumAlgorithmTest {
    @Test
    void codesAndTrailers() {
        assertEquals(0, ChecksumAlgorithm.NONE.code);
        assertEquals(1, ChecksumAlgorithm.CRC32.code);
        assertEquals(0, ChecksumAlgorithm.NONE.trailerSize());
        assertEquals(4, ChecksumAlgorithm.CRC32.trailerSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"CRC32", "crc32", " CRC32 "})
    void crc32Names(String name) {
        assertEquals(ChecksumAlgorithm.CRC32, ChecksumAlgorithm.fromName(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NONE", "none", "OFF", "", "0"})
    void noneNames(String name) {
        assertEquals(ChecksumAlgorithm.NONE, ChecksumAlgorithm.fromName(name));
    }

    @Test
    void unsetVariableIsNone() {
        assertEquals(ChecksumAlgorithm.NONE, ChecksumAlgorithm.fromName(null));
    }

    @Test
    void unknownName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChecksumAlgorithm.fromName("SHA256"));
        assertEquals("unknown binlog checksum algorithm 'SHA256'", e.getMessage());
    }
}
