package dev.binlogrelay.server.admin;

import java.util.List;
import java.util.Optional;

/** A {@link RelayInfo} that answers as {@code base} and hands out {@code control} for the operator's statements. */
record RelayInfoWithControl(RelayInfo base, AdminControl control) implements RelayInfo {
    @Override
    public AdminControl adminControl() {
        return control;
    }

    @Override
    public long serverId() {
        return base.serverId();
    }

    @Override
    public String serverVersion() {
        return base.serverVersion();
    }

    @Override
    public String binlogChecksum() {
        return base.binlogChecksum();
    }

    @Override
    public String gtidBinlogPos() {
        return base.gtidBinlogPos();
    }

    @Override
    public long gtidDomainId() {
        return base.gtidDomainId();
    }

    @Override
    public List<BinlogFile> binlogFiles() {
        return base.binlogFiles();
    }

    @Override
    public Optional<BinlogFile> masterStatus() {
        return base.masterStatus();
    }

    @Override
    public List<RegisteredReplica> replicas() {
        return base.replicas();
    }

    @Override
    public int port() {
        return base.port();
    }
}
