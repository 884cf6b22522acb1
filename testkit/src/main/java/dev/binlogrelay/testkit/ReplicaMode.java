package dev.binlogrelay.testkit;

/** How a test replica asks its primary for the binlog. */
public enum ReplicaMode {
    /** CHANGE MASTER TO MASTER_USE_GTID = slave_pos */
    SLAVE_POS,
    /** CHANGE MASTER TO MASTER_USE_GTID = current_pos */
    CURRENT_POS,
    /** CHANGE MASTER TO MASTER_LOG_FILE = ..., MASTER_LOG_POS = ... */
    FILE_POS
}
