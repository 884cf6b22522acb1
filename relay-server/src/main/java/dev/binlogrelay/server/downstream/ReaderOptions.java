package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;

/**
 * How one reader wants its stream, from its session variables and dump command.
 *
 * @param start         where the reader asked to start: a file and position, a MariaDB GTID position
 *                      (@slave_connect_state) or a MySQL GTID set (COM_BINLOG_DUMP_GTID)
 * @param checksum      what the reader declared with @master_binlog_checksum (NONE if it said nothing)
 * @param heartbeatNanos the heartbeat period served: @master_heartbeat_period (or the configured default) raised
 *                      to the relay's floor, 0 for none
 * @param askedHeartbeatNanos what the reader set in @master_heartbeat_period (0 if nothing), for the log
 * @param nonBlocking   dump flag 1: send EOF at the end instead of waiting
 * @param sendAnnotate  dump flag 2 (MariaDB): send ANNOTATE_ROWS events
 * @param asStored      the reader declared @mariadb_slave_capability: like MariaDB's dump thread, send events
 *                      with their stored checksums (the format description tells the reader which) and use
 *                      {@code checksum} only for the first fake rotate; otherwise every event is rewritten to
 *                      {@code checksum}
 */
public record ReaderOptions(ReaderStart start, ChecksumAlgorithm checksum, long heartbeatNanos, long askedHeartbeatNanos,
                            boolean nonBlocking, boolean sendAnnotate, long serverId, boolean asStored) {
    public ReaderOptions {
        java.util.Objects.requireNonNull(start, "start");
    }
}
