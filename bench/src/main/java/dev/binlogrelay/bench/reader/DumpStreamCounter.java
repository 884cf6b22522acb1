package dev.binlogrelay.bench.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Counts a binlog dump stream as it arrives, keeping none of it: the reader side of the fan-out benchmark. One
 * instance per connection; buffers are borrowed per {@link #feed} call, so many readers can share one read
 * buffer per thread. Work per packet is constant (a few header bytes and the last four bytes), so a reader
 * costs far less CPU than the server that feeds it; with {@code verifyCrc} every event's CRC32 is recomputed
 * as well (byte-proportional, hardware-accelerated).
 *
 * <pre>
 * packet       : length (3, LE) | sequence (1) | payload (length); a 0xFFFFFF-long chunk continues in the next
 *                packet (the last chunk is shorter, possibly empty)
 * event packet : 0x00 | event
 * event        : timestamp (4) | type (1) | server_id (4) | event_size (4) | log_pos (4) | flags (2) | body
 *                | crc32 (4, LE, over everything before it; present when the stream is checksummed)
 * end          : 0xFE EOF packet shorter than 9 bytes (non-blocking dump)
 * error        : 0xFF | code (2) | '#' sqlstate (5) | message
 * </pre>
 *
 * Events flagged artificial (LOG_EVENT_ARTIFICIAL_F: fake rotates) and heartbeats are counted in
 * {@link StreamTally#events()} only; every other event also goes into the "real" totals and the fingerprint,
 * which must equal what the binary log files on disk hold (see {@link BinlogFiles}).
 */
public final class DumpStreamCounter {
    static final int EVENT_HEADER = 19;
    static final int ARTIFICIAL_FLAG = 0x20;
    static final int HEARTBEAT = 27;
    private static final int MAX_CHUNK = 0xFFFFFF;
    private static final int HEAD = 64;
    /** Offset of event_size in the payload (after the 0x00 byte). */
    private static final int SIZE_AT = 1 + 9;

    private final boolean verifyCrc;
    private final CRC32 crc;
    private final StreamTally tally = new StreamTally();

    // framing state
    private int headerHave;
    private int header;
    private boolean inChunk;
    private int chunkRemaining;
    private boolean chunkContinues;
    // current logical packet
    private long offset;
    private final byte[] head = new byte[HEAD];
    private int headHave;
    private int tail;
    private long crcEnd = -1;
    private long crcDone;
    private boolean finished;

    public DumpStreamCounter(boolean verifyCrc) {
        this.verifyCrc = verifyCrc;
        this.crc = verifyCrc ? new CRC32() : null;
    }

    /** What has been counted so far. */
    public StreamTally tally() {
        return tally;
    }

    /** True after the EOF packet, an error packet or a malformed stream. */
    public boolean finished() {
        return finished;
    }

    /**
     * Consumes {@code buf} from its position to its limit (the buffer must be little-endian); bytes after the end
     * of the stream count as an error.
     */
    public void feed(ByteBuffer buf) {
        if (buf.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("feed a little-endian buffer");
        }
        int p = buf.position();
        int lim = buf.limit();
        tally.wireBytes += lim - p;
        while (p < lim) {
            if (finished) {
                fail((lim - p) + " bytes after the end of the dump");
                break;
            }
            if (!inChunk) {
                while (headerHave < 4 && p < lim) {
                    header |= (buf.get(p++) & 0xFF) << (8 * headerHave);
                    headerHave++;
                }
                if (headerHave < 4) {
                    break;
                }
                chunkRemaining = header & MAX_CHUNK;
                chunkContinues = chunkRemaining == MAX_CHUNK;
                headerHave = 0;
                header = 0;
                inChunk = true;
                if (chunkRemaining == 0) {
                    endChunk();
                    continue;
                }
            }
            int n = Math.min(chunkRemaining, lim - p);
            consume(buf, p, n);
            p += n;
            chunkRemaining -= n;
            if (chunkRemaining == 0) {
                endChunk();
            }
        }
        buf.position(lim);
    }

    /** The connection ended before the EOF packet. */
    public void closedEarly() {
        if (!finished) {
            fail("connection closed before the end of the dump after " + tally.wireBytes + " bytes");
        }
    }

    private void consume(ByteBuffer buf, int p, int n) {
        if (headHave < HEAD) {
            int k = Math.min(HEAD - headHave, n);
            buf.get(p, head, headHave, k);
            headHave += k;
        }
        if (n >= 4) {
            tail = buf.getInt(p + n - 4);
        } else {
            for (int i = 0; i < n; i++) {
                tail = (tail >>> 8) | (buf.get(p + i) << 24);
            }
        }
        if (verifyCrc) {
            crcSegment(buf, p, n);
        }
        offset += n;
    }

    /** Adds the part of payload bytes [offset, offset + n) that the event's CRC covers: [1, 1 + event_size - 4). */
    private void crcSegment(ByteBuffer buf, int p, int n) {
        if (crcEnd < 0) {
            if (headHave < SIZE_AT + 4) {
                return; // everything so far is in head; handled once event_size is known
            }
            if (head[0] != 0) {
                crcEnd = 0;
                return;
            }
            crcEnd = 1 + Integer.toUnsignedLong(intLe(head, SIZE_AT)) - 4;
            crc.reset();
            crcDone = Math.min(headHave, crcEnd);
            if (crcDone > 1) {
                crc.update(head, 1, (int) crcDone - 1);
            }
        }
        long from = Math.max(offset, crcDone);
        long to = Math.min(offset + n, crcEnd);
        if (to > from) {
            int start = p + (int) (from - offset);
            crc.update(buf.slice(start, (int) (to - from)));
            crcDone = to;
        }
    }

    private void endChunk() {
        inChunk = false;
        if (!chunkContinues) {
            packetDone();
            offset = 0;
            headHave = 0;
            tail = 0;
            crcEnd = -1;
            crcDone = 0;
        }
    }

    private void packetDone() {
        if (finished) {
            return;
        }
        int first = headHave == 0 ? -1 : head[0] & 0xFF;
        if (first == 0x00 && offset >= 1 + EVENT_HEADER) {
            event();
        } else if (first == 0xFE && offset < 9) {
            tally.eof = true;
            finished = true;
        } else if (first == 0xFF) {
            fail("server error " + errorText());
        } else {
            fail("unexpected packet of " + offset + " bytes starting with " + first);
        }
    }

    private void event() {
        int type = head[1 + 4] & 0xFF;
        long size = Integer.toUnsignedLong(intLe(head, SIZE_AT));
        int flags = (head[1 + 17] & 0xFF) | (head[1 + 18] & 0xFF) << 8;
        if (size != offset - 1) {
            fail("event of type " + type + " says event_size " + size + " but its packet carries " + (offset - 1));
            return;
        }
        tally.events++;
        if (verifyCrc && crcEnd > 0 && (int) crc.getValue() != tail) {
            tally.crcErrors++;
        }
        if ((flags & ARTIFICIAL_FLAG) != 0 || type == HEARTBEAT) {
            return;
        }
        tally.realEvents++;
        tally.realEventBytes += size;
        tally.fingerprint = StreamTally.mix(tally.fingerprint, type, size, tail);
    }

    private String errorText() {
        if (headHave < 3) {
            return "(truncated)";
        }
        int code = (head[1] & 0xFF) | (head[2] & 0xFF) << 8;
        int msgAt = headHave > 3 && head[3] == '#' ? 9 : 3;
        String msg = headHave > msgAt ? new String(head, msgAt, headHave - msgAt, StandardCharsets.UTF_8) : "";
        return code + ": " + msg + (offset > headHave ? "..." : "");
    }

    private void fail(String problem) {
        if (tally.problem == null) {
            tally.problem = problem;
        }
        finished = true;
    }

    static int intLe(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
