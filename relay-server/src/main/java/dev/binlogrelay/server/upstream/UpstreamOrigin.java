package dev.binlogrelay.server.upstream;

import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.StoreState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a store was filled from, kept in its state ({@link StoreState#origin()}), so that a relay never mixes two primaries' binlogs in one
 * store by mistake:
 * <ul>
 * <li>at start-up ({@link #checkConfig}): the configured {@code upstream.host:port} and {@code upstream.start}
 *     must be those the store was filled from, unless the store is empty. A different start is refused (the way
 *     out: {@code run --reset-store}); a different address is refused unless the operator passes
 *     {@code --accept-upstream-change} (a failover to a primary whose binlog continues the same history);</li>
 * <li>at every login ({@link #checkServer}): the primary's {@code @@server_id} (and {@code @@server_uuid} on
 *     MySQL) must be those of the first primary the store was filled from. A change is accepted once after
 *     {@code --accept-upstream-change}; otherwise the relay refuses to ingest ({@link UpstreamRefusedException})
 *     and keeps serving readers what it holds.</li>
 * </ul>
 * A store that holds data but no origin (made before the relay recorded one, or by {@code import}) adopts the
 * configured upstream and the first primary it logs in to.
 *
 * <p>Threading: {@link #checkConfig} once at start-up; {@link #checkServer} on the upstream thread.
 */
public final class UpstreamOrigin {
    private static final Logger log = LoggerFactory.getLogger(UpstreamOrigin.class);
    /** Column of the primary's @@server_id in the server info map. */
    public static final String INFO_SERVER_ID = "server_id";
    /** Column of the primary's @@server_uuid in the server info map (MySQL only). */
    public static final String INFO_SERVER_UUID = "server_uuid";

    private final BinlogStore store;
    private final String address;
    private volatile boolean acceptChange;
    /** upstream.hosts: a change of primary is a failover, which the fork check guards instead of the identity. */
    private final boolean followFailover;

    private UpstreamOrigin(BinlogStore store, String address, boolean acceptChange, boolean followFailover) {
        this.store = store;
        this.address = address;
        this.acceptChange = acceptChange;
        this.followFailover = followFailover;
    }

    /**
     * {@link #checkConfig(BinlogStore, String, int, String, boolean)} for {@code upstream.hosts}: {@code candidates}
     * is the list as "host:port,host:port"; a store filled from a list that shares a candidate with it (or from
     * one of them alone) is accepted, and the list is recorded. At login a new primary is accepted (and recorded):
     * a failover among the candidates; what guards the history is the fork check ({@link ForkCheck}).
     */
    public static UpstreamOrigin checkCandidates(BinlogStore store, String candidates, String startText, boolean acceptChange) {
        String start = startText.trim();
        Optional<String> stored = store.state().origin().upstream();
        if (!store.committedEnd().isEmpty() && stored.isPresent() && !shareCandidate(stored.get(), candidates)) {
            if (!acceptChange) {
                throw new UpstreamRefusedException("upstream.hosts is " + candidates + " but the store in " + store.directory()
                        + " was filled from " + stored.get() + "; if these are primaries of the same history, run with"
                        + " --accept-upstream-change; to delete the stored binlog and start over, run with --reset-store");
            }
            log.warn("--accept-upstream-change: the store in {} was filled from {}, continuing from {}", store.directory(),
                    stored.get(), candidates);
        }
        UpstreamOrigin checked = checkConfig(store, candidates, start, true, true);
        checked.acceptChange = acceptChange;
        return checked;
    }

    private static boolean shareCandidate(String a, String b) {
        java.util.Set<String> left = new java.util.HashSet<>();
        for (String s : a.split(",")) {
            left.add(s.trim().toLowerCase(java.util.Locale.ROOT));
        }
        for (String s : b.split(",")) {
            if (left.contains(s.trim().toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Compares the configured upstream with what the store was filled from and records it when the store is empty.
     *
     * @param host         {@code upstream.host}
     * @param port         {@code upstream.port}
     * @param startText    {@code upstream.start} as configured (kept as text: a store remembers what it was told)
     * @param acceptChange {@code --accept-upstream-change}: a new address (and, at the first login, a new server
     *                     identity) is recorded instead of refused
     * @throws UpstreamRefusedException one line naming the key, the stored and the configured value and the way out
     */
    public static UpstreamOrigin checkConfig(BinlogStore store, String host, int port, String startText, boolean acceptChange) {
        Objects.requireNonNull(host, "host");
        return checkConfig(store, host + ":" + port, startText.trim(), acceptChange, false);
    }

    private static UpstreamOrigin checkConfig(BinlogStore store, String address, String start, boolean acceptChange,
                                              boolean followFailover) {
        if (store.committedEnd().isEmpty()) {
            store.state().recordOrigin(address, start, true);
            return new UpstreamOrigin(store, address, acceptChange, followFailover);
        }
        StoreState.Origin origin = store.state().origin();
        Optional<String> storedAddress = origin.upstream();
        Optional<String> storedStart = origin.start();
        if (storedStart.isPresent() && !sameStart(storedStart.get(), start)) {
            throw new UpstreamRefusedException("upstream.start is '" + start + "' but the store in " + store.directory()
                    + " was filled from start '" + storedStart.get() + "' (upstream " + storedAddress.orElse("?")
                    + "); set upstream.start back to '" + storedStart.get()
                    + "', or run with --reset-store to delete the stored binlog and start again from '" + start + "'");
        }
        if (!followFailover && storedAddress.isPresent() && !storedAddress.get().equalsIgnoreCase(address)) {
            if (!acceptChange) {
                throw new UpstreamRefusedException("upstream is " + address + " but the store in " + store.directory()
                        + " was filled from " + storedAddress.get() + "; if " + address
                        + " is a new primary whose binlog continues the same history, run with --accept-upstream-change;"
                        + " to delete the stored binlog and start over from " + address + ", run with --reset-store");
            }
            log.warn("--accept-upstream-change: the store in {} was filled from {}, continuing from {} with the stored binlog",
                    store.directory(), storedAddress.get(), address);
        }
        if (storedAddress.isEmpty() || storedStart.isEmpty() || acceptChange || followFailover) {
            store.state().recordOrigin(address, storedStart.orElse(start), false);
        }
        return new UpstreamOrigin(store, address, acceptChange, followFailover);
    }

    /**
     * At each login, before anything is stored: the primary's identity ({@code info} holds
     * {@link #INFO_SERVER_ID} and, on MySQL, {@link #INFO_SERVER_UUID}) against the recorded one.
     *
     * @throws UpstreamRefusedException if it changed and no {@code --accept-upstream-change} allows it
     */
    public void checkServer(Map<String, String> info) {
        String id = info.get(INFO_SERVER_ID);
        String uuid = info.get(INFO_SERVER_UUID);
        boolean accept = acceptChange;
        acceptChange = false; // the flag allows the change found at the first login after start-up, no later one
        StoreState.Origin origin = store.state().origin();
        Optional<String> storedId = origin.serverId();
        Optional<String> storedUuid = origin.serverUuid();
        boolean empty = store.committedEnd().isEmpty();
        if (!empty && storedId.isPresent()) {
            boolean sameId = storedId.get().equals(id);
            boolean sameUuid = storedUuid.isEmpty() || uuid == null || storedUuid.get().equalsIgnoreCase(uuid);
            if (sameId && sameUuid) {
                return;
            }
            String was = describe(storedId.get(), storedUuid.orElse(null));
            String now = describe(id, uuid);
            if (followFailover) {
                log.info("the primary is now {} (the store was filled from {} until now): following the failover", now, was);
            } else if (!accept) {
                throw new UpstreamRefusedException("the primary at " + address + " is " + now + " but the store was filled from "
                        + was + "; not ingesting from it (readers are still served). If it is a new primary whose binlog"
                        + " continues the same history, restart with --accept-upstream-change; to start over, --reset-store");
            } else {
                log.warn("--accept-upstream-change: the primary at {} is {}, the store was filled from {}; continuing", address, now, was);
            }
        }
        store.state().recordOriginServer(id, uuid);
    }

    private static String describe(String id, String uuid) {
        return "server_id " + id + (uuid == null ? "" : " (server_uuid " + uuid + ")");
    }

    private static boolean sameStart(String a, String b) {
        return a.trim().equalsIgnoreCase(b.trim());
    }
}
