package dev.binlogrelay.server.it;

import dev.binlogrelay.core.auth.CachingSha2Hash;
import dev.binlogrelay.server.Relay;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.testkit.MariaDbLine;
import dev.binlogrelay.testkit.MariaDbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15, upstream side of zero-configuration TLS: with {@code ssl_mode: verify_identity} (or verify_ca) and no
 * {@code ssl_ca}, the relay accepts a certificate nobody signed only when the primary proves it with the password:
 * a MariaDB 11.4 primary's generated certificate, and another relay's own certificate. A caching_sha2_password login,
 * which would hand the password to an unverified peer, is refused with a message naming the way out.
 */
class UpstreamZeroConfigTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void verifyIdentityAgainstAMariaDb114PrimaryWithItsGeneratedCertificate() throws Exception {
        try (MariaDbServer primary = MariaDbLine.MARIADB_11_4.builder().name("primary-11.4").serverId(1).start()) {
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 20);
            RelayConfig c = RelayHarness.config(primary, tmp.resolve("relay"), 9501, "earliest");
            c.upstream.sslMode = "verify_identity";
            Relay relay = Relay.start(c);
            try {
                RelayHarness.awaitCaughtUp(relay, primary, WAIT);
                assertTrue(relay.upstream().isStreaming());
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void aRelayChainVerifiesTheUpstreamRelaysOwnCertificateByPassword() throws Exception {
        List<Relay> relays = new ArrayList<>();
        try (MariaDbServer primary = MariaDbServer.builder().name("primary").serverId(1).start()) {
            RelayHarness.createAppTable(primary);
            StockReplicasIT.workload0(primary, 20);
            RelayConfig a = RelayHarness.config(primary, tmp.resolve("a"), 9511, "earliest");
            a.downstream.users = List.of(DownstreamAuthIT.user("repl", "secret", null, null, false),
                    DownstreamAuthIT.user("sha2", null, CachingSha2Hash.create("sha2-pw").format(), "caching_sha2_password", false));
            Relay relayA = Relay.start(a);
            relays.add(relayA);
            RelayHarness.awaitCaughtUp(relayA, primary, WAIT);

            RelayConfig b = RelayHarness.config(primary, tmp.resolve("b"), 9512, "earliest");
            b.upstream.port = relayA.port();
            b.upstream.sslMode = "verify_ca";
            Relay relayB = Relay.start(b);
            relays.add(relayB);
            RelayHarness.awaitCaughtUp(relayB, primary, WAIT);

            RelayConfig c = RelayHarness.config(primary, tmp.resolve("c"), 9513, "earliest");
            c.upstream.port = relayA.port();
            c.upstream.user = "sha2";
            c.upstream.password = "sha2-pw";
            c.upstream.sslMode = "verify_identity";
            Relay relayC = Relay.start(c);
            relays.add(relayC);
            String error = awaitError(relayC, "caching_sha2_password would send the password");
            assertTrue(error.contains("upstream.ssl_ca"), error);
            assertFalse(relayC.store().committedEnd().isPresent(), "nothing was stored from an unverified upstream");
        } finally {
            for (int i = relays.size() - 1; i >= 0; i--) {
                relays.get(i).close();
            }
        }
    }

    private static String awaitError(Relay r, String expected) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String e = r.upstream().lastError();
            if (e != null && e.contains(expected)) {
                return e;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // polling a status, bounded by the deadline
        }
        return fail("the upstream error never mentioned '" + expected + "': " + r.upstream().lastError());
    }
}
