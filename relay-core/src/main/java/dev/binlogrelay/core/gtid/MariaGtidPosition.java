package dev.binlogrelay.core.gtid;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A MariaDB GTID position: the last GTID applied in each replication domain, written
 * {@code "0-1-100,1-2-7"} (as in @@gtid_slave_pos and @slave_connect_state). Immutable.
 */
public final class MariaGtidPosition {
    public static final MariaGtidPosition EMPTY = new MariaGtidPosition(new TreeMap<>());

    private final TreeMap<Long, MariaGtid> byDomain;

    private MariaGtidPosition(TreeMap<Long, MariaGtid> byDomain) {
        this.byDomain = byDomain;
    }

    public static MariaGtidPosition parse(String text) {
        TreeMap<Long, MariaGtid> map = new TreeMap<>();
        if (text != null) {
            for (String part : text.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                MariaGtid g = MariaGtid.parse(part);
                if (map.put(g.domainId(), g) != null) {
                    throw new IllegalArgumentException("GTID position '" + text + "' names domain " + g.domainId() + " twice");
                }
            }
        }
        return new MariaGtidPosition(map);
    }

    public static MariaGtidPosition of(Collection<MariaGtid> gtids) {
        TreeMap<Long, MariaGtid> map = new TreeMap<>();
        for (MariaGtid g : gtids) {
            map.put(g.domainId(), g);
        }
        return new MariaGtidPosition(map);
    }

    /** This position advanced by one applied GTID. */
    public MariaGtidPosition with(MariaGtid gtid) {
        TreeMap<Long, MariaGtid> map = new TreeMap<>(byDomain);
        map.put(gtid.domainId(), gtid);
        return new MariaGtidPosition(map);
    }

    public MariaGtid get(long domain) {
        return byDomain.get(domain);
    }

    public Map<Long, MariaGtid> domains() {
        return Collections.unmodifiableMap(byDomain);
    }

    public Collection<MariaGtid> gtids() {
        return Collections.unmodifiableCollection(byDomain.values());
    }

    public boolean isEmpty() {
        return byDomain.isEmpty();
    }

    /** True if {@code gtid} is at or before this position in its domain (a reader at this position has it). */
    public boolean contains(MariaGtid gtid) {
        MariaGtid mine = byDomain.get(gtid.domainId());
        return mine != null && Long.compareUnsigned(gtid.sequence(), mine.sequence()) <= 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (MariaGtid g : byDomain.values()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(g);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MariaGtidPosition p && p.byDomain.equals(byDomain);
    }

    @Override
    public int hashCode() {
        return byDomain.hashCode();
    }
}
