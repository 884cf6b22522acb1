package dev.binlogrelay.core.binlog;

import java.nio.charset.StandardCharsets;

/**
 * Finds transaction group boundaries in an event stream, so the store can make whole groups visible at once
 * and readers can skip whole groups.
 *
 * <p>A group opens with a GTID event (MariaDB GTID, MySQL GTID / anonymous GTID / tagged GTID) or, in
 * binlogs without GTIDs, with a {@code BEGIN} query. After a GTID, a {@code BEGIN} query opens a
 * transaction that ends with XID, XA_PREPARE or a {@code COMMIT}/{@code ROLLBACK} query; otherwise the first
 * query (a DDL; INTVAR/RAND/USER_VAR may precede it) or a TRANSACTION_PAYLOAD ends the group. MariaDB writes
 * no {@code BEGIN}: its GTID event opens the transaction itself unless it is flagged FL_STANDALONE (DDL,
 * XA COMMIT), which is followed by one query, possibly compressed (QUERY_COMPRESSED). Any other event outside
 * a group is a group of its own.
 *
 * <p>One tracker per stream; not thread-safe.
 */
public final class GroupTracker {
    public static final int START = 1;
    public static final int END = 2;

    private enum State { OUTSIDE, AFTER_GTID, IN_TRANSACTION }

    private State state = State.OUTSIDE;

    /** Flags ({@link #START}, {@link #END}) for the next event of the stream. */
    public int classify(byte[] event, ChecksumAlgorithm alg) {
        int type = Events.type(event);
        switch (state) {
            case OUTSIDE -> {
                if (isGtid(type)) {
                    state = type == EventType.MARIA_GTID && !isStandalone(event) ? State.IN_TRANSACTION : State.AFTER_GTID;
                    return START;
                }
                if (isQuery(type) && queryIs(event, alg, "BEGIN")) {
                    state = State.IN_TRANSACTION;
                    return START;
                }
                return START | END;
            }
            case AFTER_GTID -> {
                if (isQuery(type)) {
                    if (queryIs(event, alg, "BEGIN") || queryStartsWith(event, alg, "XA START")) {
                        state = State.IN_TRANSACTION;
                        return 0;
                    }
                    state = State.OUTSIDE;
                    return END;
                }
                if (type == EventType.TRANSACTION_PAYLOAD || type == EventType.XID || type == EventType.XA_PREPARE) {
                    state = State.OUTSIDE;
                    return END;
                }
                return 0;
            }
            default -> {
                if (type == EventType.XID || type == EventType.XA_PREPARE
                        || (isQuery(type) && (queryIs(event, alg, "COMMIT") || queryIs(event, alg, "ROLLBACK")))) {
                    state = State.OUTSIDE;
                    return END;
                }
                return 0;
            }
        }
    }

    public boolean insideGroup() {
        return state != State.OUTSIDE;
    }

    /** Forgets a half-read group (after the upstream connection broke). */
    public void reset() {
        state = State.OUTSIDE;
    }

    public static boolean isGtid(int type) {
        return type == EventType.MARIA_GTID || type == EventType.GTID || type == EventType.ANONYMOUS_GTID
                || type == EventType.GTID_TAGGED;
    }

    private static boolean isQuery(int type) {
        return type == EventType.QUERY || type == EventType.MARIA_QUERY_COMPRESSED;
    }

    private static boolean isStandalone(byte[] mariaGtid) {
        return mariaGtid.length > Events.HEADER_SIZE + 12
                && (MariaGtidEvent.flags2(mariaGtid) & MariaGtidEvent.FL_STANDALONE) != 0;
    }

    private static boolean queryIs(byte[] e, ChecksumAlgorithm alg, String text) {
        String q = queryText(e, alg, text.length() + 1);
        return q != null && q.trim().equalsIgnoreCase(text);
    }

    private static boolean queryStartsWith(byte[] e, ChecksumAlgorithm alg, String prefix) {
        String q = queryText(e, alg, prefix.length());
        return q != null && q.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /**
     * The statement of a QUERY event (at most {@code maxChars} bytes of it, read without decoding the rest), or
     * null when the body is malformed. The layout: {@link QueryEvent}.
     */
    public static String queryText(byte[] e, ChecksumAlgorithm alg, int maxChars) {
        int end = e.length - alg.trailerSize();
        int start = QueryEvent.statementStart(e, end);
        if (start < 0) {
            return null;
        }
        return new String(e, start, Math.min(end - start, maxChars), StandardCharsets.UTF_8);
    }
}
