package dev.binlogrelay.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Busy CPU time of the whole machine from the first line of {@code /proc/stat}, to tell how much CPU processes
 * other than the measured ones took during a run (the bench shares its cores with whatever else runs).
 *
 * <pre>
 * cpu  user nice system idle iowait irq softirq steal guest guest_nice    (clock ticks, all cores)
 * </pre>
 * Busy = everything but idle and iowait (guest time is already inside user).
 */
public final class MachineCpu {
    private MachineCpu() {
    }

    /** CPU seconds all cores have spent busy since boot; NaN where /proc/stat is missing. */
    public static double busySeconds() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / ProcCpu.TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The 1-minute load average, NaN where unknown. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
