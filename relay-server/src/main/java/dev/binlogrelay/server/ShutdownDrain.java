package dev.binlogrelay.server;

import dev.binlogrelay.server.admin.AdminControl;
import dev.binlogrelay.server.downstream.ProcessList;

import java.time.Duration;

/**
 * The reader side of a clean shutdown: with ingestion stopped the stored end no longer moves, so every reader can be
 * handed all of it, its group in flight included; this waits (polling, bounded) until no reader is behind.
 */
final class ShutdownDrain {
    private static final long POLL_MS = 20;

    private ShutdownDrain() {
    }

    /** Waits until no reader is behind, at most {@code bound}; returns how many still were. */
    static int await(ProcessList processes, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            int behind = 0;
            for (AdminControl.Connection c : processes.connections()) {
                if (c.file() != null && c.bytesBehind() > 0) {
                    behind++;
                }
            }
            if (behind == 0 || System.nanoTime() >= deadline) {
                return behind;
            }
            Thread.sleep(POLL_MS);
        }
    }
}
