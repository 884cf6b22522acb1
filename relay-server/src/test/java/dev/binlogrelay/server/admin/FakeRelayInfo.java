package dev.binlogrelay.server.admin;

import java.util.List;
import java.util.Optional;

/** A {@link RelayInfo} with fixed answers, for tests. */
record FakeRelayInfo(long serverId, String serverVersion, String binlogChecksum, String gtidBinlogPos,
                     long gtidDomainId, List<BinlogFile> binlogFiles, Optional<BinlogFile> masterStatus,
                     List<RegisteredReplica> replicas, int port) implements RelayInfo {

    /** A relay in front of MariaDB 10.11 holding two files, with one replica connected. */
    static FakeRelayInfo typical() {
        return new FakeRelayInfo(1001, "10.11.5-MariaDB-log", "CRC32", "0-1-42", 0,
                List.of(new BinlogFile("mysql-bin.000001", 4096), new BinlogFile("mysql-bin.000002", 5000000000L)),
                Optional.of(new BinlogFile("mysql-bin.000002", 5000000000L)),
                List.of(new RegisteredReplica(2002, "replica-a", 3307, 1001)), 3306);
    }

    /** The same relay presenting another version (e.g. "8.0.36": MySQL's statement forms and variables). */
    FakeRelayInfo withVersion(String version) {
        return new FakeRelayInfo(serverId, version, binlogChecksum, gtidBinlogPos, gtidDomainId, binlogFiles, masterStatus,
                replicas, port);
    }

    /** A relay whose store is still empty. */
    static FakeRelayInfo empty() {
        return new FakeRelayInfo(7, "8.0.36", "NONE", "", 3, List.of(), Optional.empty(), List.of(), 13306);
    }
}
