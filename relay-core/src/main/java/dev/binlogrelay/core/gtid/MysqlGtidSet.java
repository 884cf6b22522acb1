package dev.binlogrelay.core.gtid;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A MySQL GTID set: for each source UUID (optionally with a tag, MySQL 8.4+), a list of disjoint, sorted
 * transaction-number intervals. Text form {@code "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,…:mytag:1-3"};
 * binary form as in PREVIOUS_GTIDS and COM_BINLOG_DUMP_GTID. Immutable.
 *
 * <pre>
 * header (8, LE):   untagged: n_sids                       (high byte 0x00)
 *                   tagged:   0x01 | n_sids << 8 | 0x01 << 56
 * per (uuid, tag):  uuid (16) | [tagged: tag length × 2 (1 byte) | tag bytes] | n_intervals (8)
 *                   | n_intervals × (start (8) | end (8), end exclusive)
 * </pre>
 * Tags are at most 32 characters ([a-z_][a-z0-9_]*), so their length always fits the one-byte form of
 * MySQL's variable-length integer (value × 2, low bit 0).
 */
public final class MysqlGtidSet {
    public static final MysqlGtidSet EMPTY = new MysqlGtidSet(new TreeMap<>());
    private static final int FORMAT_TAGGED = 1;
    private static final int MAX_TAG = 32;

    /** A source: server UUID and tag ("" when untagged). Ordered by UUID text, then tag. */
    public record Tsid(UUID uuid, String tag) implements Comparable<Tsid> {
        public Tsid {
            if (tag.length() > MAX_TAG || !tag.isEmpty() && !tag.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("bad GTID tag '" + tag + "'");
            }
        }

        @Override
        public int compareTo(Tsid o) {
            int c = uuid.toString().compareTo(o.uuid.toString());
            return c != 0 ? c : tag.compareTo(o.tag);
        }
    }

    /** Transaction numbers start..end inclusive (text form), stored as [start, end]. */
    public record Interval(long start, long end) {
        public Interval {
            if (start < 1 || end < start) {
                throw new IllegalArgumentException("bad GTID interval " + start + "-" + end);
            }
        }
    }

    private final TreeMap<Tsid, List<Interval>> sets;

    private MysqlGtidSet(TreeMap<Tsid, List<Interval>> sets) {
        this.sets = sets;
    }

    public static MysqlGtidSet parse(String text) {
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>();
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        for (String part : text.replaceAll("\\s+", "").split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            String[] fields = part.split(":");
            if (fields.length < 2) {
                throw new IllegalArgumentException("'" + part + "' is not uuid:interval[:interval...]");
            }
            UUID uuid = parseUuid(fields[0]);
            String tag = "";
            for (int i = 1; i < fields.length; i++) {
                String f = fields[i];
                if (!f.isEmpty() && !Character.isDigit(f.charAt(0))) {
                    tag = f.toLowerCase(Locale.ROOT);
                    continue;
                }
                String[] range = f.split("-");
                try {
                    long start = Long.parseLong(range[0]);
                    long end = range.length > 1 ? Long.parseLong(range[1]) : start;
                    add(map, new Tsid(uuid, tag), new Interval(start, end));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + f + "' is not a GTID interval in '" + part + "'");
                }
            }
        }
        return new MysqlGtidSet(map);
    }

    private static UUID parseUuid(String s) {
        try {
            String hex = s.replace("-", "");
            if (hex.length() != 32) {
                throw new IllegalArgumentException();
            }
            return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not a UUID");
        }
    }

    private static void add(TreeMap<Tsid, List<Interval>> map, Tsid tsid, Interval interval) {
        List<Interval> list = new ArrayList<>(map.getOrDefault(tsid, List.of()));
        list.add(interval);
        list.sort((a, b) -> Long.compare(a.start(), b.start()));
        List<Interval> merged = new ArrayList<>();
        for (Interval i : list) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && i.start() <= last.end() + 1) {
                merged.set(merged.size() - 1, new Interval(last.start(), Math.max(last.end(), i.end())));
            } else {
                merged.add(i);
            }
        }
        map.put(tsid, List.copyOf(merged));
    }

    /** This set plus one transaction. */
    public MysqlGtidSet with(Tsid tsid, long transaction) {
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>(sets);
        add(map, tsid, new Interval(transaction, transaction));
        return new MysqlGtidSet(map);
    }

    /** This set plus every transaction of {@code other}. */
    public MysqlGtidSet union(MysqlGtidSet other) {
        if (other.isEmpty()) {
            return this;
        }
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>(sets);
        other.sets.forEach((tsid, intervals) -> intervals.forEach(i -> add(map, tsid, i)));
        return new MysqlGtidSet(map);
    }

    /** True if every transaction of {@code other} is in this set. */
    public boolean containsAll(MysqlGtidSet other) {
        for (Map.Entry<Tsid, List<Interval>> e : other.sets.entrySet()) {
            List<Interval> mine = sets.getOrDefault(e.getKey(), List.of());
            for (Interval i : e.getValue()) {
                if (mine.stream().noneMatch(m -> m.start() <= i.start() && i.end() <= m.end())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The transactions of this set that {@code other} lacks. */
    public MysqlGtidSet minus(MysqlGtidSet other) {
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>();
        for (Map.Entry<Tsid, List<Interval>> e : sets.entrySet()) {
            List<Interval> theirs = other.sets.getOrDefault(e.getKey(), List.of());
            for (Interval i : e.getValue()) {
                long from = i.start();
                for (Interval t : theirs) {
                    if (t.end() < from || t.start() > i.end()) {
                        continue;
                    }
                    if (t.start() > from) {
                        add(map, e.getKey(), new Interval(from, t.start() - 1));
                    }
                    from = Math.max(from, t.end() + 1);
                    if (from > i.end()) {
                        break;
                    }
                }
                if (from <= i.end()) {
                    add(map, e.getKey(), new Interval(from, i.end()));
                }
            }
        }
        return new MysqlGtidSet(map);
    }

    public boolean contains(Tsid tsid, long transaction) {
        for (Interval i : sets.getOrDefault(tsid, List.of())) {
            if (transaction >= i.start() && transaction <= i.end()) {
                return true;
            }
        }
        return false;
    }

    public Map<Tsid, List<Interval>> intervals() {
        return Collections.unmodifiableMap(sets);
    }

    public boolean isEmpty() {
        return sets.isEmpty();
    }

    private boolean tagged() {
        return sets.keySet().stream().anyMatch(t -> !t.tag().isEmpty());
    }

    /** Binary form; the tagged format only when a tag is present (as MySQL does). */
    public void encode(ByteBuf out) {
        boolean tagged = tagged();
        long n = sets.size();
        out.writeLongLE(tagged ? FORMAT_TAGGED | n << 8 | (long) FORMAT_TAGGED << 56 : n);
        for (Map.Entry<Tsid, List<Interval>> e : sets.entrySet()) {
            out.writeLong(e.getKey().uuid().getMostSignificantBits()).writeLong(e.getKey().uuid().getLeastSignificantBits());
            if (tagged) {
                byte[] tag = e.getKey().tag().getBytes(StandardCharsets.US_ASCII);
                out.writeByte(tag.length << 1).writeBytes(tag);
            }
            out.writeLongLE(e.getValue().size());
            for (Interval i : e.getValue()) {
                out.writeLongLE(i.start()).writeLongLE(i.end() + 1);
            }
        }
    }

    public int encodedSize() {
        boolean tagged = tagged();
        int size = 8;
        for (Map.Entry<Tsid, List<Interval>> e : sets.entrySet()) {
            size += 16 + 8 + 16 * e.getValue().size() + (tagged ? 1 + e.getKey().tag().length() : 0);
        }
        return size;
    }

    /** Reads the binary form; throws IllegalArgumentException on malformed input (bounds checked). */
    public static MysqlGtidSet decode(ByteBuf in) {
        need(in, 8, "GTID set header");
        long header = in.readLongLE();
        boolean tagged = (header >>> 56) == FORMAT_TAGGED;
        long n = tagged ? (header >>> 8) & 0xFFFFFFFFFFFFL : header & 0x00FFFFFFFFFFFFFFL;
        if (n > in.readableBytes() / 24 + 1) {
            throw new IllegalArgumentException("GTID set announces " + n + " sources in " + in.readableBytes() + " bytes");
        }
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>();
        for (long s = 0; s < n; s++) {
            need(in, 16, "GTID source UUID");
            UUID uuid = new UUID(in.readLong(), in.readLong());
            String tag = "";
            if (tagged) {
                need(in, 1, "GTID tag length");
                int lenByte = in.readUnsignedByte();
                if ((lenByte & 1) != 0) {
                    throw new IllegalArgumentException("GTID tag length uses a multi-byte form");
                }
                int len = lenByte >>> 1;
                need(in, len, "GTID tag");
                tag = in.readCharSequence(len, StandardCharsets.US_ASCII).toString();
            }
            need(in, 8, "GTID interval count");
            long intervals = in.readLongLE();
            if (intervals < 0 || intervals > in.readableBytes() / 16) {
                throw new IllegalArgumentException("GTID set announces " + intervals + " intervals in " + in.readableBytes() + " bytes");
            }
            for (long i = 0; i < intervals; i++) {
                long start = in.readLongLE();
                long end = in.readLongLE();
                add(map, new Tsid(uuid, tag), new Interval(start, end - 1));
            }
        }
        return new MysqlGtidSet(map);
    }

    private static void need(ByteBuf in, int n, String what) {
        if (in.readableBytes() < n) {
            throw new IllegalArgumentException(what + " needs " + n + " bytes, " + in.readableBytes() + " remain");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        UUID previous = null;
        for (Map.Entry<Tsid, List<Interval>> e : sets.entrySet()) {
            if (!e.getKey().uuid().equals(previous)) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(e.getKey().uuid());
                previous = e.getKey().uuid();
            }
            if (!e.getKey().tag().isEmpty()) {
                sb.append(':').append(e.getKey().tag());
            }
            for (Interval i : e.getValue()) {
                sb.append(':').append(i.start());
                if (i.end() != i.start()) {
                    sb.append('-').append(i.end());
                }
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MysqlGtidSet s && s.sets.equals(sets);
    }

    @Override
    public int hashCode() {
        return sets.hashCode();
    }
}
