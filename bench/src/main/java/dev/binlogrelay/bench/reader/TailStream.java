package dev.binlogrelay.bench.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * One reader's blocking dump from the tail, parsed as its bytes arrive in pieces of any size (the state of one of
 * {@link TailReaders}' connections): it frames packets, and for every rows event carrying the paced writer's marker
 * ({@code LAT:} and 12 digits) it marks the transaction's id as arrived, once, and, for a sampled reader, keeps the
 * arrival time. A packet that arrives whole is parsed in the read buffer; only one split across reads is copied
 * (into an array of its size, at most {@link #MAX_PACKET}: a tail of small transactions has no larger packet).
 *
 * <pre>
 * packet       : length (3, LE) | sequence (1) | payload
 * event payload: 0x00 | timestamp (4) | type (1) | server_id (4) | event_size (4) | log_pos (4) | flags (2) | body | crc32 (4)
 * </pre>
 *
 * Threading: one selector thread feeds it; others read {@link #arrived()} and {@link #problem()} (volatile) and
 * the arrivals after the run.
 */
final class TailStream {
    static final int MAX_PACKET = 1 << 20;
    private static final int WRITE_ROWS_V1 = 23;
    private static final int WRITE_ROWS_V2 = 30;
    private static final byte[] MARKER = "LAT:".getBytes(StandardCharsets.US_ASCII);

    private final long firstId;
    private final BitSet seen;
    private final int[] arrivalMicros;
    private final long baseNanos;
    private final int count;
    private final byte[] header = new byte[4];
    private int headerHave;
    private byte[] partial;
    private int partialHave;
    private volatile boolean started;
    private volatile int arrived;
    private volatile String problem;

    /**
     * Ids {@code firstId .. firstId + count - 1} are the writer's; a sampled stream stamps their arrivals in
     * microseconds after {@code baseNanos} ({@link System#nanoTime()}), others only mark them.
     */
    TailStream(long firstId, int count, boolean sampled, long baseNanos) {
        this.firstId = firstId;
        this.count = count;
        this.seen = new BitSet(count);
        this.arrivalMicros = sampled ? new int[count] : null;
        this.baseNanos = baseNanos;
    }

    /** Consumes {@code buf} (little-endian) from its position to its limit, stamping arrivals with {@code now}. */
    void feed(ByteBuffer buf, long now) {
        while (buf.hasRemaining() && problem == null) {
            if (partial != null) {
                int n = Math.min(buf.remaining(), partial.length - partialHave);
                buf.get(partial, partialHave, n);
                partialHave += n;
                if (partialHave == partial.length) {
                    byte[] p = partial;
                    partial = null;
                    packet(ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN), 0, p.length, now);
                }
                continue;
            }
            while (headerHave < 4 && buf.hasRemaining()) {
                header[headerHave++] = buf.get();
            }
            if (headerHave < 4) {
                return;
            }
            headerHave = 0;
            int len = (header[0] & 0xFF) | (header[1] & 0xFF) << 8 | (header[2] & 0xFF) << 16;
            if (len > MAX_PACKET) {
                fail("a packet of " + len + " bytes at the tail (more than " + MAX_PACKET + ")");
                return;
            }
            if (buf.remaining() >= len) {
                int at = buf.position();
                buf.position(at + len);
                packet(buf, at, len, now);
            } else {
                partial = new byte[len];
                partialHave = 0;
            }
        }
        buf.position(buf.limit());
    }

    private void packet(ByteBuffer b, int at, int len, long now) {
        started = true;
        int first = len == 0 ? -1 : b.get(at) & 0xFF;
        if (first == 0x00 && len >= 1 + DumpStreamCounter.EVENT_HEADER) {
            event(b, at, len, now);
        } else if (first == 0xFE && len < 9) {
            fail("EOF in a blocking dump");
        } else if (first == 0xFF) {
            int code = len >= 3 ? (b.get(at + 1) & 0xFF) | (b.get(at + 2) & 0xFF) << 8 : -1;
            byte[] msg = new byte[Math.max(0, Math.min(len - 3, 200))];
            b.get(at + 3, msg);
            fail("server error " + code + ": " + new String(msg, StandardCharsets.UTF_8));
        } else {
            fail("unexpected packet of " + len + " bytes starting with " + first);
        }
    }

    private void event(ByteBuffer b, int at, int len, long now) {
        int type = b.get(at + 1 + 4) & 0xFF;
        long size = Integer.toUnsignedLong(b.getInt(at + 1 + 9));
        if (size != len - 1) {
            fail("event of type " + type + " says event_size " + size + " but its packet carries " + (len - 1));
            return;
        }
        if (type != WRITE_ROWS_V1 && type != WRITE_ROWS_V2) {
            return;
        }
        long id = markerId(b, at, len);
        long i = id - firstId;
        if (id < 0 || i < 0 || i >= count || seen.get((int) i)) {
            return;
        }
        seen.set((int) i);
        if (arrivalMicros != null) {
            arrivalMicros[(int) i] = (int) Math.max(1, (now - baseNanos) / 1000);
        }
        arrived++;
    }

    /** The id after the first marker in the packet {@code b[at, at + len)}, or -1. */
    static long markerId(ByteBuffer b, int at, int len) {
        int end = at + len - MARKER.length - LiveReader.MARKER_DIGITS;
        outer:
        for (int i = at + 20; i <= end; i++) {
            for (int k = 0; k < MARKER.length; k++) {
                if (b.get(i + k) != MARKER[k]) {
                    continue outer;
                }
            }
            long id = 0;
            for (int k = 0; k < LiveReader.MARKER_DIGITS; k++) {
                int d = b.get(i + MARKER.length + k) - '0';
                if (d < 0 || d > 9) {
                    continue outer;
                }
                id = id * 10 + d;
            }
            return id;
        }
        return -1;
    }

    void fail(String p) {
        if (problem == null) {
            problem = p;
        }
    }

    /** True once the first packet (the fake rotate) arrived. */
    boolean started() {
        return started;
    }

    /** Distinct writer transactions arrived. */
    int arrived() {
        return arrived;
    }

    String problem() {
        return problem;
    }

    /** Ids not arrived among the first {@code n} (for the report of an incomplete reader). */
    int missingOf(int n) {
        return n - seen.get(0, n).cardinality();
    }

    /** Arrival of id {@code firstId + i}, nanoseconds on the {@link System#nanoTime()} clock, or 0 (not sampled, not arrived). */
    long arrivalNanos(int i) {
        return arrivalMicros == null || arrivalMicros[i] == 0 ? 0 : baseNanos + arrivalMicros[i] * 1000L;
    }

    boolean sampled() {
        return arrivalMicros != null;
    }
}
