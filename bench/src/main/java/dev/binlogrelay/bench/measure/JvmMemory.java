package dev.binlogrelay.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory of another JVM on this machine: live heap after a full GC ({@code jcmd PID GC.class_histogram}, whose
 * "Total" line sums the live objects it found after collecting) and resident set size ({@code /proc/PID/status}).
 */
public final class JvmMemory {
    private JvmMemory() {
    }

    /** Bytes of live objects on the heap of {@code pid}, after a full GC the histogram forces. */
    public static long liveHeapBytes(long pid) throws IOException, InterruptedException {
        String out = jcmd(pid, "GC.class_histogram");
        for (String line : out.split("\\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                return Long.parseLong(f[2]);
            }
        }
        throw new IOException("no Total line in jcmd " + pid + " GC.class_histogram: " + out.lines().limit(5).toList());
    }

    /** VmRSS of {@code pid}, bytes. */
    public static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** Runs {@code jcmd pid command...} of this JVM's JDK; its output, or an exception when it fails. */
    public static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + output);
        }
        return output;
    }
}
