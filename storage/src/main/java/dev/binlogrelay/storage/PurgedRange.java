package dev.binlogrelay.storage;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the store has purged so far: whole files, oldest first, from {@code firstFile} to {@code lastFile}.
 * Kept in the store's metadata, written in the same atomic batch as the purge itself.
 *
 * @param firstFile      the oldest file ever purged
 * @param lastFile       the newest purged file (the files after it are still held)
 * @param firstAvailable where the oldest held file starts, as of the last purge
 * @param gtidState      the MariaDB GTID state at {@code firstAvailable}, one GTID per domain in domain order: per
 *                       domain, the last GTID of the purged files (binlog order), over the previous purged state.
 *                       A reader at or past it in every domain loses nothing; a reader behind it would
 * @param files          files purged since the store was created
 * @param bytes          stored bytes of those files ({@link BinlogFileInfo#storedBytes()})
 */
public record PurgedRange(String firstFile, String lastFile, BinlogPosition firstAvailable, List<MariaGtidRef> gtidState,
                          long files, long bytes) {

    public PurgedRange {
        Objects.requireNonNull(firstFile, "firstFile");
        Objects.requireNonNull(lastFile, "lastFile");
        Objects.requireNonNull(firstAvailable, "firstAvailable");
        gtidState = List.copyOf(gtidState);
    }

    /**
     * True if {@code file} lies in the purged range: it is the first or last purged file, or it has the same base
     * name and its number lies between theirs ({@code mariadb-bin.000004} between {@code .000003} and {@code .000005}).
     * Binlog files are named {@code <base>.<number>} with a growing number; a name of another shape is only
     * recognised if it is one of the two ends.
     */
    public boolean covers(String file) {
        if (file.equals(firstFile) || file.equals(lastFile)) {
            return true;
        }
        String[] f = split(file);
        String[] a = split(firstFile);
        String[] b = split(lastFile);
        if (f == null || a == null || b == null || !f[0].equals(a[0]) || !f[0].equals(b[0])) {
            return false;
        }
        BigInteger n = new BigInteger(f[1]);
        return n.compareTo(new BigInteger(a[1])) >= 0 && n.compareTo(new BigInteger(b[1])) <= 0;
    }

    /** The GTID state as text, {@code "0-1-40,1-2-7"} (MariaDB's GTID position format). */
    public String gtidStateText() {
        return formatGtids(gtidState);
    }

    /** {base, digits} of {@code base.000042}, or null for a name of another shape. */
    private static String[] split(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return null;
        }
        String digits = name.substring(dot + 1);
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return new String[] {name.substring(0, dot), digits};
    }

    // ------------------------------------------------------------------ metadata (keys in Values)

    /** The meta entries that record this range. */
    Map<String, String> toMeta() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Values.META_PURGED_FIRST_FILE, firstFile);
        m.put(Values.META_PURGED_LAST_FILE, lastFile);
        m.put(Values.META_PURGED_FIRST_AVAILABLE, firstAvailable.file() + ":" + firstAvailable.position());
        m.put(Values.META_PURGED_GTID_STATE, gtidStateText());
        m.put(Values.META_PURGED_FILES, Long.toString(files));
        m.put(Values.META_PURGED_BYTES, Long.toString(bytes));
        return m;
    }

    /** Reads the range back from metadata; null if nothing was ever purged. */
    static PurgedRange fromMeta(Function<String, String> meta) {
        String first = meta.apply(Values.META_PURGED_FIRST_FILE);
        if (first == null) {
            return null;
        }
        try {
            String available = require(meta, Values.META_PURGED_FIRST_AVAILABLE);
            int colon = available.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + available + "' is not <file>:<position>");
            }
            return new PurgedRange(first, require(meta, Values.META_PURGED_LAST_FILE),
                    new BinlogPosition(available.substring(0, colon), Long.parseLong(available.substring(colon + 1))),
                    parseGtids(require(meta, Values.META_PURGED_GTID_STATE)),
                    Long.parseLong(require(meta, Values.META_PURGED_FILES)), Long.parseLong(require(meta, Values.META_PURGED_BYTES)));
        } catch (IllegalArgumentException e) {
            throw new StoreException("corrupt purge record in meta " + Values.META_PURGED_PREFIX + "*: " + e.getMessage(), e);
        }
    }

    private static String require(Function<String, String> meta, String key) {
        String v = meta.apply(key);
        if (v == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return v;
    }

    static String formatGtids(List<MariaGtidRef> gtids) {
        StringBuilder sb = new StringBuilder();
        for (MariaGtidRef g : gtids) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(g);
        }
        return sb.toString();
    }

    /** Parses {@code "0-1-40,1-2-7"} (unsigned numbers); one GTID per domain. */
    static List<MariaGtidRef> parseGtids(String text) {
        TreeMap<Long, MariaGtidRef> byDomain = new TreeMap<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] n = part.trim().split("-");
            if (n.length != 3) {
                throw new IllegalArgumentException("'" + part + "' is not a GTID (domain-server-sequence)");
            }
            MariaGtidRef g = new MariaGtidRef(Long.parseUnsignedLong(n[0]), Long.parseUnsignedLong(n[1]), Long.parseUnsignedLong(n[2]));
            if (byDomain.put(g.domainId(), g) != null) {
                throw new IllegalArgumentException("GTID state '" + text + "' names domain " + g.domainId() + " twice");
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(byDomain.values()));
    }
}
