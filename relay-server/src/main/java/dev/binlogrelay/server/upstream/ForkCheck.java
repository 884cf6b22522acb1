package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.flavor.Flavor;
import dev.binlogrelay.core.protocol.TextResultSet;

import java.util.Optional;

/**
 * Fork refusal: before a candidate of {@code upstream.hosts} is dumped from, its binlog's GTID state
 * ({@link Flavor#binlogGtidStateQuery()}) must hold every transaction the relay stored. A primary that lacks some (a
 * replica promoted while it was behind, or one whose history diverged) is refused with one error naming the missing
 * GTIDs: ingesting from it would serve readers a fork.
 */
final class ForkCheck {
    /** Bytes of the GTID state answer kept (a MySQL gtid_executed of many server UUIDs is long). */
    static final long MAX_STATE_BYTES = 16L << 20;

    private ForkCheck() {
    }

    /**
     * @param address the candidate, for the message
     * @param serverId its @@server_id, for the message
     * @param stored  what the relay holds, in the flavor's GTID start text
     * @param answer  the candidate's answer to {@link Flavor#binlogGtidStateQuery()}
     * @throws ForkRefusedException if the candidate lacks any stored transaction
     * @throws UpstreamException    if its answer is not a GTID state of the flavor
     */
    static void check(Flavor flavor, String address, String serverId, String stored, TextResultSet answer, long recheckMs) {
        if (answer.rows().isEmpty() || answer.rows().get(0).isEmpty()) {
            throw new UpstreamException("'" + flavor.binlogGtidStateQuery() + "' on " + address + " returned no row");
        }
        String state = answer.rows().get(0).get(0);
        Optional<String> missing;
        try {
            missing = flavor.missingGtids(stored, state == null ? "" : state);
        } catch (IllegalArgumentException e) {
            throw new UpstreamException("the GTID state of " + address + " cannot be compared with the relay's (" + stored
                    + "): " + e.getMessage());
        }
        if (missing.isPresent()) {
            throw new ForkRefusedException("fork refused: the primary " + address + " (server_id " + serverId
                    + ") lacks transactions the relay stored: " + missing.get() + " (its binlog has " + state
                    + "); not ingesting from it, readers are still served; checking again every " + recheckMs + " ms",
                    missing.get());
        }
    }
}
