package dev.binlogrelay.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Running helper commands, reading the end of log files and removing test directories. */
final class Processes {
    private static final int TAIL_BYTES = 8192;

    private Processes() {
    }

    /** Runs {@code cmd} to completion with output to {@code logFile}; fails with the log's tail if it fails. */
    static void run(List<String> cmd, Path logFile, Duration timeout, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(what + " did not finish within " + timeout + ": " + cmd + "\n"
                        + tail(logFile, 0));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with exit code " + p.exitValue() + ": " + cmd + "\n"
                        + tail(logFile, 0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + what, e);
        }
    }

    /** Size of {@code file}, 0 if absent: a mark for {@link #tail(Path, long)}. */
    static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The last few KiB of {@code file} written after byte {@code from}. */
    static String tail(Path file, long from) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(from, f.length() - TAIL_BYTES);
            byte[] b = new byte[(int) Math.max(0, f.length() - start)];
            f.seek(start);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** SIGKILL to {@code p} if it still runs, then waits up to {@code wait} for it to be gone. */
    static void kill(Process p, Duration wait) {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Pauses up to {@code millis}, returning early if {@code p} exits. */
    static void pause(Process p, long millis) {
        try {
            if (p != null) {
                p.waitFor(millis, TimeUnit.MILLISECONDS);
            } else {
                Thread.sleep(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** True when {@code RELAY_KEEP_TEST_DIRS=1}: test directories are left behind for inspection. */
    static boolean keepTestDirs() {
        return "1".equals(System.getenv("RELAY_KEEP_TEST_DIRS"));
    }

    /** Deletes {@code dir} and everything below it, best effort. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover file must not fail a test
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
