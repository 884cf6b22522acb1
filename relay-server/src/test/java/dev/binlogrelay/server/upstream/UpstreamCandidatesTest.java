package dev.binlogrelay.server.upstream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rounds over the candidates of upstream.hosts: who is tried when, what is a failover. */
class UpstreamCandidatesTest {
    private static UpstreamCandidates candidates(int n) {
        List<UpstreamSettings.Candidate> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(new UpstreamSettings.Candidate("db" + i, 3306));
        }
        UpstreamSettings s = new UpstreamSettings("db1", 3306, "repl", "", 9001, "uuid", null, 0, 200, 10_000, 5000,
                UpstreamSecurity.of(SslMode.DISABLED, null, null), false, list, n > 1);
        return new UpstreamCandidates(s);
    }

    @Test
    void oneCandidateIsOneAttemptPerRound() {
        UpstreamCandidates c = candidates(1);
        assertFalse(c.advance(false));
        assertEquals(0, c.current());
        assertFalse(c.advance(true));
        assertEquals(0, c.current());
    }

    @Test
    void aRoundTriesEveryCandidateAtOnceThenWaitsAndStartsAgainAtTheLastPrimary() {
        UpstreamCandidates c = candidates(3);
        assertEquals(Optional.empty(), c.streaming()); // db1 streams: the first primary, no failover
        assertEquals("db1:3306", c.primary());
        c.streamEnded();
        assertFalse(c.advance(true)); // the primary's stream broke: wait the backoff, then db1 again
        assertEquals(0, c.current());
        assertTrue(c.advance(false)); // db1 refused the connection: db2 at once
        assertEquals(1, c.current());
        assertTrue(c.advance(false)); // db2 is read-only: db3 at once
        assertEquals(2, c.current());
        assertFalse(c.advance(false)); // db3 too: the round is over, back off, start at db1
        assertEquals(0, c.current());
        assertTrue(c.advance(false));
        assertEquals(Optional.of("db1:3306"), c.streaming()); // db2 was promoted
        assertEquals("db2:3306", c.primary());
        assertEquals(1, c.failovers());
        assertFalse(c.advance(true)); // db2's stream broke: rounds start at db2 now
        assertEquals(1, c.current());
    }

    @Test
    void aForkRefusalHoldsUntilACandidateStreams() {
        UpstreamCandidates c = candidates(2);
        c.streaming();
        c.forkRefused("fork refused: …");
        c.forkRefused("fork refused: …");
        assertEquals("fork refused: …", c.forkRefusal());
        assertEquals(2, c.forkRefusals());
        c.streaming();
        assertNull(c.forkRefusal());
        assertEquals(0, c.failovers());
    }

    @Test
    void aReasonIsLoggedOncePerCandidateUntilProgress() {
        UpstreamCandidates c = candidates(2);
        assertTrue(c.newReason(0, "refused"));
        assertTrue(c.newReason(1, "read-only"));
        assertFalse(c.newReason(0, "refused"));
        assertFalse(c.newReason(1, "read-only"));
        c.forgetReasons();
        assertTrue(c.newReason(0, "refused"));
    }
}
