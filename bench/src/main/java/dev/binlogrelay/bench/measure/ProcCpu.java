package dev.binlogrelay.bench.measure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a process from {@code /proc/PID/stat} (Linux): user + system time of all its threads, in seconds.
 *
 * <pre>
 * /proc/PID/stat : pid (comm) state ppid ... utime (field 14) stime (field 15) ...   in clock ticks
 * </pre>
 * The command name may hold spaces and parentheses, so fields are counted after the last ')'.
 */
public final class ProcCpu {
    /** USER_HZ; 100 on every Linux architecture the bench runs on (see {@code getconf CLK_TCK}). */
    static final double TICKS_PER_SECOND = 100.0;
    private static final int UTIME_AFTER_COMM = 11;

    private ProcCpu() {
    }

    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** CPU seconds used so far by a process, in user mode and in the kernel (for a server: mostly socket writes). */
    public record Sample(double user, double system) {
        public double total() {
            return user + system;
        }

        public Sample minus(Sample earlier) {
            return new Sample(user - earlier.user, system - earlier.system);
        }
    }

    /** user + system CPU seconds used so far by process {@code pid}. */
    public static double seconds(long pid) {
        return sample(pid).total();
    }

    public static Sample sample(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            return parse(Files.readString(stat));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stat + " (has process " + pid + " exited?)", e);
        }
    }

    static Sample parse(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long utime = Long.parseLong(f[UTIME_AFTER_COMM]);
        long stime = Long.parseLong(f[UTIME_AFTER_COMM + 1]);
        return new Sample(utime / TICKS_PER_SECOND, stime / TICKS_PER_SECOND);
    }

    /**
     * Waits (at most {@code maxMillis}) until every one of {@code pids} uses less than {@code threshold} of a core
     * over a one-second window, so that background work (InnoDB purge, RocksDB compaction, JIT) left over from
     * loading does not land in a measurement. Returns the last window's total rate, cores.
     */
    public static double awaitQuiet(double threshold, long maxMillis, long... pids) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxMillis;
        double rate;
        do {
            double[] before = new double[pids.length];
            for (int i = 0; i < pids.length; i++) {
                before[i] = seconds(pids[i]);
            }
            long t0 = System.nanoTime();
            Thread.sleep(1000);
            double secs = (System.nanoTime() - t0) / 1e9;
            rate = 0;
            boolean quiet = true;
            for (int i = 0; i < pids.length; i++) {
                double r = (seconds(pids[i]) - before[i]) / secs;
                rate += r;
                quiet &= r < threshold;
            }
            if (quiet) {
                return rate;
            }
        } while (System.currentTimeMillis() < deadline);
        return rate;
    }
}
