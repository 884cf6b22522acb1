package dev.binlogrelay.server;

import dev.binlogrelay.server.admin.AdminControl;
import dev.binlogrelay.server.admin.RelayInfo;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.DownstreamLimits;
import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.binlog.EventType;
import dev.binlogrelay.core.binlog.Events;
import dev.binlogrelay.core.binlog.FormatDescription;
import dev.binlogrelay.core.binlog.MariaGtidEvent;
import dev.binlogrelay.core.gtid.MariaGtidPosition;
import dev.binlogrelay.storage.BinlogCursor;
import dev.binlogrelay.storage.BinlogFileInfo;
import dev.binlogrelay.storage.BinlogStore;
import dev.binlogrelay.storage.PositionException;
import dev.binlogrelay.storage.StoredEvent;

import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** {@link RelayInfo} answered from the config and what the store holds. */
final class StoreRelayInfo implements RelayInfo {
    private final RelayConfig config;
    private final BinlogStore store;
    private final GtidBinlogState binlogState;
    private final Supplier<List<RegisteredReplica>> replicas;
    private final IntSupplier port;
    private final Supplier<String> ingestStatus;
    private final DownstreamLimits limits;
    private volatile Supplier<SemiSyncStatus> semiSync = () -> SemiSyncStatus.OFF;
    private final AdminControl admin;

    StoreRelayInfo(RelayConfig config, BinlogStore store, Supplier<List<RegisteredReplica>> replicas, IntSupplier port,
                   Supplier<String> ingestStatus, DownstreamLimits limits) {
        this(config, store, replicas, port, ingestStatus, limits, AdminControl.NONE);
    }

    StoreRelayInfo(RelayConfig config, BinlogStore store, Supplier<List<RegisteredReplica>> replicas, IntSupplier port,
                   Supplier<String> ingestStatus, DownstreamLimits limits, AdminControl admin) {
        this.admin = admin;
        this.config = config;
        this.limits = limits;
        this.store = store;
        this.binlogState = new GtidBinlogState(store);
        this.replicas = replicas;
        this.port = port;
        this.ingestStatus = ingestStatus;
    }

    @Override
    public AdminControl adminControl() {
        return admin;
    }

    @Override
    public String ingestStatus() {
        return ingestStatus.get();
    }

    @Override
    public String storageError() {
        return store.storageError().orElse("");
    }

    @Override
    public long maxAllowedPacket() {
        return limits.maxPacket();
    }

    @Override
    public int maxConnections() {
        return limits.maxConnections();
    }

    @Override
    public long waitTimeoutSeconds() {
        return Math.max(1, limits.idleTimeout().toSeconds());
    }

    @Override
    public long connectTimeoutSeconds() {
        return Math.max(1, limits.connectTimeout().toSeconds());
    }

    @Override
    public long maxUserVariablesBytes() {
        return limits.maxUserVariablesBytes();
    }

    @Override
    public long serverId() {
        return config.serverId;
    }

    @Override
    public String serverVersion() {
        return store.state().serverVersion().orElse("10.11.0-MariaDB-binlog-relay");
    }

    @Override
    public String binlogChecksum() {
        return store.state().checksum().orElse("CRC32");
    }

    @Override
    public String gtidBinlogPos() {
        return store.state().mariaGtidPosition().toString();
    }

    @Override
    public String gtidBinlogState() {
        return binlogState.current();
    }

    @Override
    public String mysqlGtidExecuted() {
        return store.state().mysqlExecuted().toString();
    }

    @Override
    public String mysqlGtidPurged() {
        var files = store.files();
        return files.isEmpty() ? "" : store.mysqlPreviousGtids(files.get(0).name()).map(Object::toString).orElse("");
    }

    @Override
    public Optional<String> binlogGtidPos(String file, long position) {
        var held = store.file(file);
        if (held.isEmpty() || position > held.get().size() || position < 4) {
            return Optional.empty();
        }
        ChecksumAlgorithm checksum = store.state().formatDescription(file).map(FormatDescription::checksum)
                .orElse(ChecksumAlgorithm.fromName(binlogChecksum()));
        MariaGtidPosition at = MariaGtidPosition.EMPTY;
        // read the file up to the position, as MariaDB does for this function
        try (BinlogCursor cursor = store.openCursor(file, held.get().firstPosition())) {
            for (StoredEvent e = cursor.next(); e != null && e.file().equals(file) && e.position() < position; e = cursor.next()) {
                int type = Events.type(e.bytes());
                if (type == EventType.MARIA_GTID_LIST) {
                    at = MariaGtidPosition.of(MariaGtidEvent.gtidList(e.bytes(), checksum));
                } else if (type == EventType.MARIA_GTID) {
                    at = at.with(MariaGtidEvent.gtid(e.bytes()));
                }
                if (e.endPosition() > position && e.position() < position) {
                    return Optional.empty(); // inside an event
                }
            }
        } catch (PositionException e) {
            return Optional.empty();
        }
        return Optional.of(at.toString());
    }

    @Override
    public java.util.Map<String, String> upstreamVariables() {
        return store.state().upstreamVariables();
    }

    @Override
    public long gtidDomainId() {
        return store.state().gtidDomainId().orElse(0L);
    }

    @Override
    public List<BinlogFile> binlogFiles() {
        return store.files().stream().map(f -> new BinlogFile(f.name(), f.size())).toList();
    }

    @Override
    public Optional<BinlogFile> masterStatus() {
        return store.committedEnd().map(p -> new BinlogFile(p.file(), p.position()));
    }

    @Override
    public FileEvents binlogEvents(String file, long position) throws BinlogEventsException {
        BinlogFileInfo held = store.file(file).orElseThrow(() -> new BinlogEventsException("Could not find target log"));
        ChecksumAlgorithm checksum = store.state().formatDescription(file).map(FormatDescription::checksum)
                .orElseGet(() -> ChecksumAlgorithm.fromName(binlogChecksum()));
        if (position > held.size()) {
            throw new BinlogEventsException("Invalid pos specified. Requested from pos:" + position
                    + " is greater than actual file size:" + held.size());
        }
        BinlogCursor cursor;
        try {
            cursor = store.openCursor(file, Math.max(position, held.firstPosition()));
        } catch (PositionException e) {
            throw new BinlogEventsException("Wrong offset or I/O error");
        }
        return new FileEvents() {
            private boolean ended;

            @Override
            public ChecksumAlgorithm checksum() {
                return checksum;
            }

            @Override
            public long position() {
                return cursor.position().position();
            }

            @Override
            public byte[] next() {
                if (ended) {
                    return null;
                }
                StoredEvent e = cursor.next();
                ended = e == null || !e.file().equals(file);
                return ended ? null : e.bytes();
            }

            @Override
            public void close() {
                cursor.close();
            }
        };
    }

    /** Where SHOW STATUS reads the semi-sync counts from (the metrics). */
    void semiSync(Supplier<SemiSyncStatus> status) {
        this.semiSync = status;
    }

    @Override
    public SemiSyncStatus semiSyncStatus() {
        return semiSync.get();
    }

    @Override
    public List<RegisteredReplica> replicas() {
        return replicas.get();
    }

    @Override
    public int port() {
        return port.getAsInt();
    }
}
