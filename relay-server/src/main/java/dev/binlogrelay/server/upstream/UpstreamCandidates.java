package dev.binlogrelay.server.upstream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The candidate primaries of {@code upstream.hosts} as the upstream client goes through them. A round of attempts
 * starts at the last primary and tries each candidate once, with no delay between them; the client's backoff
 * applies between rounds (one candidate: a round is one attempt). The first candidate that reaches the dump is the
 * primary; a primary other than the last one is a failover.
 *
 * <p>Threading: changed on the upstream thread only; the getters may be read from any thread (status, metrics).
 */
public final class UpstreamCandidates {
    private static final Logger log = LoggerFactory.getLogger(UpstreamCandidates.class);

    private final List<UpstreamSettings.Candidate> list;
    private final boolean followFailover;
    private volatile int current;
    private int roundStart;
    private int attemptsInRound;
    private volatile String primary = "";
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong forkRefusals = new AtomicLong();
    private volatile String forkRefusal;
    /** When the last primary's stream ended (0: it streams, or never did). */
    private long primaryLostNanos;
    private final Map<Integer, String> loggedReasons = new HashMap<>();

    UpstreamCandidates(UpstreamSettings settings) {
        this.list = settings.candidates();
        this.followFailover = settings.followFailover();
    }

    /** Index of the candidate to connect to next (or connected to now). */
    int current() {
        return current;
    }

    /**
     * A connection to the current candidate ended. Returns true if the round goes on with the next candidate at
     * once; false if the round is over (or the primary's stream broke): wait the backoff, then try the last primary.
     */
    boolean advance(boolean reachedDump) {
        int n = list.size();
        if (n > 1 && !reachedDump && ++attemptsInRound < n) {
            current = (current + 1) % n;
            return true;
        }
        attemptsInRound = 0;
        current = roundStart;
        return false;
    }

    /** The stream of the primary ended. */
    void streamEnded() {
        primaryLostNanos = System.nanoTime();
    }

    /** The current candidate reached the dump: it is the primary; one other than the last is a failover (returned). */
    java.util.Optional<String> streaming() {
        String was = primary;
        String now = list.get(current).toString();
        primary = now;
        roundStart = current;
        attemptsInRound = 0;
        if (forkRefusal != null) {
            log.info("upstream {}: holds every stored transaction; ingesting again (the fork refusal is over)", now);
            forkRefusal = null;
        }
        long lost = primaryLostNanos;
        primaryLostNanos = 0;
        if (was.isEmpty() || was.equals(now)) {
            return java.util.Optional.empty();
        }
        failovers.incrementAndGet();
        log.warn("failover: following the new primary {} (was {}){}", now, was, lost == 0 ? ""
                : ", " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost) + " ms after the old one's stream ended");
        return java.util.Optional.of(was);
    }

    void forkRefused(String message) {
        forkRefusal = message;
        forkRefusals.incrementAndGet();
    }

    /** True if {@code reason} is new for candidate {@code index} (log it); a repeat is logged at debug level. */
    boolean newReason(int index, String reason) {
        return !reason.equals(loggedReasons.put(index, reason));
    }

    /** Progress was made: every reason may be logged again. */
    void forgetReasons() {
        loggedReasons.clear();
    }

    /** The candidate at {@code index}. */
    UpstreamSettings.Candidate get(int index) {
        return list.get(index);
    }

    public int size() {
        return list.size();
    }

    /** True with {@code upstream.hosts}. */
    public boolean followsFailover() {
        return followFailover;
    }

    /** "host:port" of the candidate streamed from last ("" before any). */
    public String primary() {
        return primary;
    }

    /** The candidate being connected to or streamed from. */
    public UpstreamSettings.Candidate currentCandidate() {
        return list.get(current);
    }

    /** "host:port" of the candidate being connected to or streamed from. */
    public String currentAddress() {
        return list.get(current).toString();
    }

    /** Failovers followed since start-up (a candidate other than the last primary reached the dump). */
    public long failovers() {
        return failovers.get();
    }

    /** Candidates refused since start-up for lacking stored transactions. */
    public long forkRefusals() {
        return forkRefusals.get();
    }

    /** The fork refusal in force (one line naming the missing GTIDs), or null. */
    public String forkRefusal() {
        return forkRefusal;
    }
}
