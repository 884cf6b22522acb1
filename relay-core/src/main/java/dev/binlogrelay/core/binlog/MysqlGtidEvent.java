package dev.binlogrelay.core.binlog;

import dev.binlogrelay.core.gtid.MysqlGtidSet;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * The GTID of a MySQL GTID event.
 *
 * <pre>
 * GTID (33):         flags (1) | uuid (16) | gno (8, LE) | ...
 * GTID_TAGGED (42):  MySQL's serialization format: format version (varlen) | size (varlen)
 *                    | last non-ignorable field id (varlen) | fields, each: field id (varlen) | value
 *                    field 0 flags (varlen), 1 uuid (16 × varlen byte), 2 gno (varlen, zigzag),
 *                    3 tag (varlen length | bytes), further fields not needed here
 * varlen: the count of trailing 1-bits of the first byte is the number of extra bytes; the value is the
 *         little-endian integer of all bytes shifted right by (extra + 1); 0xFF means 8 extra bytes
 * </pre>
 * ANONYMOUS_GTID (34) has no GTID.
 */
public final class MysqlGtidEvent {
    private MysqlGtidEvent() {
    }

    public record Gtid(MysqlGtidSet.Tsid tsid, long gno) {
        @Override
        public String toString() {
            return tsid.uuid() + (tsid.tag().isEmpty() ? "" : ":" + tsid.tag()) + ":" + gno;
        }
    }

    public static Optional<Gtid> gtid(byte[] e, ChecksumAlgorithm alg) {
        int type = Events.type(e);
        int end = e.length - alg.trailerSize();
        int p = Events.HEADER_SIZE;
        if (type == EventType.GTID) {
            if (end - p < 25) {
                throw new BinlogFormatException("GTID event of " + e.length + " bytes is too short");
            }
            UUID uuid = new UUID(be64(e, p + 1), be64(e, p + 9));
            long gno = Events.u64(e, p + 17);
            if (gno < 1) {
                throw new BinlogFormatException("GTID event with transaction number " + Long.toUnsignedString(gno));
            }
            return Optional.of(new Gtid(new MysqlGtidSet.Tsid(uuid, ""), gno));
        }
        if (type == EventType.GTID_TAGGED) {
            return Optional.of(tagged(e, p, end));
        }
        return Optional.empty();
    }

    /**
     * The set a PREVIOUS_GTIDS event (35) carries: the GTIDs of every file before this one.
     *
     * <pre>
     * PREVIOUS_GTIDS body: GTID set (binary, see {@link MysqlGtidSet}) | [CRC32 (4)]
     * </pre>
     */
    public static MysqlGtidSet previousGtids(byte[] e, ChecksumAlgorithm alg) {
        if (Events.type(e) != EventType.PREVIOUS_GTIDS) {
            throw new IllegalArgumentException(EventType.name(Events.type(e)) + " is not a PREVIOUS_GTIDS event");
        }
        int end = e.length - alg.trailerSize();
        if (end < Events.HEADER_SIZE) {
            throw new BinlogFormatException("PREVIOUS_GTIDS event of " + e.length + " bytes is too short");
        }
        try {
            return MysqlGtidSet.decode(io.netty.buffer.Unpooled.wrappedBuffer(e, Events.HEADER_SIZE, end - Events.HEADER_SIZE));
        } catch (IllegalArgumentException bad) {
            throw new BinlogFormatException("PREVIOUS_GTIDS event is malformed: " + bad.getMessage());
        }
    }

    /**
     * The executed GTID set after an event: a GTID or GTID_TAGGED event adds its transaction, a PREVIOUS_GTIDS
     * event adds its set (a file's previous GTIDs were all executed before it); other events change nothing.
     */
    public static MysqlGtidSet executedAfter(MysqlGtidSet executed, byte[] e, ChecksumAlgorithm alg) {
        int type = Events.type(e);
        if (type == EventType.PREVIOUS_GTIDS) {
            return executed.union(previousGtids(e, alg));
        }
        if (type == EventType.GTID || type == EventType.GTID_TAGGED) {
            Gtid g = gtid(e, alg).orElseThrow();
            return executed.contains(g.tsid(), g.gno()) ? executed : executed.with(g.tsid(), g.gno());
        }
        return executed;
    }

    private static Gtid tagged(byte[] e, int start, int end) {
        Reader r = new Reader(e, start, end);
        r.varlen(); // format version
        r.varlen(); // serialized size
        r.varlen(); // last non-ignorable field id
        long msb = 0;
        long lsb = 0;
        long gno = -1;
        String tag = "";
        boolean haveUuid = false;
        while (r.pos < end) {
            long field = r.varlen();
            if (field == 0) {
                r.varlen();
            } else if (field == 1) {
                for (int i = 0; i < 16; i++) {
                    long b = r.varlen() & 0xFF;
                    if (i < 8) {
                        msb = msb << 8 | b;
                    } else {
                        lsb = lsb << 8 | b;
                    }
                }
                haveUuid = true;
            } else if (field == 2) {
                long z = r.varlen();
                gno = (z >>> 1) ^ -(z & 1);
            } else if (field == 3) {
                long len = r.varlen();
                if (len < 0 || len > 32 || r.pos + len > end) {
                    throw new BinlogFormatException("GTID_TAGGED event has a bad tag length " + Long.toUnsignedString(len));
                }
                tag = new String(e, r.pos, (int) len, StandardCharsets.US_ASCII);
                r.pos += (int) len;
                break;
            } else {
                break;
            }
        }
        if (!haveUuid || gno < 1) {
            throw new BinlogFormatException("GTID_TAGGED event without uuid or transaction number");
        }
        try {
            return new Gtid(new MysqlGtidSet.Tsid(new UUID(msb, lsb), tag), gno);
        } catch (IllegalArgumentException badTag) {
            throw new BinlogFormatException("GTID_TAGGED event is malformed: " + badTag.getMessage());
        }
    }

    private static long be64(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** Reads MySQL's variable-length unsigned integers. */
    private static final class Reader {
        private final byte[] b;
        private final int end;
        int pos;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        long varlen() {
            if (pos >= end) {
                throw new BinlogFormatException("GTID_TAGGED event is truncated");
            }
            int first = b[pos] & 0xFF;
            int extra = Integer.numberOfTrailingZeros(~first);
            if (extra > 8) {
                extra = 8;
            }
            if (pos + extra + 1 > end) {
                throw new BinlogFormatException("GTID_TAGGED event is truncated");
            }
            if (extra == 8) {
                long v = 0;
                for (int i = 8; i >= 1; i--) {
                    v = v << 8 | (b[pos + i] & 0xFF);
                }
                pos += 9;
                return v;
            }
            long v = 0;
            for (int i = extra; i >= 0; i--) {
                v = v << 8 | (b[pos + i] & 0xFF);
            }
            pos += extra + 1;
            return v >>> (extra + 1);
        }
    }
}
