package dev.binlogrelay.core.gtid;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A MySQL GTID set: for each source UUID (optionally with a tag, MySQL 8.4+), a non-empty list of disjoint, sorted
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
    private static final Comparator<Interval> BY_START = Comparator.comparingLong(Interval::start);

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
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        TreeMap<Tsid, List<Interval>> collected = new TreeMap<>();
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
                    collected.computeIfAbsent(new Tsid(uuid, tag), t -> new ArrayList<>()).add(new Interval(start, end));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + f + "' is not a GTID interval in '" + part + "'");
                }
            }
        }
        return normalized(collected);
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

    /**
     * Sorts and merges each source's intervals once: O(n log n) for n intervals, whatever their order. A source
     * without intervals (the binary form allows {@code n_intervals = 0}) holds no transaction and is dropped, as
     * MySQL's {@code Gtid_set} leaves it out of its text and binary forms: every source in a set has an interval.
     */
    private static MysqlGtidSet normalized(TreeMap<Tsid, List<Interval>> collected) {
        collected.values().removeIf(List::isEmpty);
        collected.replaceAll((tsid, list) -> {
            list.sort(BY_START);
            return coalesce(list);
        });
        return new MysqlGtidSet(collected);
    }

    /** Sorted intervals with overlapping and adjacent ones joined, as an immutable list (one pass). */
    private static List<Interval> coalesce(List<Interval> sorted) {
        List<Interval> merged = new ArrayList<>(sorted.size());
        Interval last = null;
        for (Interval i : sorted) {
            if (last != null && (last.end() == Long.MAX_VALUE || i.start() <= last.end() + 1)) {
                if (i.end() > last.end()) {
                    last = new Interval(last.start(), i.end());
                }
                merged.set(merged.size() - 1, last);
            } else {
                merged.add(i);
                last = i;
            }
        }
        return List.copyOf(merged);
    }

    /** The union of two normalized interval lists, normalized, in one pass over both. */
    private static List<Interval> merge(List<Interval> a, List<Interval> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        List<Interval> both = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (j >= b.size() || i < a.size() && a.get(i).start() <= b.get(j).start()) {
                both.add(a.get(i++));
            } else {
                both.add(b.get(j++));
            }
        }
        return coalesce(both);
    }

    /** This set plus one transaction. */
    public MysqlGtidSet with(Tsid tsid, long transaction) {
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>(sets);
        map.put(tsid, merge(sets.getOrDefault(tsid, List.of()), List.of(new Interval(transaction, transaction))));
        return new MysqlGtidSet(map);
    }

    /** This set plus every transaction of {@code other}. */
    public MysqlGtidSet union(MysqlGtidSet other) {
        if (other.isEmpty()) {
            return this;
        }
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>(sets);
        other.sets.forEach((tsid, intervals) -> map.put(tsid, merge(sets.getOrDefault(tsid, List.of()), intervals)));
        return new MysqlGtidSet(map);
    }

    /** True if every transaction of {@code other} is in this set (one pass over both sides per source). */
    public boolean containsAll(MysqlGtidSet other) {
        for (Map.Entry<Tsid, List<Interval>> e : other.sets.entrySet()) {
            List<Interval> mine = sets.getOrDefault(e.getKey(), List.of());
            int m = 0;
            for (Interval i : e.getValue()) {
                while (m < mine.size() && mine.get(m).end() < i.start()) {
                    m++;
                }
                if (m == mine.size() || mine.get(m).start() > i.start() || mine.get(m).end() < i.end()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The transactions of this set that {@code other} lacks (one pass over both sides per source). */
    public MysqlGtidSet minus(MysqlGtidSet other) {
        TreeMap<Tsid, List<Interval>> map = new TreeMap<>();
        for (Map.Entry<Tsid, List<Interval>> e : sets.entrySet()) {
            List<Interval> theirs = other.sets.getOrDefault(e.getKey(), List.of());
            List<Interval> left = new ArrayList<>();
            int t = 0;
            for (Interval i : e.getValue()) {
                while (t < theirs.size() && theirs.get(t).end() < i.start()) {
                    t++;
                }
                long from = i.start();
                boolean covered = false;
                for (int k = t; k < theirs.size() && theirs.get(k).start() <= i.end(); k++) {
                    Interval cut = theirs.get(k);
                    if (cut.start() > from) {
                        left.add(new Interval(from, cut.start() - 1));
                    }
                    if (cut.end() >= i.end()) {
                        covered = true; // the rest of i is cut away
                        break;
                    }
                    from = Math.max(from, cut.end() + 1); // cut.end() < i.end(), so no overflow
                }
                if (!covered) {
                    left.add(new Interval(from, i.end()));
                }
            }
            if (!left.isEmpty()) {
                map.put(e.getKey(), List.copyOf(left));
            }
        }
        return new MysqlGtidSet(map);
    }

    /** Binary search in the source's sorted intervals. */
    public boolean contains(Tsid tsid, long transaction) {
        List<Interval> list = sets.getOrDefault(tsid, List.of());
        int lo = 0;
        int hi = list.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Interval i = list.get(mid);
            if (transaction < i.start()) {
                hi = mid - 1;
            } else if (transaction > i.end()) {
                lo = mid + 1;
            } else {
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
        if (n < 0 || n > in.readableBytes() / 24) {
            throw new IllegalArgumentException("GTID set announces " + n + " sources in " + in.readableBytes() + " bytes");
        }
        TreeMap<Tsid, List<Interval>> collected = new TreeMap<>();
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
            // bounded by the bytes present (checked above), so the list is at most as large as the input
            List<Interval> list = collected.computeIfAbsent(new Tsid(uuid, tag), t -> new ArrayList<>((int) intervals));
            for (long i = 0; i < intervals; i++) {
                long start = in.readLongLE();
                long end = in.readLongLE();
                list.add(new Interval(start, end - 1));
            }
        }
        return normalized(collected);
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
