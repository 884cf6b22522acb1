package dev.binlogrelay.server.admin;

import java.util.List;
import java.util.Optional;

/**
 * What the downstream SQL layer may know about the relay when it answers a client's queries. Implemented by
 * the relay (from its config, the store and the upstream's metadata); read-only and thread-safe.
 */
public interface RelayInfo {
    /** The relay's own server_id (what @@server_id answers). */
    long serverId();

    /** The version string the relay presents (the upstream's, e.g. "10.11.5-MariaDB-log"). */
    String serverVersion();

    /** The checksum algorithm of the stored binlog, "CRC32" or "NONE" (what @@global.binlog_checksum answers). */
    String binlogChecksum();

    /** The MariaDB GTID position of the last stored transaction (@@gtid_binlog_pos / @@gtid_current_pos), "" if none. */
    String gtidBinlogPos();

    /**
     * The MariaDB @@gtid_binlog_state: the last GTID of each domain and server_id stored. The store keeps the last
     * GTID per domain, so this is {@link #gtidBinlogPos} (the same unless a domain had several writers).
     */
    default String gtidBinlogState() {
        return gtidBinlogPos();
    }

    /**
     * MariaDB's {@code BINLOG_GTID_POS(file, position)}: the GTID position a replica gives to start at that binlog
     * position (the file's GTID list, then each GTID stored before the position); empty (NULL) for a file the
     * relay does not hold or a position beyond its end or not at an event.
     */
    default Optional<String> binlogGtidPos(String file, long position) {
        return Optional.empty();
    }

    /**
     * The upstream's global variables as its SHOW GLOBAL VARIABLES listed them at the last login, by lower-case
     * name; empty if never learned (an imported store, or before the first login).
     */
    default java.util.Map<String, String> upstreamVariables() {
        return java.util.Map.of();
    }

    /** The upstream's @@gtid_domain_id (0 when unknown). */
    long gtidDomainId();

    /** Binlog files held, oldest first: name and committed size. */
    List<BinlogFile> binlogFiles();

    /** The last committed file and position (SHOW MASTER STATUS), empty when the store is empty. */
    Optional<BinlogFile> masterStatus();

    /** Replicas registered with COM_REGISTER_SLAVE and still connected (SHOW SLAVE HOSTS). */
    List<RegisteredReplica> replicas();

    /** The port the relay listens on downstream. */
    int port();

    /**
     * How ingestion from the upstream stands, for SHOW STATUS (Relay_ingest_status): "streaming", "connecting",
     * "no upstream", or "stopped: " and the reason (a storage error, a refused upstream).
     */
    default String ingestStatus() {
        return "no upstream";
    }

    /** What the operator's statements act on (see {@link AdminStatements}); {@link AdminControl#NONE} by default. */
    default AdminControl adminControl() {
        return AdminControl.NONE;
    }

    /** The storage error that stops ingestion (disk full, I/O error), "" when the store takes writes (Relay_storage_error). */
    default String storageError() {
        return "";
    }

    /** The MySQL GTID set of everything stored (@@gtid_executed), "" when the store holds no MySQL GTIDs. */
    default String mysqlGtidExecuted() {
        return "";
    }

    /** The MySQL GTID set of what the relay no longer holds (@@gtid_purged): its oldest file's previous GTIDs. */
    default String mysqlGtidPurged() {
        return "";
    }

    /** The largest packet a client may send (downstream.max_packet): @@max_allowed_packet, and the longest value. */
    default long maxAllowedPacket() {
        return 16L * 1024 * 1024;
    }

    /** downstream.max_connections (@@max_connections). */
    default int maxConnections() {
        return 4096;
    }

    /** downstream.idle_timeout in seconds (@@wait_timeout's and @@interactive_timeout's default). */
    default long waitTimeoutSeconds() {
        return 28800;
    }

    /** downstream.connect_timeout in seconds (@@connect_timeout). */
    default long connectTimeoutSeconds() {
        return 10;
    }

    /** downstream.max_user_variables_bytes: what a session's user variables may hold, names and values. */
    default long maxUserVariablesBytes() {
        return 1024L * 1024;
    }

    /**
     * A reader of one stored binlog file's events from {@code position} (SHOW BINLOG EVENTS): the start of a stored
     * event, or the file's committed end; a position before the file's first stored event reads from that event.
     *
     * @throws BinlogEventsException with the server's reason ("Could not find target log", "Invalid pos specified...",
     *                               "Wrong offset or I/O error") if the file is not held, the position lies beyond
     *                               its end or is not an event's start
     */
    default FileEvents binlogEvents(String file, long position) throws BinlogEventsException {
        throw new BinlogEventsException("Could not find target log");
    }

    /** One stored file's events in order, read on the caller's thread; close it when done. */
    interface FileEvents extends AutoCloseable {
        /** The checksum algorithm of the file's events (from its format description). */
        dev.binlogrelay.core.binlog.ChecksumAlgorithm checksum();

        /** Where the next event starts. */
        long position();

        /** The next committed event of the file, or null at the file's committed end. */
        byte[] next();

        @Override
        void close();
    }

    /** Why SHOW BINLOG EVENTS cannot read: the server's words, for its ERROR 1220. */
    final class BinlogEventsException extends Exception {
        public BinlogEventsException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The name-based UUID the relay presents as @@server_uuid: stable for a server_id, distinct between them. */
    static String serverUuid(long serverId) {
        return java.util.UUID.nameUUIDFromBytes(("binlog-relay-" + serverId).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    record BinlogFile(String name, long size) {
    }

    /**
     * @param uuid     the replica's @replica_uuid / @slave_uuid as it set them before registering ("" if it did not)
     * @param semiSync its semi-sync acks, while it dumps with semi-sync ({@link ReaderSemiSync#NONE} otherwise)
     */
    record RegisteredReplica(long serverId, String host, int port, long masterId, String uuid, ReaderSemiSync semiSync) {
        public RegisteredReplica(long serverId, String host, int port, long masterId) {
            this(serverId, host, port, masterId, "");
        }

        public RegisteredReplica(long serverId, String host, int port, long masterId, String uuid) {
            this(serverId, host, port, masterId, uuid, ReaderSemiSync.NONE);
        }

        public RegisteredReplica withSemiSync(ReaderSemiSync s) {
            return new RegisteredReplica(serverId, host, port, masterId, uuid, s);
        }
    }

    /**
     * One reader's semi-sync (it set {@code @rpl_semi_sync_slave}): the acks it sent and the last position it
     * acknowledged (the relay's coordinates; empty file before the first ack).
     */
    record ReaderSemiSync(boolean enabled, long acks, String ackedFile, long ackedPosition) {
        public static final ReaderSemiSync NONE = new ReaderSemiSync(false, 0, "", 0);

        /** "file:position", or "" before the first ack. */
        public String ackedAt() {
            return ackedFile.isEmpty() ? "" : ackedFile + ":" + ackedPosition;
        }
    }

    /**
     * Semi-sync on both sides, for SHOW STATUS (Rpl_semi_sync_*): the upstream session is a semi-sync one, the
     * acks sent to the primary, the readers dumping with semi-sync and the acks they sent.
     */
    record SemiSyncStatus(boolean upstreamActive, long upstreamAcks, long readers, long readerAcks) {
        public static final SemiSyncStatus OFF = new SemiSyncStatus(false, 0, 0, 0);
    }

    /** Semi-sync counts for SHOW STATUS. */
    default SemiSyncStatus semiSyncStatus() {
        return SemiSyncStatus.OFF;
    }
}
