package dev.binlogrelay.server;

import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.server.admin.AdminControl;
import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.DownstreamServer;
import dev.binlogrelay.server.downstream.UserDirectory;
import dev.binlogrelay.server.upstream.UpstreamClient;
import dev.binlogrelay.server.upstream.UpstreamOrigin;
import dev.binlogrelay.server.upstream.UpstreamRefusedException;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogPosition;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.PurgeResult;
import dev.binlogrelay.storage.StoreException;
import dev.binlogrelay.storage.StoredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator's control of a running relay ({@link AdminControl}): the upstream client's life (started, paused by
 * STOP SLAVE, replaced by CHANGE MASTER TO), what survives a restart ({@link ControlFile}), purges that spare
 * connected readers, and the connections. Statements run on downstream event loops; the upstream client is
 * replaced under this object's lock.
 */
final class RelayControl implements AdminControl {
    private static final Logger log = LoggerFactory.getLogger(RelayControl.class);
    static final int ER_BAD_SLAVE = 1200;
    static final int ER_SLAVE_MUST_STOP = 1198;
    static final int ER_UNKNOWN_TARGET_BINLOG = 1373;
    static final int ER_LOG_IN_USE = 1378;
    static final int ER_LOG_PURGE_UNKNOWN_ERR = 1379;
    static final int ER_SLAVE_FATAL_ERROR = 1593;
    static final int CR_CONN_HOST_ERROR = 2003;
    static final int CR_SERVER_LOST = 2013;

    /** Builds an upstream client for the config's (current) upstream section. */
    interface ClientFactory {
        UpstreamClient create();
    }

    private final RelayConfig config;
    private final BinlogStore store;
    private final UserDirectory users;
    private final ControlFile file;
    private final Supplier<DownstreamServer> downstream;
    private final String configuredHost;
    private final int configuredPort;
    private ClientFactory clients;
    private volatile UpstreamClient upstream;
    private volatile UpstreamOrigin origin;
    /** Wall time of the last commit (ms), for Seconds_Behind_Master; 0 before the first. */
    private volatile long lastCommitMillis;

    /**
     * Applies a CHANGE MASTER TO kept from before a restart to {@code config.upstream}, then checks the upstream
     * against the store's origin ({@link UpstreamOrigin#checkConfig}).
     *
     * @throws ConfigException if the store was filled from another upstream or start
     */
    RelayControl(RelayConfig config, BinlogStore store, UserDirectory users, boolean acceptUpstreamChange,
                 Supplier<DownstreamServer> downstream) {
        this.config = config;
        this.store = store;
        this.users = users;
        this.downstream = downstream;
        this.file = ControlFile.load(Path.of(config.dataDir));
        RelayConfig.Upstream u = config.upstream;
        this.configuredHost = u == null ? null : u.host;
        this.configuredPort = u == null || u.port == null ? 0 : u.port;
        if (u != null && u.host != null && u.port != null) {
            String[] address = file.upstream(u.host, u.port);
            u.host = address[0];
            u.port = Integer.parseInt(address[1]);
            origin = checkOrigin(u.host, u.port, acceptUpstreamChange);
        }
        store.readView().addCommitListener(() -> lastCommitMillis = System.currentTimeMillis());
    }

    private UpstreamOrigin checkOrigin(String host, int port, boolean accept) {
        try {
            return UpstreamOrigin.checkConfig(store, host, port, config.upstream.start, accept);
        } catch (UpstreamRefusedException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** Starts ingesting (paused if STOP SLAVE was the last word before a restart); nothing without an upstream. */
    synchronized void start(ClientFactory factory) {
        this.clients = factory;
        if (config.upstream == null) {
            return;
        }
        UpstreamClient client = factory.create();
        if (file.stopped()) {
            client.pause();
            log.info("ingestion stays stopped (STOP SLAVE before the restart; START SLAVE resumes it)");
        }
        upstream = client;
        client.start();
    }

    UpstreamClient upstream() {
        return upstream;
    }

    UpstreamOrigin origin() {
        return origin;
    }

    @Override
    public boolean isAdmin(String user) {
        return users.isAdmin(user);
    }

    @Override
    public UpstreamStatus upstreamStatus() {
        RelayConfig.Upstream u = config.upstream;
        UpstreamClient client = upstream;
        if (u == null || client == null) {
            return null;
        }
        String storageError = store.storageError().orElse("");
        boolean streaming = client.isStreaming();
        String io;
        String state;
        int errno = 0;
        String error = "";
        if (client.paused()) {
            io = "No";
            state = "";
        } else if (client.refusal() != null) {
            io = "No";
            state = "";
            errno = ER_SLAVE_FATAL_ERROR;
            error = client.refusal();
        } else if (streaming) {
            io = "Yes";
            state = "Waiting for master to send event";
        } else {
            io = "Connecting";
            state = storageError.isEmpty() ? "Connecting to master" : "Waiting for the store to take writes again";
            error = client.lastError() == null ? "" : client.lastError();
            errno = error.isEmpty() ? 0 : error.startsWith("cannot connect") ? CR_CONN_HOST_ERROR : CR_SERVER_LOST;
        }
        Optional<BinlogPosition> end = store.committedEnd();
        var state0 = store.state();
        return new UpstreamStatus(u.host, u.port, u.user, io, state, end.map(BinlogPosition::file).orElse(""),
                end.map(BinlogPosition::position).orElse(0L), streaming ? secondsBehind() : null, errno, error,
                state0.mariaGtidPosition().toString(), state0.mysqlExecuted().toString(),
                state0.serverId().map(RelayControl::parseLong).orElse(0L), state0.serverUuid().orElse(""),
                Math.max(1, u.reconnectMaxMs / 1000), "disabled".equalsIgnoreCase(u.sslMode) ? "No" : "Yes",
                !client.paused() && storageError.isEmpty(), storageError, store.isClosed() ? 0 : store.storedBytes());
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * How far the stored binlog was behind the primary when its last transaction was stored: the wall time of that
     * commit minus the primary's timestamp of its last event (0 while caught up; the primary's clock against the
     * relay's, as on a server). Null while not streaming.
     */
    Long secondsBehind() {
        UpstreamClient client = upstream;
        if (client == null || !client.isStreaming()) {
            return null;
        }
        long committedAt = lastCommitMillis;
        Optional<BinlogPosition> end = store.committedEnd();
        if (committedAt == 0 || end.isEmpty()) {
            return 0L;
        }
        Optional<StoredEvent> last = store.lastEvent(end.get().file());
        long ts = last.map(e -> Events.timestamp(e.bytes())).orElse(0L);
        return ts == 0 ? 0L : Math.max(0, committedAt / 1000 - ts);
    }

    @Override
    public synchronized void stopIngest() {
        UpstreamClient client = requireUpstream();
        client.pause();
        file.stopped(true);
    }

    @Override
    public synchronized void startIngest() {
        UpstreamClient client = requireUpstream();
        file.stopped(false);
        client.resume();
    }

    private UpstreamClient requireUpstream() {
        UpstreamClient client = upstream;
        if (client == null) {
            throw new Refused(ER_BAD_SLAVE, "HY000", "The server is not configured as slave; fix in config file or with "
                    + "CHANGE MASTER TO (binlog-relay: this relay has no upstream section; it serves what its store holds)");
        }
        return client;
    }

    /**
     * The operator's statement counts as {@code --accept-upstream-change} for this one change: the new address is
     * recorded as the store's origin, and the primary there may have a new identity at its first login. The start the
     * store was filled from must still match (it does: the config's is unchanged).
     */
    @Override
    public synchronized void changeUpstream(String host, Integer port) {
        UpstreamClient client = requireUpstream();
        if (!client.paused()) {
            throw new Refused(ER_SLAVE_MUST_STOP, "HY000", "This operation cannot be performed as you have a running slave"
                    + "; run STOP SLAVE first");
        }
        RelayConfig.Upstream u = config.upstream;
        String newHost = host == null ? u.host : host;
        int newPort = port == null ? u.port : port;
        UpstreamOrigin checked;
        try {
            checked = UpstreamOrigin.checkConfig(store, newHost, newPort, u.start, true);
        } catch (UpstreamRefusedException e) {
            throw new Refused(ER_BAD_SLAVE, "HY000", e.getMessage());
        }
        log.warn("CHANGE MASTER TO: upstream {}:{} in place of {}:{} (ingestion stays stopped until START SLAVE)", newHost,
                newPort, u.host, u.port);
        file.repoint(newHost, newPort, configuredHost, configuredPort);
        client.close();
        u.host = newHost;
        u.port = newPort;
        origin = checked;
        UpstreamClient next = clients.create();
        next.pause();
        upstream = next;
        next.start();
    }

    @Override
    public Optional<String> purgeTo(String name) {
        Optional<BinlogFileInfo> target = store.file(name);
        if (target.isEmpty()) {
            throw new Refused(ER_UNKNOWN_TARGET_BINLOG, "HY000", "Target log not found in binlog index");
        }
        return purge(target.get());
    }

    @Override
    public Optional<String> purgeBefore(Instant time) {
        List<BinlogFileInfo> files = store.files();
        if (files.isEmpty()) {
            return Optional.empty();
        }
        BinlogFileInfo keep = files.get(files.size() - 1);
        for (BinlogFileInfo f : files) {
            Optional<StoredEvent> last = store.lastEvent(f.name());
            if (last.isEmpty() || Events.timestamp(last.get().bytes()) >= time.getEpochSecond()) {
                keep = f;
                break;
            }
        }
        return purge(keep);
    }

    /** Purges the files before {@code keep}, unless a connected reader is in one of them. */
    private Optional<String> purge(BinlogFileInfo keep) {
        for (Connection c : connections()) {
            if (c.file() == null || c.file().isEmpty()) {
                continue;
            }
            Optional<BinlogFileInfo> reading = store.file(c.file());
            if (reading.isPresent() && reading.get().sequence() < keep.sequence()) {
                throw new Refused(ER_LOG_IN_USE, "HY000", "A purgeable log is in use, will not purge: connection " + c.id()
                        + " (user '" + c.user() + "', " + c.host() + ", server_id " + c.serverId() + ") still reads "
                        + c.file() + " at " + c.position() + "; purge to " + c.file() + " at most, or KILL " + c.id()
                        + " first");
            }
        }
        PurgeResult result;
        try {
            result = store.purgeFilesBefore(keep.name());
        } catch (StoreException e) {
            throw new Refused(ER_LOG_PURGE_UNKNOWN_ERR, "HY000", "binlog-relay could not purge: " + e.getMessage());
        }
        log.info("PURGE BINARY LOGS: {} file(s), {} bytes purged before {}", result.purged().size(), result.bytes(),
                keep.name());
        return result.stoppedAtReader().map(f -> "file " + f.name() + " was not purged because a reader started"
                + " reading it meanwhile");
    }

    @Override
    public List<Connection> connections() {
        DownstreamServer server = downstream.get();
        return server == null ? List.of() : server.processes().connections();
    }

    @Override
    public boolean kill(long id) {
        DownstreamServer server = downstream.get();
        boolean killed = server != null && server.processes().kill(id);
        if (killed) {
            log.info("KILL {}: connection closed", id);
        }
        return killed;
    }

    synchronized void close() {
        UpstreamClient client = upstream;
        if (client != null) {
            client.close();
        }
    }
}
