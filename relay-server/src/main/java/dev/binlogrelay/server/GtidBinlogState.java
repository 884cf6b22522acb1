package dev.binlogrelay.server;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtid;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoredEvent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MariaDB's {@code @@gtid_binlog_state}: the last GTID of every (domain, server_id) pair in the binlog, not only of
 * every domain ({@code @@gtid_binlog_pos}). The store keeps the last GTID per domain; the rest is in the binlog
 * itself: the GTID_LIST event that begins each MariaDB file carries the whole state at that point, and the GTIDs of
 * the file after it move it on. So this reads the newest file once, then only what was stored since the last
 * question (an incremental scan, never the whole store), and falls back to the per-domain position where the file
 * does not say (a relay that started in the middle of it). The text lists domains in order, each domain's servers
 * in the order they last wrote, so its last GTID comes last, as the server's does.
 *
 * <p>Threading: any thread; one question at a time (synchronized), each bounded by the newest file's size.
 */
final class GtidBinlogState {
    private final BinlogStore store;
    /** The file scanned so far, and where in it the next event starts. */
    private String file;
    private long position;
    /** domain -> (server_id -> GTID), the last-written GTID of each domain last. */
    private final Map<Long, LinkedHashMap<Long, MariaGtid>> state = new TreeMap<>(Long::compareUnsigned);

    GtidBinlogState(BinlogStore store) {
        this.store = store;
    }

    synchronized String current() {
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            return store.state().mariaGtidPosition().toString();
        }
        BinlogFileInfo newest = files.get(files.size() - 1);
        if (!newest.name().equals(file)) {
            file = newest.name();
            position = newest.firstPosition();
            state.clear();
        }
        ChecksumAlgorithm checksum = store.state().formatDescription(file).map(FormatDescription::checksum)
                .orElse(ChecksumAlgorithm.fromName(store.state().checksum().orElse("CRC32")));
        if (position < newest.size()) {
            try (BinlogCursor cursor = store.openCursor(file, position)) {
                for (StoredEvent e = cursor.next(); e != null && e.file().equals(file); e = cursor.next()) {
                    int type = Events.type(e.bytes());
                    if (type == EventType.MARIA_GTID_LIST) {
                        state.clear();
                        MariaGtidEvent.gtidList(e.bytes(), checksum).forEach(this::add);
                    } else if (type == EventType.MARIA_GTID) {
                        add(MariaGtidEvent.gtid(e.bytes()));
                    }
                    position = e.endPosition();
                }
            } catch (PositionException e) {
                file = null; // purged or rotated meanwhile: read again next time
            }
        }
        for (MariaGtid last : store.state().mariaGtidPosition().gtids()) {
            Map<Long, MariaGtid> domain = state.get(last.domainId());
            MariaGtid known = domain == null ? null : domain.get(last.serverId());
            if (known == null || known.sequence() != last.sequence()) {
                add(last); // the store's own record wins where the scan is behind it or never saw the domain
            }
        }
        List<String> out = new ArrayList<>();
        for (LinkedHashMap<Long, MariaGtid> servers : state.values()) {
            servers.values().forEach(g -> out.add(g.toString()));
        }
        return String.join(",", out);
    }

    /** Records {@code g} as its server's latest in its domain and as the domain's last written. */
    private void add(MariaGtid g) {
        LinkedHashMap<Long, MariaGtid> servers = state.computeIfAbsent(g.domainId(), d -> new LinkedHashMap<>());
        servers.remove(g.serverId());
        servers.put(g.serverId(), g);
    }
}
