package dev.binlogrelay.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's process handling, with a JVM that cannot start the relay (the testkit does not hold it). */
class RelayJvmIT {
    @TempDir
    Path tmp;

    @Test
    void aRelayThatExitsIsReportedWithItsCodeAndOnlyThisRunsLog() throws Exception {
        Path config = Files.writeString(tmp.resolve("relay.yaml"), "server_id: 1\n");
        try (RelayJvm relay = new RelayJvm(config, tmp.resolve("relay.log"), tmp.resolve("empty-classpath").toString())
                .jvmOptions(List.of("-Xmx32m"))) {
            for (int run = 1; run <= 2; run++) {
                relay.start();
                awaitExit(relay);
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> relay.awaitAnswering(1, "u", "p", Duration.ofSeconds(30)));
                assertTrue(e.getMessage().startsWith("the relay exited with code 1 while starting"), e.getMessage());
                assertTrue(e.getMessage().contains(RelayJvm.MAIN), "java's own complaint is in the log: " + e.getMessage());
                assertFalse(relay.logOfThisRun().contains("=== relay start"), relay.logOfThisRun());
                assertTrue(Files.readString(relay.log()).contains("=== relay start " + run + " ==="));
            }
        }
    }

    private static void awaitExit(RelayJvm relay) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (relay.isAlive()) {
            assertTrue(System.nanoTime() < deadline, "a JVM without the relay's classes did not exit within 30 s");
            Thread.sleep(20);
        }
    }
}
