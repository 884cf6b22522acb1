package dev.binlogrelay.bench.measure;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcCpuTest {
    @Test
    void readsUserAndSystemTicksAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 3034 0 0 0 1234 567 0 0 20 0 12 0 1000 "
                + "100000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcCpu.Sample s = ProcCpu.parse(stat);
        assertEquals(12.34, s.user(), 1e-9);
        assertEquals(5.67, s.system(), 1e-9);
    }

    @Test
    void thisProcessHasUsedSomeCpu() {
        if (ProcCpu.available()) {
            assertTrue(ProcCpu.seconds(ProcessHandle.current().pid()) > 0);
        }
    }
}
