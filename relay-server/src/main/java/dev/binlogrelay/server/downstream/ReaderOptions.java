package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.binlog.ChecksumAlgorithm;
import dev.binlogrelay.core.gtid.MariaGtidPosition;

/**
 * How one reader wants its stream, from its session variables and dump command.
 *
 * @param checksum      what the reader declared with @master_binlog_checksum (NONE if it said nothing)
 * @param gtidStart     @slave_connect_state, or null for a file/position dump
 * @param heartbeatNanos the heartbeat period served: @master_heartbeat_period (or the configured default) raised
 *                      to the relay's floor, 0 for none
 * @param askedHeartbeatNanos what the reader set in @master_heartbeat_period (0 if nothing), for the log
 * @param nonBlocking   dump flag 1: send EOF at the end instead of waiting
 * @param sendAnnotate  dump flag 2 (MariaDB): send ANNOTATE_ROWS events
 * @param asStored      the reader declared @mariadb_slave_capability: like MariaDB's dump thread, send events
 *                      with their stored checksums (the format description tells the reader which) and use
 *                      {@code checksum} only for the first fake rotate; otherwise every event is rewritten to
 *                      {@code checksum}
 * @param mysqlGtidSet  for COM_BINLOG_DUMP_GTID: the GTID set the reader has executed (its transactions are
 *                      left out), else null
 */
public record ReaderOptions(ChecksumAlgorithm checksum, MariaGtidPosition gtidStart, long heartbeatNanos,
                            long askedHeartbeatNanos, boolean nonBlocking, boolean sendAnnotate, long serverId, boolean asStored,
                            dev.binlogrelay.core.gtid.MysqlGtidSet mysqlGtidSet) {
    /** The same options for a COM_BINLOG_DUMP_GTID reader with the GTID set it has executed. */
    ReaderOptions withMysqlGtidSet(dev.binlogrelay.core.gtid.MysqlGtidSet set) {
        return new ReaderOptions(checksum, null, heartbeatNanos, askedHeartbeatNanos, nonBlocking, sendAnnotate, serverId, asStored, set);
    }
}
