package dev.binlogrelay.server.downstream;

import dev.binlogrelay.server.admin.AdminControl;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogReadView;
import io.netty.channel.Channel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The logged-in connections, for SHOW PROCESSLIST, KILL, per-reader metrics and shutdown: one entry per session,
 * added when its login succeeds and removed when it closes, with the dump it runs (if any). What a reader's entry
 * says about its stream (position, bytes sent) is what its {@link DumpSession} last published, read from any thread.
 * Bounded by downstream.max_connections, as the sessions are.
 */
public final class ProcessList {
    /**
     * One connection. Its dump is read through the session's own field (set and cleared on its event loop; read here
     * from any thread, so a dump that just started or ended may show a moment late).
     */
    static final class Entry {
        private final long id;
        private final String user;
        private final String host;
        private final Channel channel;
        private final long connectedNanos = System.nanoTime();
        private final Supplier<DumpSession> dump;
        /** The server_id of the connection's last dump command. */
        private volatile long serverId;

        private Entry(long id, String user, String host, Channel channel, Supplier<DumpSession> dump) {
            this.id = id;
            this.user = user;
            this.host = host;
            this.channel = channel;
            this.dump = dump;
        }
    }

    private final Map<Long, Entry> entries = new ConcurrentSkipListMap<>();
    private final BinlogReadView store;

    ProcessList(BinlogReadView store) {
        this.store = store;
    }

    /** Adds a logged-in connection; {@code dump} answers the dump it runs now (null: none). */
    Entry add(Channel channel, long id, String user, String host, Supplier<DumpSession> dump) {
        Entry e = new Entry(id, user, host, channel, dump);
        entries.put(id, e);
        channel.closeFuture().addListener(f -> entries.remove(id, e));
        return e;
    }

    /** A dump is about to start on {@code channel} for the reader with {@code serverId}. */
    void dumpStarting(Channel channel, long serverId) {
        for (Entry e : entries.values()) {
            if (e.channel == channel) {
                e.serverId = serverId;
            }
        }
    }

    /** Closes connection {@code id} (KILL); false if there is none. */
    public boolean kill(long id) {
        Entry e = entries.get(id);
        if (e == null) {
            return false;
        }
        e.channel.close();
        return true;
    }

    /** The connections, by id (the order they logged in). */
    public List<AdminControl.Connection> connections() {
        Optional<BinlogPosition> end = store.committedEnd();
        List<BinlogFileInfo> files = store.files();
        List<AdminControl.Connection> out = new ArrayList<>(entries.size());
        long now = System.nanoTime();
        for (Entry e : entries.values()) {
            DumpSession dump = e.dump.get();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(now - (dump == null ? e.connectedNanos : dump.startedNanos()));
            if (dump == null) {
                out.add(new AdminControl.Connection(e.id, e.user, e.host, "Sleep", seconds, "", 0, null, 0, -1, 0));
                continue;
            }
            BinlogPosition at = dump.streamPosition();
            long behind = at == null ? 0 : bytesBehind(at, end, files);
            String state = behind == 0 ? "Master has sent all binlog to slave; waiting for more updates"
                    : "Sending binlog event to slave";
            out.add(new AdminControl.Connection(e.id, e.user, e.host, "Binlog Dump", seconds, state, e.serverId,
                    at == null ? "" : at.file(), at == null ? 0 : at.position(), behind, dump.bytesSent()));
        }
        return out;
    }

    /** The stored bytes after {@code at}: the rest of its file and every later file. */
    static long bytesBehind(BinlogPosition at, Optional<BinlogPosition> end, List<BinlogFileInfo> files) {
        if (end.isEmpty()) {
            return 0;
        }
        long behind = 0;
        boolean after = false;
        for (BinlogFileInfo f : files) {
            if (f.name().equals(at.file())) {
                behind += Math.max(0, f.size() - Math.max(at.position(), f.firstPosition()));
                after = true;
            } else if (after) {
                behind += f.storedBytes();
            }
        }
        return behind;
    }
}
