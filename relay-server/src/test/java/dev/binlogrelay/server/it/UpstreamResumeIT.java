package dev.binlogrelay.server.it;

import dev.binlogrelay.server.Relay;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream session survives the primary going away: the relay reconnects with backoff and resumes right
 * after the last transaction it stored, so what it holds equals the primary's binlog, with nothing missing
 * or repeated.
 */
class UpstreamResumeIT {
    @TempDir
    Path tmp;

    @Test
    void reconnectsAfterThePrimaryRestartsAndResumesExactly() throws Exception {
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start();
             Relay relay = Relay.start(RelayHarness.config(primary, tmp.resolve("relay"), 9001, "earliest"))) {
            String firstFile = primary.binlogFiles().get(0);
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 30);
            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            long connectsBefore = relay.upstream().connectAttempts();

            primary.stop();                 // the relay's session breaks; reconnects fail for a while
            primary.restart();              // same data dir and port; the server starts a new binlog file
            StockReplicasIT.workload0(primary, 30);

            RelayHarness.awaitCaughtUp(relay, primary, Duration.ofSeconds(60));
            assertTrue(relay.upstream().connectAttempts() > connectsBefore, "the relay reconnected");
            List<String> relayed = BinlogConnectorIT.sameThroughRelay(relay, primary,
                    () -> BinlogConnectorIT.readAll(primary.port(), firstFile, 4, null),
                    () -> BinlogConnectorIT.readAll(relay.port(), firstFile, 4, null));
            assertTrue(relayed.stream().filter(e -> e.startsWith("XID")).count() >= 60, "all transactions relayed");
        }
    }
}
